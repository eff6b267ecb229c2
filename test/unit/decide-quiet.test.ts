import { describe, expect, it } from 'vitest';
import { decide, initialMemory } from '../../src/core/decide.ts';
import type { DecisionMemory, PoolPolicy, ServerView } from '../../src/core/types.ts';

const policy: PoolPolicy = {
  minServers: 0,
  maxServers: 5,
  slotsPerServer: 4,
  targetWaitMs: 10_000,
  bootMs: 3_000,
  targetUtilisation: 0.85,
  maxStepUp: 5,
  scaleDownDelayMs: 10_000,
  idleToZeroMs: 15_000,
};
const one: ServerView[] = [{ id: 's1', state: 'ready', createdAtMs: 0, activeJobs: 0 }];

describe('a quiet pool', () => {
  it('returns to zero although the smoothed arrival rate never quite reaches zero', () => {
    let memory: DecisionMemory = initialMemory();
    let desired = 1;
    // A burst is over; what remains of its arrival rate decays by e every 20 s, as the estimator's does.
    for (let t = 0; t <= 300_000 && desired > 0; t += 1_000) {
      const arrivalPerSecond = 2 * Math.exp(-t / 20_000);
      const d = decide({
        nowMs: t,
        policy,
        demand: {
          queues: [{ queue: 'q', backlog: 0, arrivalPerSecond, runtimeMs: 500 }],
          oldestWaitMs: 0,
          activeJobs: 0,
        },
        servers: desired > 0 ? one : [],
        memory,
      });
      memory = d.memory;
      desired = d.desired;
    }
    expect(desired).toBe(0);
  });
});

describe('a pool whose arrivals stopped', () => {
  it('returns to zero once nothing arrived for a whole scale-down window, whatever the smoothed rate says', () => {
    let memory: DecisionMemory = initialMemory();
    let desired = 1;
    let zeroAt: number | undefined;
    // The smoothed rate stays high (a burst just ended) but the last job was added at t = 0.
    for (let t = 1_000; t <= 120_000 && zeroAt === undefined; t += 1_000) {
      const d = decide({
        nowMs: t,
        policy,
        demand: {
          queues: [{ queue: 'q', backlog: 0, arrivalPerSecond: 20, runtimeMs: 500 }],
          oldestWaitMs: 0,
          activeJobs: 0,
          lastArrivalAtMs: 0,
        },
        servers: desired > 0 ? one : [],
        memory,
      });
      memory = d.memory;
      desired = d.desired;
      if (desired === 0) zeroAt = t;
    }
    // The 15 s idle period counts from the last job (t = 0), as idleToZeroMs promises, then the 10 s
    // scale-down window; counted from when the rate went stale (10 s), zero came 10 s later.
    expect(zeroAt).toBeDefined();
    expect(zeroAt).toBeGreaterThanOrEqual(15_000);
    expect(zeroAt).toBeLessThanOrEqual(15_000 + 10_000 + 1_000);
  });
});
