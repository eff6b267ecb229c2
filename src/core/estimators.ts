import type { PoolDemand, QueueDemand, QueueSample } from './types.ts';

/**
 * Arrival rates forget with this time constant: long enough that Poisson jitter does not buy servers
 * the scale-down window then holds (20 s cost 3 % more server time on steady load), short enough to
 * follow a ramp (the drain term covers what the lag misses).
 */
export const arrivalTimeConstantMs = 40_000;
/**
 * A tick that adds more jobs than the current rate could plausibly produce (Poisson: the expected
 * count plus this many standard deviations, plus `herdSlackJobs`) is a herd — a cron fan-out, a batch
 * import, thousands of scheduled jobs falling due at once. Only the plausible part enters the rate;
 * the rest is backlog, which the drain term already serves. Read as a rate, 40 jobs added at once
 * bought 44 servers for 3 (the rate times the runtime is a steady state that never comes).
 */
const herdSigmas = 4;
const herdSlackJobs = 4;
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
  /** Delayed jobs not yet due at the last sample, to count arrivals when they become ready. */
  lastFutureDelayed?: number | undefined;
  /** Jobs of the last sample's herd, left out of the rate (see herdSigmas). */
  herd?: number;
  /** Since when jobs have been running with none of this queue ever finished; undefined otherwise. */
  runningSinceMs?: number | undefined;
}

export function updateEstimate(
  previous: QueueEstimate | undefined,
  sample: QueueSample,
  nowMs: number,
): QueueEstimate {
  const runtime = {
    ...nextRuntime(previous, sample, nowMs),
    runningSinceMs: runningSince(previous, sample, nowMs),
  };
  const futureDelayed = futureDelayedOf(sample);
  if (previous === undefined) {
    return {
      ...runtime,
      arrivalPerSecond: undefined,
      arrivalTrendPerSecond2: 0,
      lastAddedTotal: sample.addedTotal,
      lastAtMs: nowMs,
      lastFutureDelayed: futureDelayed,
    };
  }
  const dtMs = nowMs - previous.lastAtMs;
  if (dtMs <= 0) return { ...previous, ...runtime };
  const added = readyArrivals(previous, sample, futureDelayed);
  const before = previous.arrivalPerSecond ?? 0;
  const expected = (before * dtMs) / 1000;
  const counted = Math.min(added, expected + herdSigmas * Math.sqrt(expected) + herdSlackJobs);
  // Jobs of minutes arrive too rarely for a 40 s average to be more than noise: smooth over a runtime.
  const timeConstantMs = Math.max(arrivalTimeConstantMs, runtime.runtimeMs ?? 0);
  const arrivalPerSecond = before + smoothing(dtMs, timeConstantMs) * ((counted * 1000) / dtMs - before);
  const arrivalTrendPerSecond2 = nextTrend(previous, arrivalPerSecond, dtMs);
  return {
    ...runtime,
    arrivalPerSecond,
    arrivalTrendPerSecond2,
    lastArrivalAtMs: added > 0 ? nowMs : previous.lastArrivalAtMs,
    lastAddedTotal: sample.addedTotal,
    lastAtMs: nowMs,
    lastFutureDelayed: futureDelayed,
    herd: added - counted,
  };
}

/**
 * While no job of a queue has ever finished, the first ones started are still running: the runtime
 * is at least that long. Planned with the 1 s default instead, 5–20 minute jobs got one server for
 * their first minutes while a queue built behind them.
 */
function runningSince(
  previous: QueueEstimate | undefined,
  sample: QueueSample,
  nowMs: number,
): number | undefined {
  const neverFinished =
    (previous?.runtimeMs ?? undefined) === undefined && sample.recentRuntimesMs.length === 0;
  return neverFinished && sample.active > 0 ? (previous?.runningSinceMs ?? nowMs) : undefined;
}

function futureDelayedOf(sample: QueueSample): number | undefined {
  return sample.delayedTotal === undefined ? undefined : Math.max(0, sample.delayedTotal - sample.dueDelayed);
}

/**
 * Jobs that became ready since the previous sample: jobs added, less those added to wait in the
 * delayed set, plus delayed ones that fell due. Counting a delayed job when it was added bought
 * servers an hour before 8000 scheduled newsletters were due. A counter that went backwards means the
 * queue was obliterated: counting starts afresh.
 */
function readyArrivals(
  previous: QueueEstimate,
  sample: QueueSample,
  futureDelayed: number | undefined,
): number {
  const added = Math.max(0, sample.addedTotal - previous.lastAddedTotal);
  if (futureDelayed === undefined || previous.lastFutureDelayed === undefined) return added;
  return Math.max(0, added - (futureDelayed - previous.lastFutureDelayed));
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

/** `learnedRuntimeMs`: what an earlier run measured; the default is for a queue never seen at all. */
export function queueDemand(
  sample: QueueSample,
  estimate: QueueEstimate | undefined,
  defaultRuntimeMs: number,
  learnedRuntimeMs?: number,
): QueueDemand {
  const runtimeMs = estimate?.runtimeMs ?? learnedRuntimeMs;
  const runningForMs =
    runtimeMs === undefined && estimate?.runningSinceMs !== undefined
      ? estimate.lastAtMs - estimate.runningSinceMs
      : 0;
  return {
    queue: sample.queue,
    backlog: sample.paused ? 0 : sample.waiting + sample.prioritized + sample.dueDelayed,
    active: sample.active,
    arrivalPerSecond: sample.paused ? 0 : (estimate?.arrivalPerSecond ?? 0),
    runtimeMs: runtimeMs ?? Math.max(defaultRuntimeMs, runningForMs),
    runtimeLearned: runtimeMs !== undefined,
    ...(runtimeMs === undefined && runningForMs > defaultRuntimeMs ? { runtimeAtLeastMs: runningForMs } : {}),
    arrivalTrendPerSecond2: sample.paused ? 0 : (estimate?.arrivalTrendPerSecond2 ?? 0),
    upcoming: sample.paused ? 0 : (sample.upcomingDelayed ?? 0),
    herd: sample.paused ? 0 : (estimate?.herd ?? 0),
  };
}

export function poolDemand(
  samples: QueueSample[],
  estimates: ReadonlyMap<string, QueueEstimate>,
  defaultRuntimeMs: number,
  learnedRuntimesMs: ReadonlyMap<string, number> = new Map(),
): PoolDemand {
  const unpaused = samples.filter((s) => !s.paused);
  return {
    queues: samples.map((s) =>
      queueDemand(s, estimates.get(s.queue), defaultRuntimeMs, learnedRuntimesMs.get(s.queue)),
    ),
    oldestWaitMs: Math.max(0, ...unpaused.map((s) => s.oldestWaitMs)),
    activeJobs: samples.reduce((sum, s) => sum + s.active, 0),
    lastArrivalAtMs: latest(samples.map((s) => estimates.get(s.queue)?.lastArrivalAtMs)),
  };
}

function latest(times: (number | undefined)[]): number | undefined {
  const known = times.filter((t): t is number => t !== undefined);
  return known.length === 0 ? undefined : Math.max(...known);
}
