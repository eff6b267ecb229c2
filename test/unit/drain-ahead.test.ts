import { describe, expect, it } from 'vitest';
import { decide, initialMemory } from '../../src/core/decide.ts';
import type { DecisionInput, PoolDemand, PoolPolicy, ServerView } from '../../src/core/types.ts';

const nowMs = 1_000_000;
const policy: PoolPolicy = {
  minServers: 0,
  maxServers: 60,
  slotsPerServer: 4,
  targetWaitMs: 30_000,
  bootMs: 60_000,
  targetUtilisation: 1,
  maxStepUp: 60,
  scaleDownDelayMs: 120_000,
  idleToZeroMs: 600_000,
};

function fleet(ready: number, booting: number, bootingAgeMs: number): ServerView[] {
  return [
    ...Array.from({ length: ready }, (_, i) => ({
      id: `r${i}`,
      state: 'ready' as const,
      createdAtMs: nowMs - 600_000,
      activeJobs: 4,
    })),
    ...Array.from({ length: booting }, (_, i) => ({
      id: `b${i}`,
      state: 'booting' as const,
      createdAtMs: nowMs - bootingAgeMs,
      activeJobs: 0,
    })),
  ];
}

/** 12 jobs/s of 3 s (the steady trace): about 10 servers of steady term. */
function load(backlog: number, activeJobs: number, extra: Partial<PoolDemand['queues'][number]> = {}) {
  return {
    queues: [{ queue: 'q', backlog, arrivalPerSecond: 12, runtimeMs: 3_000, runtimeLearned: true, ...extra }],
    oldestWaitMs: 2_000,
    activeJobs,
  };
}

function input(demand: PoolDemand, servers: ServerView[]): DecisionInput {
  return { nowMs, policy, demand, servers, memory: initialMemory() };
}

describe('drain term, a boot ahead', () => {
  it('buys only for the backlog the booting servers will not have cleared when a new one is up', () => {
    // 600 queued jobs of 3 s: 15 servers of drain over a 30 s target. 9 servers booting for 50 s are up
    // in 10 s and work 50 s each before a server bought now could: 1800 slot-s, less the steady term's
    // claim beyond the 6 ready servers.
    const booting = decide(input(load(600, 24), fleet(6, 9, 50_000)));
    const justBought = decide(input(load(600, 24), fleet(6, 9, 0)));
    expect(justBought.desired).toBe(Math.ceil(justBought.terms.steady + justBought.terms.drain));
    expect(booting.desired).toBeLessThan(justBought.desired);
    expect(booting.desired).toBeGreaterThanOrEqual(15);
    expect(booting.reason).toMatch(/booting servers clear \d+ queued jobs before one bought now is up/);
    expect(justBought.reason).not.toMatch(/booting servers clear/);
  });

  it('never goes below the servers there: it stops buying, it does not shed', () => {
    const d = decide(input(load(300, 24), fleet(6, 14, 55_000)));
    expect(d.desired).toBe(20);
    expect(d.drain).toEqual([]);
  });

  it('counts a server booting past the planning boot as nothing, and ready servers only up to the claim', () => {
    const overdue = decide(input(load(600, 24), fleet(6, 9, 90_000)));
    const fresh = decide(input(load(600, 24), fleet(6, 9, 0)));
    expect(overdue.desired).toBe(fresh.desired);
    // 16 ready servers, 10 of steady term: the 6 spare are the steady term's headroom, not drain.
    const surplus = decide(input(load(100, 64), fleet(16, 0, 0)));
    expect(surplus.reason).not.toMatch(/booting servers clear/);
  });

  it('is off while herds arrive or the runtime is still the default guess', () => {
    const plain = decide(input(load(600, 24), fleet(6, 9, 50_000)));
    const herd = decide(input(load(600, 24, { herd: 40 }), fleet(6, 9, 50_000)));
    const guessed = decide(input(load(600, 24, { runtimeLearned: false }), fleet(6, 9, 50_000)));
    expect(herd.desired).toBeGreaterThan(plain.desired);
    expect(guessed.desired).toBeGreaterThan(plain.desired);
    expect(herd.reason).not.toMatch(/booting servers clear/);
  });
});

describe('noise queue around full load', () => {
  // 40 busy slots of 3 s jobs, 30 s target: starts and arrivals move a queue by about ±28 jobs per target.
  const noiseOf = (perSecond: number, backlog: number) =>
    decide(input(load(backlog, 40, { arrivalPerSecond: perSecond }), fleet(10, 0, 0)));

  it('takes the same queue for noise just below and just past the busy slots', () => {
    // 39.9 and 40.5 erlangs on 40 slots: the stationary M/M/c queue is ~400 below and 0 past them.
    const below = noiseOf(13.3, 50);
    const past = noiseOf(13.5, 50);
    expect(below.terms.drain).toBe(0);
    expect(past.terms.drain).toBe(0);
    expect(past.reason).toMatch(/the queue 40 busy slots form at this load: not drained/);
  });

  it('drains a queue that the load grows past the busy slots', () => {
    // 48 erlangs on 40 slots: the queue grows by 80 jobs a target, more than the spread of 69.
    expect(noiseOf(16, 50).terms.drain).toBeGreaterThan(0);
  });
});
