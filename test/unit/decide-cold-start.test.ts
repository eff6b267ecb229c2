import { describe, expect, it } from 'vitest';
import { poolPolicy } from '../../bench/lib/pool-policy.ts';
import { coldStart, guessedRuntimeMs } from '../../src/core/cold-start.ts';
import { decide, initialMemory } from '../../src/core/decide.ts';
import type { Decision, DecisionMemory, PoolDemand, ServerView } from '../../src/core/types.ts';

/** 4 slots, 30 s target, 60 s boots, a 120 s window, 10 servers a tick: the benchmark's pool. */
const policy = poolPolicy();

/** 60 jobs/s; the runtime is the 1 s default until `measuredMs` says otherwise. */
function demand(backlog: number, measuredMs?: number, activeJobs = 0): PoolDemand {
  return {
    queues: [
      {
        queue: 'q',
        backlog,
        arrivalPerSecond: 60,
        runtimeMs: measuredMs ?? 1_000,
        runtimeLearned: measuredMs !== undefined,
      },
    ],
    oldestWaitMs: (backlog / 60) * 1_000,
    activeJobs,
  };
}

/** `ready` servers running 4 jobs each, then `booting` ones created later (newest last). */
function fleet(ready: number, booting: number): ServerView[] {
  return [
    ...Array.from({ length: ready }, (_, i) => ({
      id: `r${i}`,
      state: 'ready' as const,
      createdAtMs: i,
      activeJobs: 4,
    })),
    ...Array.from({ length: booting }, (_, i) => ({
      id: `b${i}`,
      state: 'booting' as const,
      createdAtMs: 1_000 + i,
      activeJobs: 0,
    })),
  ];
}

/** The first minute of a never-measured queue: the fleet grows on the default runtime's guess. */
function coldMinute(): { memory: DecisionMemory; count: number } {
  let memory = initialMemory();
  let count = 0;
  for (let s = 1; s <= 55; s += 1) {
    const d = decide({ nowMs: s * 1_000, policy, demand: demand(60 * s), servers: fleet(0, count), memory });
    memory = d.memory;
    count = d.desired;
  }
  return { memory, count };
}

describe('decide: cold start', () => {
  it('buys on the default runtime while nothing is measured, and says it is the default', () => {
    const { count, memory } = coldMinute();
    expect(count).toBeGreaterThan(30);
    const d = decide({ nowMs: 56_000, policy, demand: demand(3_360), servers: fleet(0, count), memory });
    expect(d.reason).toMatch(/default runtime for q \(never seen\)/);
  });

  it('releases what the guess bought once a settled measurement refutes it, booting servers first', () => {
    const { count, memory } = coldMinute();
    // The first server is up and its 40 ms jobs finish: the first reading holds (it may be the
    // shortest jobs only) ...
    const first = decide({
      nowMs: 57_000,
      policy,
      demand: demand(3_300, 40, 4),
      servers: fleet(1, count - 1),
      memory,
    });
    expect(first.desired).toBe(count);
    // ... three default runtimes later the reading stands, and the guess's servers go.
    const d: Decision = decide({
      nowMs: 60_000,
      policy,
      demand: demand(2_900, 40, 12),
      servers: fleet(3, count - 3),
      memory: first.memory,
    });
    // Planted violation: before the rule the window (and the long wait) held all of them.
    expect(d.desired).toBeLessThanOrEqual(3);
    expect(d.drain.every((id) => id.startsWith('b'))).toBe(true);
    expect(d.drain).toHaveLength(count - 3);
    expect(d.reason).toMatch(/cold start over: runtime measured 40ms, under 25 % of the 1\.0s default/);
    // Later ticks do not bring the guess back.
    const next = decide({
      nowMs: 61_000,
      policy,
      demand: demand(2_800, 40, 12),
      servers: fleet(3, 0),
      memory: d.memory,
    });
    expect(next.desired).toBeLessThanOrEqual(3);
  });

  it('keeps the guess when the measurement is near it or above it: the window holds as before', () => {
    for (const measuredMs of [400, 3_000]) {
      const { count, memory } = coldMinute();
      let d = decide({
        nowMs: 57_000,
        policy,
        demand: demand(3_300, measuredMs, 4),
        servers: fleet(1, count - 1),
        memory,
      });
      d = decide({
        nowMs: 60_000,
        policy,
        demand: demand(3_400, measuredMs, 12),
        servers: fleet(3, count - 3),
        memory: d.memory,
      });
      expect(d.desired).toBeGreaterThanOrEqual(count);
      expect(d.reason).not.toMatch(/cold start over/);
    }
  });

  it('is cold only while every queue with demand is unmeasured, and sizes the guess by those queues', () => {
    const idleMeasured = {
      queue: 'old',
      backlog: 0,
      arrivalPerSecond: 0,
      runtimeMs: 300_000,
      runtimeLearned: true,
    };
    const fresh = demand(100);
    const pool = { ...fresh, queues: [...fresh.queues, idleMeasured] };
    expect(coldStart(pool)).toBe(true);
    expect(guessedRuntimeMs(pool)).toBe(1_000);
    const busyMeasured = { ...idleMeasured, backlog: 5 };
    expect(coldStart({ ...fresh, queues: [...fresh.queues, busyMeasured] })).toBe(false);
    // Jobs running past the default are a measurement (at least that long): long jobs are not cold.
    const running = { ...fresh, queues: fresh.queues.map((q) => ({ ...q, runtimeAtLeastMs: 5_000 })) };
    expect(coldStart(running)).toBe(false);
  });
});
