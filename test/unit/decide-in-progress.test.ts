import { describe, expect, it } from 'vitest';
import { poolPolicy } from '../../bench/lib/pool-policy.ts';
import { decide, initialMemory } from '../../src/core/decide.ts';
import { slotsForWait } from '../../src/core/erlang.ts';
import { queueDemand } from '../../src/core/estimators.ts';
import { inProgressAhead, offeredErlangs } from '../../src/core/in-progress.ts';
import type { DecisionInput, PoolDemand, QueueDemand } from '../../src/core/types.ts';

// The benchmark's pool: 4 slots, 60 s boots, 30 s target, up to 60 servers.
const policy = poolPolicy({ maxStepUp: 60 });

function long(over: Partial<QueueDemand>): PoolDemand {
  const q: QueueDemand = { queue: 'q', backlog: 0, arrivalPerSecond: 0.05, runtimeMs: 750_000, ...over };
  return { queues: [q], oldestWaitMs: 0, activeJobs: q.active ?? 0 };
}

function input(demand: PoolDemand): DecisionInput {
  return { nowMs: 1_000_000, policy, demand, servers: [], memory: initialMemory() };
}

describe('steady term for jobs far longer than a boot', () => {
  it('plans the jobs in progress a boot ahead, not Erlang C’s stationary headroom, and says so', () => {
    // 12.5-minute jobs at one per 20 s: 37.5 erlangs. Erlang C at 1 % wants 52 slots, 13 servers; 38 running
    // jobs a boot from now are 38.0 ± 2.4 (a boot's departures and arrivals), 43.5 slots → 11 servers.
    const stationary = Math.ceil(slotsForWait(37.5, 750_000, 30_000, 0.01) / 4 - 1e-9);
    expect(stationary).toBe(13);
    const d = decide(input(long({ active: 38 })));
    expect(d.desired).toBe(11);
    expect(d.reason).toContain(
      'steady 10.86 (jobs in progress in 60.0s: 38.0 ± 2.4, below the stationary 13.00)',
    );
    // With no running count for the queue there is nothing in progress to measure: Erlang C stands.
    expect(decide(input(long({}))).desired).toBe(stationary);
  });

  it('follows the running count, not a noisy rate: a rate 40 % high buys at most one more server', () => {
    // Three completions a minute: the runtime (and a 20 s rate) swing by tens of per cent.
    const calm = decide(input(long({ active: 38 }))).desired;
    const noisy = decide(input(long({ active: 38, arrivalPerSecond: 0.07, runtimeMs: 900_000 }))).desired;
    expect(noisy - calm).toBeLessThanOrEqual(1);
  });

  it('counts running jobs that outlast a boot as offered load when the rate times the runtime says less', () => {
    // After the first completions (the short jobs finish first) the estimates lag: 0.03/s × 350 s is
    // 10.5 erlangs while 24 jobs run; 24 × e^(−60/350) = 20.2 of them still run a boot from now.
    const lagging = long({ arrivalPerSecond: 0.03, runtimeMs: 350_000, active: 24 });
    const q = lagging.queues[0];
    if (q === undefined) throw new Error('no queue');
    expect(offeredErlangs(q, 0.03, 60_000)).toBeCloseTo(24 * Math.exp(-60 / 350), 6);
    const d = decide(input(lagging));
    // Erlang C on 10.5 erlangs alone would have said 5 servers (what planned too few before).
    expect(Math.ceil(slotsForWait(10.5, 350_000, 30_000, 0.01) / 4)).toBe(5);
    expect(d.desired).toBeGreaterThanOrEqual(Math.ceil((24 * Math.exp(-60 / 350)) / 4));
    expect(d.desired).toBe(7);
  });

  it('while none has finished yet, keeps every running job a boot from now', () => {
    // Jobs have run 226 s with none finished: the runtime is at least that, and nothing has left.
    const young = long({ runtimeMs: 226_000, runtimeLearned: false, runtimeAtLeastMs: 226_000, active: 17 });
    const q = young.queues[0];
    if (q === undefined) throw new Error('no queue');
    const ahead = inProgressAhead(q, 0.05, 60_000);
    expect(ahead.mean).toBeGreaterThan(17);
    expect(offeredErlangs(q, 0.05, 60_000)).toBe(17);
    expect(decide(input(young)).desired).toBe(6);
  });

  it('changes nothing for jobs far shorter than a boot: the running count’s swings stay out', () => {
    const short = (active: number): PoolDemand => ({
      queues: [{ queue: 'q', backlog: 0, arrivalPerSecond: 12, runtimeMs: 3_000, active }],
      oldestWaitMs: 0,
      activeJobs: active,
    });
    const expected = Math.ceil(slotsForWait(36, 3_000, 30_000, 0.01) / 4 - 1e-9);
    for (const active of [20, 36, 60]) expect(decide(input(short(active))).desired).toBe(expected);
  });

  it('carries each queue’s running count from the sample into the demand', () => {
    const sample = {
      queue: 'q',
      waiting: 0,
      prioritized: 0,
      dueDelayed: 0,
      active: 7,
      paused: false,
      oldestWaitMs: 0,
      addedTotal: 10,
      recentRuntimesMs: [],
    };
    expect(queueDemand(sample, undefined, 1_000).active).toBe(7);
  });
});
