import type { PoolDemand, QueueDemand, QueueSample } from './types.ts';

/** Arrival rates forget with this time constant: long enough to ignore jitter, short enough to follow a ramp. */
const arrivalTimeConstantMs = 20_000;
/** Weight of one completed job in the runtime average. */
const runtimeAlpha = 0.1;

/** Per-queue smoothed state: a handful of numbers, whatever the traffic. */
export interface QueueEstimate {
  runtimeMs: number | undefined;
  arrivalPerSecond: number | undefined;
  lastAddedTotal: number;
  lastAtMs: number;
}

export function updateEstimate(
  previous: QueueEstimate | undefined,
  sample: QueueSample,
  nowMs: number,
): QueueEstimate {
  let runtimeMs = previous?.runtimeMs;
  for (const r of sample.recentRuntimesMs) {
    runtimeMs = runtimeMs === undefined ? r : runtimeMs + runtimeAlpha * (r - runtimeMs);
  }
  if (previous === undefined) {
    return { runtimeMs, arrivalPerSecond: undefined, lastAddedTotal: sample.addedTotal, lastAtMs: nowMs };
  }
  const dtMs = nowMs - previous.lastAtMs;
  if (dtMs <= 0) return { ...previous, runtimeMs };
  // A counter that went backwards means the queue was obliterated: start counting afresh.
  const added = Math.max(0, sample.addedTotal - previous.lastAddedTotal);
  const rate = (added * 1000) / dtMs;
  const weight = 1 - Math.exp(-dtMs / arrivalTimeConstantMs);
  const arrivalPerSecond =
    previous.arrivalPerSecond === undefined
      ? rate
      : previous.arrivalPerSecond + weight * (rate - previous.arrivalPerSecond);
  return { runtimeMs, arrivalPerSecond, lastAddedTotal: sample.addedTotal, lastAtMs: nowMs };
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
  };
}
