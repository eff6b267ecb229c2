import { exponential, logNormal, type Random, seeded } from './prng.ts';
import type { Trace, TraceJob } from './trace.ts';

const minute = 60_000;
/** Quiet time after the last arrival, so every fleet's scale-down shows in its bill. */
const tailMs = 15 * minute;

/** Jobs per second at time t (ms). */
type Rate = (t: number) => number;
type Duration = (random: Random) => number;

interface Stream {
  queue: string;
  rate: Rate;
  peakRate: number;
  duration: Duration;
  priority?: (random: Random) => number | undefined;
  delayMs?: (random: Random) => number | undefined;
}

const expDuration =
  (meanMs: number): Duration =>
  (random) =>
    exponential(random, meanMs);

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

function build(name: string, spanMs: number, streams: Stream[], seed: number): Trace {
  const random = seeded(seed);
  const jobs = streams.flatMap((s) => arrivals(s, spanMs, random)).sort((a, b) => a.t - b.t);
  return { name, jobs, horizonMs: spanMs + tailMs };
}

function single(queues: readonly string[], rate: Rate, peakRate: number, duration: Duration): Stream[] {
  return [{ queue: queues[0] ?? 'default', rate, peakRate, duration }];
}

const generators = {
  /** Constant Poisson load: the case every scaler should get right. */
  steady: (q) =>
    build(
      'steady',
      60 * minute,
      single(q, () => 12, 12, expDuration(3_000)),
      1,
    ),
  /** A compressed day: two one-hour cycles from 2 to 22 jobs/s. */
  diurnal: (q) =>
    build(
      'diurnal',
      120 * minute,
      single(q, (t) => 2 + 10 * (1 - Math.cos((2 * Math.PI * t) / (60 * minute))), 22, expDuration(3_000)),
      2,
    ),
  /** A step from 4 to 40 jobs/s for five minutes: faster than any server boots. */
  spike: (q) =>
    build(
      'spike',
      45 * minute,
      single(q, (t) => (t >= 20 * minute && t < 25 * minute ? 40 : 4), 40, expDuration(3_000)),
      3,
    ),
  /** Linear ramps from 2 to 20 jobs/s over 15 minutes, then a sudden drop, four times. */
  sawtooth: (q) =>
    build(
      'sawtooth',
      60 * minute,
      single(q, (t) => 2 + (18 * (t % (15 * minute))) / (15 * minute), 20, expDuration(3_000)),
      4,
    ),
  /** On/off bursts: three minutes at 25 jobs/s, five nearly idle. */
  bursty: (q) =>
    build(
      'bursty',
      64 * minute,
      single(q, (t) => (t % (8 * minute) < 3 * minute ? 25 : 0.2), 25, expDuration(3_000)),
      5,
    ),
  /** Steady arrivals with log-normal durations: most jobs short, a few a hundred times longer. */
  'heavy-tailed': (q) =>
    build(
      'heavy-tailed',
      60 * minute,
      single(
        q,
        () => 8,
        8,
        (r) => logNormal(r, 4_000, 1.3),
      ),
      6,
    ),
  /** Several queues on one pool: fast jobs, slow jobs, prioritized jobs and delayed jobs. */
  'multi-queue': (q) => build('multi-queue', 60 * minute, mixStreams(q), 7),
} satisfies Record<string, (queues: readonly string[]) => Trace>;

function mixStreams(queues: readonly string[]): Stream[] {
  const name = (i: number) => queues[i % Math.max(1, queues.length)] ?? 'default';
  const wave = (t: number) => 6 + 4 * Math.sin((2 * Math.PI * t) / (20 * minute));
  return [
    { queue: name(0), rate: wave, peakRate: 10, duration: expDuration(800) },
    { queue: name(1), rate: () => 0.4, peakRate: 0.4, duration: (r) => logNormal(r, 25_000, 0.5) },
    {
      queue: name(2),
      rate: () => 2,
      peakRate: 2,
      duration: expDuration(2_000),
      priority: (r) => 1 + Math.floor(r() * 3),
    },
    {
      queue: name(3),
      rate: () => 2,
      peakRate: 2,
      duration: expDuration(2_000),
      delayMs: (r) => r() * 60_000,
    },
  ];
}

export type GeneratorName = keyof typeof generators;
export const generatorNames = Object.keys(generators) as GeneratorName[];

export function isGeneratorName(name: string): name is GeneratorName {
  return Object.hasOwn(generators, name);
}

/** A deterministic trace of the named shape, spread over the given queues (the pool's). */
export function generate(name: GeneratorName, queues: readonly string[]): Trace {
  return generators[name](queues);
}
