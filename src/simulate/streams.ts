import { exponential, type Random, seeded } from './prng.ts';
import type { Trace, TraceJob } from './trace.ts';

export const minute = 60_000;
/** Quiet time after the last arrival, so every fleet's scale-down shows in its bill. */
const tailMs = 15 * minute;

/** Jobs per second at time t (ms). */
export type Rate = (t: number) => number;
export type Duration = (random: Random) => number;

/** Poisson arrivals of one queue with a time-varying rate. */
export interface Stream {
  queue: string;
  rate: Rate;
  peakRate: number;
  duration: Duration;
  priority?: (random: Random) => number | undefined;
  delayMs?: (random: Random) => number | undefined;
}

/** Many jobs added at the same instants: cron fan-outs, or scheduled jobs all due at one moment. */
export interface Herd {
  queue: string;
  /** When the producer adds each herd (ms). */
  addedAtMs: readonly number[];
  size: number;
  duration: Duration;
  /** When the herd's jobs become ready, if later than they are added (delayed jobs). */
  dueAtMs?: (addedAtMs: number) => number;
}

export const expDuration =
  (meanMs: number): Duration =>
  (random) =>
    exponential(random, meanMs);

export const uniformDuration =
  (minMs: number, maxMs: number): Duration =>
  (random) =>
    minMs + random() * (maxMs - minMs);

/** Non-homogeneous Poisson arrivals by thinning: exact for any rate shape, deterministic per seed. */
function arrivals(stream: Stream, spanMs: number, random: Random): TraceJob[] {
  const jobs: TraceJob[] = [];
  let t = 0;
  for (;;) {
    t += exponential(random, 1000 / stream.peakRate);
    if (t >= spanMs) return jobs;
    if (random() * stream.peakRate > stream.rate(t)) continue;
    const job: TraceJob = {
      t: Math.round(t),
      queue: stream.queue,
      durationMs: Math.round(stream.duration(random)),
    };
    const priority = stream.priority?.(random);
    const delayMs = stream.delayMs?.(random);
    if (priority !== undefined) job.priority = priority;
    if (delayMs !== undefined) job.delayMs = Math.round(delayMs);
    jobs.push(job);
  }
}

function herdJobs(herd: Herd, random: Random): TraceJob[] {
  return herd.addedAtMs.flatMap((t) =>
    Array.from({ length: herd.size }, () => {
      const job: TraceJob = { t, queue: herd.queue, durationMs: Math.round(herd.duration(random)) };
      const due = herd.dueAtMs?.(t);
      if (due !== undefined && due > t) job.delayMs = due - t;
      return job;
    }),
  );
}

export function build(
  name: string,
  spanMs: number,
  streams: Stream[],
  seed: number,
  herds: Herd[] = [],
): Trace {
  const random = seeded(seed);
  const jobs = [
    ...streams.flatMap((s) => arrivals(s, spanMs, random)),
    ...herds.flatMap((h) => herdJobs(h, random)),
  ].sort((a, b) => a.t - b.t);
  return { name, jobs, horizonMs: spanMs + tailMs };
}

export function single(
  queues: readonly string[],
  rate: Rate,
  peakRate: number,
  duration: Duration,
): Stream[] {
  return [{ queue: queues[0] ?? 'default', rate, peakRate, duration }];
}

/** Every `periodMs` from `fromMs` up to (not including) `untilMs`. */
export function every(periodMs: number, fromMs: number, untilMs: number): number[] {
  const times: number[] = [];
  for (let t = fromMs; t < untilMs; t += periodMs) times.push(t);
  return times;
}
