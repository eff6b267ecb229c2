import { describe, expect, it } from 'vitest';
import { bootEstimateMs, initialBootEstimate, updateBootEstimate } from '../../src/core/boot-estimate.ts';
import { erlangC, slotsForWait, waitExceedsProbability } from '../../src/core/erlang.ts';
import { type QueueEstimate, queueDemand, updateEstimate } from '../../src/core/estimators.ts';
import type { QueueSample } from '../../src/core/types.ts';

function sample(addedTotal: number, recentRuntimesMs: number[] = []): QueueSample {
  const base = {
    queue: 'q',
    waiting: 0,
    prioritized: 0,
    dueDelayed: 0,
    active: 0,
    paused: false,
    oldestWaitMs: 0,
  };
  return { ...base, addedTotal, recentRuntimesMs };
}

function feed(samples: { atMs: number; s: QueueSample }[]): QueueEstimate | undefined {
  let e: QueueEstimate | undefined;
  for (const { atMs, s } of samples) e = updateEstimate(e, s, atMs);
  return e;
}

describe('queue estimators', () => {
  it('learns the arrival rate from the job counter', () => {
    const ticks = Array.from({ length: 600 }, (_, i) => ({ atMs: i * 1_000, s: sample(i * 5) }));
    expect(feed(ticks)?.arrivalPerSecond).toBeCloseTo(5, 4);
  });

  it('restarts counting when the counter goes backwards (queue obliterated)', () => {
    const e = feed([
      { atMs: 0, s: sample(1_000) },
      { atMs: 1_000, s: sample(1_004) },
      { atMs: 2_000, s: sample(3) },
    ]);
    expect(e?.lastAddedTotal).toBe(3);
    expect(e?.arrivalPerSecond ?? -1).toBeGreaterThanOrEqual(0);
  });

  it('averages runtimes over time, so one long job barely moves a busy queue', () => {
    const busy = Array.from({ length: 120 }, (_, i) => ({
      atMs: i * 1_000,
      s: sample(0, Array(10).fill(1_000)),
    }));
    const e = feed([...busy, { atMs: 120_000, s: sample(0, [60_000]) }]);
    expect(e?.runtimeMs).toBeGreaterThan(1_000);
    // A per-job weight of 0.1 would have jumped to 6.9 s.
    expect(e?.runtimeMs).toBeLessThan(1_200);
  });

  it('follows a change of runtime within a few time constants', () => {
    const before = Array.from({ length: 60 }, (_, i) => ({ atMs: i * 1_000, s: sample(0, [1_000]) }));
    const after = Array.from({ length: 300 }, (_, i) => ({ atMs: (60 + i) * 1_000, s: sample(0, [4_000]) }));
    // Five time constants leave 3 000 ms × e⁻⁵ ≈ 20 ms of the old runtime.
    const runtimeMs = feed([...before, ...after])?.runtimeMs ?? 0;
    expect(runtimeMs).toBeGreaterThan(3_950);
    expect(runtimeMs).toBeLessThanOrEqual(4_000);
  });

  it('counts a delayed job when it falls due, not when it is added', () => {
    const withDelayed = (addedTotal: number, delayedTotal: number, dueDelayed = 0) => ({
      ...sample(addedTotal),
      delayedTotal,
      dueDelayed,
    });
    // 8000 newsletters scheduled for later: added, but not arrivals.
    const scheduled = feed([
      { atMs: 0, s: withDelayed(0, 0) },
      { atMs: 1_000, s: withDelayed(8_000, 8_000) },
    ]);
    expect(scheduled?.arrivalPerSecond).toBe(0);
    expect(scheduled?.lastArrivalAtMs).toBeUndefined();
    // Ten of them fall due (still in the delayed set until promoted): ten arrivals.
    const due = updateEstimate(scheduled, withDelayed(8_000, 8_000, 10), 2_000);
    expect(due.arrivalPerSecond).toBeGreaterThan(0);
    expect(due.lastArrivalAtMs).toBe(2_000);
  });

  it('keeps a herd out of the rate: 40 jobs added at once are backlog, not 40 jobs a second', () => {
    const quiet = Array.from({ length: 60 }, (_, i) => ({ atMs: i * 1_000, s: sample(i) }));
    const e = feed([...quiet, { atMs: 60_000, s: sample(59 + 40) }]);
    expect(e?.herd).toBeGreaterThan(30);
    // Read as a rate the herd would have lifted it by 40 × (1 − e^(−1/40)) ≈ 1 job/s.
    expect(e?.arrivalPerSecond).toBeLessThan(1.3);
  });

  it('smooths the arrival rate over at least a runtime: jobs of minutes are not a noisy rate', () => {
    const long = (i: number) => sample(Math.floor(i / 20), i % 20 === 0 ? [750_000] : []);
    const ticks = Array.from({ length: 4_000 }, (_, i) => ({ atMs: i * 1_000, s: long(i) }));
    let e: QueueEstimate | undefined;
    let lowest = Number.POSITIVE_INFINITY;
    let highest = 0;
    for (const { atMs, s } of ticks) {
      e = updateEstimate(e, s, atMs);
      if (atMs >= 3_000_000) {
        lowest = Math.min(lowest, e.arrivalPerSecond ?? 0);
        highest = Math.max(highest, e.arrivalPerSecond ?? 0);
      }
    }
    // One job per 20 s: over a 750 s time constant the rate stays within a few per cent of 0.05.
    expect(lowest).toBeGreaterThan(0.045);
    expect(highest).toBeLessThan(0.055);
  });

  it('while no job ever finished, plans with at least how long the first ones have run', () => {
    const running = (atMs: number, recentRuntimesMs: number[] = []) => ({
      atMs,
      s: { ...sample(10, recentRuntimesMs), active: 4, waiting: 6 },
    });
    const e = feed([running(0), running(60_000), running(240_000)]);
    const d = queueDemand({ ...sample(10), active: 4 }, e, 1_000);
    expect(d).toMatchObject({ runtimeMs: 240_000, runtimeLearned: false, runtimeAtLeastMs: 240_000 });
    // Once one finishes, the measured runtime takes over.
    const done = updateEstimate(e, { ...sample(10, [300_000]), active: 4 }, 300_000);
    expect(queueDemand(sample(10), done, 1_000)).toMatchObject({ runtimeMs: 300_000, runtimeLearned: true });
    expect(queueDemand(sample(10), done, 1_000).runtimeAtLeastMs).toBeUndefined();
  });

  it('sees a rising arrival rate as a positive trend and a flat one as none', () => {
    const ramp = Array.from({ length: 400 }, (_, i) => ({ atMs: i * 1_000, s: sample((i * i) / 20) }));
    // added(t) = t²/20 per s → rate t/10 → slope 0.1 jobs/s².
    expect(feed(ramp)?.arrivalTrendPerSecond2).toBeCloseTo(0.1, 2);
    const flat = Array.from({ length: 600 }, (_, i) => ({ atMs: i * 1_000, s: sample(i * 3) }));
    expect(feed(flat)?.arrivalTrendPerSecond2).toBeCloseTo(0, 4);
  });
});

describe('boot estimator', () => {
  it('uses the configured boot time until three boots were seen, then their p90', () => {
    let e = initialBootEstimate();
    e = updateBootEstimate(updateBootEstimate(e, 30_000), 40_000);
    expect(bootEstimateMs(e, 60_000)).toBe(60_000);
    e = updateBootEstimate(e, 50_000);
    expect(bootEstimateMs(e, 60_000)).toBe(50_000);
  });

  it('keeps only the last 20 boots and ignores nonsense', () => {
    let e = initialBootEstimate();
    for (let i = 0; i < 25; i += 1) e = updateBootEstimate(e, 100_000);
    for (let i = 0; i < 20; i += 1) e = updateBootEstimate(e, 20_000);
    e = updateBootEstimate(updateBootEstimate(e, Number.NaN), -5);
    expect(e.observedMs).toHaveLength(20);
    expect(bootEstimateMs(e, 60_000)).toBe(20_000);
  });
});

describe('Erlang C', () => {
  it('matches the closed forms of small queues', () => {
    // M/M/1: a job waits with probability ρ; M/M/2 with one erlang: 1/3.
    expect(erlangC(1, 0.5)).toBeCloseTo(0.5, 12);
    expect(erlangC(2, 1)).toBeCloseTo(1 / 3, 12);
    expect(erlangC(3, 3)).toBe(1);
    expect(erlangC(3, 0)).toBe(0);
  });

  it('finds the fewest slots that keep the risk of a long wait under the limit', () => {
    const slots = slotsForWait(9, 60_000, 10_000, 0.01);
    expect(waitExceedsProbability(slots, 9, 60_000, 10_000)).toBeLessThanOrEqual(0.01);
    expect(waitExceedsProbability(slots - 1, 9, 60_000, 10_000)).toBeGreaterThan(0.01);
  });
});
