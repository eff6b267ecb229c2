import { describe, expect, it } from 'vitest';
import { poolPolicy } from '../../bench/lib/pool-policy.ts';
import {
  type BurstMemory,
  expectedBurst,
  initialBurstMemory,
  observeNeed,
} from '../../src/core/burst-memory.ts';
import { decide, initialMemory } from '../../src/core/decide.ts';
import type { DecisionMemory, PoolDemand, PoolPolicy } from '../../src/core/types.ts';

const period = 360_000;
const early = 120_000;

/** A need of 2 servers with a 90 s burst needing 25 every `period`, seen once a second. */
function feed(memory: BurstMemory, fromMs: number, toMs: number): BurstMemory {
  let m = memory;
  for (let t = fromMs; t < toMs; t += 1_000) {
    const need = t % period < 90_000 ? 25 : 2;
    m = observeNeed(m, t, { signal: need, used: need }, early);
  }
  return m;
}

describe('burst memory', () => {
  it('learns a regular period and size from the pool’s own history', () => {
    // The first burst has no trough before it: the rise is seen from the second one on.
    const once = feed(initialBurstMemory(), 0, 2 * period);
    expect(once.episodes).toHaveLength(1);
    expect(expectedBurst(once)).toBeUndefined();
    const learned = feed(once, 2 * period, 3 * period + 200_000);
    expect(expectedBurst(learned)).toEqual({
      atMs: 4 * period,
      periodMs: period,
      servers: 25,
      underway: false,
    });
  });

  it('rides out a stray start: the chain of starts one period apart skips it', () => {
    const learned = feed(initialBurstMemory(), 0, 3 * period + 200_000);
    const stray = observeNeed(learned, 3 * period + 250_000, { signal: 25, used: 25 }, early);
    // Requiring every recent gap to agree lost the period here, for three bursts met late.
    expect(expectedBurst(stray)).toEqual({
      atMs: 4 * period,
      periodMs: period,
      servers: 25,
      underway: false,
    });
  });

  it('sees no pattern when two periods explain the starts equally well', () => {
    const episode = (startAtMs: number) => ({ startAtMs, peak: 25, early: 25 });
    const memory: BurstMemory = {
      episodes: [episode(0), episode(period)],
      open: episode(period + 140_000),
      trough: 2,
    };
    expect(expectedBurst(memory)).toBeUndefined();
  });

  it('ignores a blip of a few extra jobs while the fleet waits for the next burst', () => {
    let m = feed(initialBurstMemory(), 0, 3 * period + 200_000);
    m = observeNeed(m, 3 * period + 210_000, { signal: 5, used: 5 }, early);
    m = observeNeed(m, 3 * period + 211_000, { signal: 2, used: 2 }, early);
    expect(expectedBurst(m)?.atMs).toBe(4 * period);
  });

  it('buys the learned burst one boot ahead, keeps nothing in the gap, and says so', () => {
    const policy: PoolPolicy = poolPolicy({ maxStepUp: 60 });
    const demand: PoolDemand = {
      queues: [{ queue: 'q', backlog: 0, arrivalPerSecond: 0.5, runtimeMs: 3_000 }],
      oldestWaitMs: 0,
      activeJobs: 2,
    };
    const bursts = feed(initialBurstMemory(), 0, 3 * period + 200_000);
    const memory: DecisionMemory = { ...initialMemory(), bursts };
    const servers = [{ id: 's0', state: 'ready' as const, createdAtMs: 0, activeJobs: 2 }];
    const gap = decide({ nowMs: 3 * period + 200_000, policy, demand, servers, memory });
    expect(gap.desired).toBe(1);
    // 69 s before the burst (a boot and 15 %), the fleet is raised to the learned size.
    const ahead = decide({ nowMs: 4 * period - 69_000, policy, demand, servers, memory });
    expect(ahead.desired).toBe(25);
    expect(ahead.reason).toMatch(
      /raised to 25 for the burst expected in 69\.0s \(learned: every 360\.0s, 25 servers\)/,
    );
  });
});
