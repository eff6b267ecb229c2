import { describe, expect, it } from 'vitest';
import { type PoolRun, whyOverTarget } from '../../examples/demo-explain.ts';

const run: PoolRun = {
  pool: 'emails',
  worstWaitMs: 14_000,
  targetWaitMs: 10_000,
  meanBootMs: 6_000,
  startedCold: true,
  maxServers: 6,
  peakWantedServers: 9,
  limitsHit: ['maxServersTotal', 'maxServersTotal'],
};

describe('the demo says why a wait went over target (issue 19 stumbles)', () => {
  it('names the cold start, the cap and each guard rail that held creates back', () => {
    expect(whyOverTarget(run)).toEqual([
      'cold start: no server was up when the burst came, and a boot takes 6.0 s of the 10.0 s target',
      'capped: the policy wanted 9 servers, maxServers is 6',
      'held back by maxServersTotal',
    ]);
  });

  it('says nothing when the wait stayed within target', () => {
    expect(whyOverTarget({ ...run, worstWaitMs: 10_000 })).toEqual([]);
  });

  it('blames neither boot nor cap when neither applies, but still gives a reason', () => {
    const reasons = whyOverTarget({ ...run, meanBootMs: 1_000, peakWantedServers: 4, limitsHit: [] });
    expect(reasons).toEqual([
      'the burst outran scale-up: more servers were on their way (boot 1.0 s) when the oldest job started',
    ]);
  });
});
