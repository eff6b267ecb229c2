import type { PoolDemand, QueueDemand, QueueSample } from './types.ts';

/**
 * Arrival rates forget with this time constant: long enough that Poisson jitter does not buy servers
 * the scale-down window then holds (20 s cost 3 % more server time on steady load), short enough to
 * follow a ramp (the drain term covers what the lag misses).
 */
export const arrivalTimeConstantMs = 40_000;
/** The trend is the slope of the smoothed rate, smoothed again over a longer span so noise cancels. */
const trendTimeConstantMs = 60_000;
/**
 * Runtimes are averaged over completions of about the last minute, weighted by time rather than by
 * job: a busy queue then averages hundreds of jobs (a per-job weight made the fleet swing with every
 * few long jobs), a quiet one still follows its latest jobs.
 */
const runtimeTimeConstantMs = 60_000;

/** Per-queue smoothed state: a handful of numbers, whatever the traffic. */
export interface QueueEstimate {
  runtimeMs: number | undefined;
  /** Decayed sum of recent runtimes and decayed count of them: runtimeMs is their ratio. */
  runtimeSumMs: number;
  runtimeCount: number;
  arrivalPerSecond: number | undefined;
  /** Change of the smoothed arrival rate per second; 0 until two rates were seen. */
  arrivalTrendPerSecond2: number;
  lastAddedTotal: number;
  lastAtMs: number;
  /** When a job was last added; undefined until one is seen. */
  lastArrivalAtMs?: number | undefined;
}

export function updateEstimate(
  previous: QueueEstimate | undefined,
  sample: QueueSample,
  nowMs: number,
): QueueEstimate {
  const runtime = nextRuntime(previous, sample, nowMs);
  if (previous === undefined) {
    return {
      ...runtime,
      arrivalPerSecond: undefined,
      arrivalTrendPerSecond2: 0,
      lastAddedTotal: sample.addedTotal,
      lastAtMs: nowMs,
    };
  }
  const dtMs = nowMs - previous.lastAtMs;
  if (dtMs <= 0) return { ...previous, ...runtime };
  // A counter that went backwards means the queue was obliterated: start counting afresh.
  const added = Math.max(0, sample.addedTotal - previous.lastAddedTotal);
  const rate = (added * 1000) / dtMs;
  const arrivalPerSecond =
    previous.arrivalPerSecond === undefined
      ? rate
      : previous.arrivalPerSecond +
        smoothing(dtMs, arrivalTimeConstantMs) * (rate - previous.arrivalPerSecond);
  const arrivalTrendPerSecond2 = nextTrend(previous, arrivalPerSecond, dtMs);
  return {
    ...runtime,
    arrivalPerSecond,
    arrivalTrendPerSecond2,
    lastArrivalAtMs: added > 0 ? nowMs : previous.lastArrivalAtMs,
    lastAddedTotal: sample.addedTotal,
    lastAtMs: nowMs,
  };
}

function nextRuntime(previous: QueueEstimate | undefined, sample: QueueSample, nowMs: number) {
  const keep =
    previous === undefined ? 0 : 1 - smoothing(Math.max(0, nowMs - previous.lastAtMs), runtimeTimeConstantMs);
  const runtimeSumMs =
    (previous?.runtimeSumMs ?? 0) * keep + sample.recentRuntimesMs.reduce((a, b) => a + b, 0);
  const runtimeCount = (previous?.runtimeCount ?? 0) * keep + sample.recentRuntimesMs.length;
  const runtimeMs = runtimeCount > 0 ? runtimeSumMs / runtimeCount : previous?.runtimeMs;
  return { runtimeMs, runtimeSumMs, runtimeCount };
}

function smoothing(dtMs: number, timeConstantMs: number): number {
  return 1 - Math.exp(-dtMs / timeConstantMs);
}

function nextTrend(previous: QueueEstimate, arrivalPerSecond: number, dtMs: number): number {
  if (previous.arrivalPerSecond === undefined) return previous.arrivalTrendPerSecond2;
  const slope = ((arrivalPerSecond - previous.arrivalPerSecond) * 1000) / dtMs;
  const weight = smoothing(dtMs, trendTimeConstantMs);
  return previous.arrivalTrendPerSecond2 + weight * (slope - previous.arrivalTrendPerSecond2);
}

export function queueDemand(
  sample: QueueSample,
  estimate: QueueEstimate | undefined,
  defaultRuntimeMs: number,
): QueueDemand {
  return {
    queue: sample.queue,
    backlog: sample.paused ? 0 : sample.waiting + sample.prioritized + sample.dueDelayed,
    arrivalPerSecond: sample.paused ? 0 : (estimate?.arrivalPerSecond ?? 0),
    runtimeMs: estimate?.runtimeMs ?? defaultRuntimeMs,
    arrivalTrendPerSecond2: sample.paused ? 0 : (estimate?.arrivalTrendPerSecond2 ?? 0),
  };
}

export function poolDemand(
  samples: QueueSample[],
  estimates: ReadonlyMap<string, QueueEstimate>,
  defaultRuntimeMs: number,
): PoolDemand {
  const unpaused = samples.filter((s) => !s.paused);
  return {
    queues: samples.map((s) => queueDemand(s, estimates.get(s.queue), defaultRuntimeMs)),
    oldestWaitMs: Math.max(0, ...unpaused.map((s) => s.oldestWaitMs)),
    activeJobs: samples.reduce((sum, s) => sum + s.active, 0),
    lastArrivalAtMs: latest(samples.map((s) => estimates.get(s.queue)?.lastArrivalAtMs)),
  };
}

function latest(times: (number | undefined)[]): number | undefined {
  const known = times.filter((t): t is number => t !== undefined);
  return known.length === 0 ? undefined : Math.max(...known);
}
