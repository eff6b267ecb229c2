import { logNormal } from './prng.ts';
import { build, every, expDuration, minute, type Stream, single, uniformDuration } from './streams.ts';
import type { Trace } from './trace.ts';

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
  /**
   * A 90 s burst of 30 jobs/s every 6 minutes over a trickle: the gaps outlast a 2-minute scale-down
   * window, and a 60 s boot lasts nearly as long as a burst.
   */
  'recurring-bursts': (q) =>
    build(
      'recurring-bursts',
      120 * minute,
      single(q, (t) => (t % (6 * minute) < 1.5 * minute ? 30 : 0.5), 30, expDuration(3_000)),
      8,
    ),
  /** Jobs of 5–20 minutes, about one every 20 s: a noisy rate times a long runtime. */
  'long-jobs': (q) =>
    build(
      'long-jobs',
      180 * minute,
      single(q, () => 0.05, 0.05, uniformDuration(5 * minute, 20 * minute)),
      9,
    ),
  /**
   * Newsletters: 8000 jobs scheduled at minute 5 for minute 60, 4000 at minute 30 for minute 90, over
   * steady traffic. The future is in BullMQ's delayed set all along.
   */
  'scheduled-delayed': (q) =>
    build(
      'scheduled-delayed',
      120 * minute,
      single(q, () => 2, 2, expDuration(1_000)),
      10,
      [
        {
          queue: name(q, 1),
          addedAtMs: [5 * minute],
          size: 8_000,
          duration: expDuration(600),
          dueAtMs: () => 60 * minute,
        },
        {
          queue: name(q, 1),
          addedAtMs: [30 * minute],
          size: 4_000,
          duration: expDuration(600),
          dueAtMs: () => 90 * minute,
        },
      ],
    ),
  /** Cron fan-outs: 600 jobs at once every 10 minutes and 150 longer ones at every 5th, over 1 job/s. */
  'cron-herds': (q) =>
    build(
      'cron-herds',
      90 * minute,
      single(q, () => 1, 1, expDuration(2_000)),
      11,
      [
        {
          queue: name(q, 0),
          addedAtMs: every(10 * minute, 2 * minute, 90 * minute),
          size: 600,
          duration: expDuration(2_000),
        },
        {
          queue: name(q, 2),
          addedAtMs: every(10 * minute, 7 * minute, 90 * minute),
          size: 150,
          duration: expDuration(8_000),
        },
      ],
    ),
  /** 60 jobs/s of 40 ms: a cold start on the 1 s default runtime would buy 25 times the servers needed. */
  'tiny-fast': (q) =>
    build(
      'tiny-fast',
      30 * minute,
      single(q, () => 60, 60, expDuration(40)),
      12,
    ),
  /** One compressed day (2 → 14 jobs/s) with a flash sale at minute 70: 45 jobs/s within 30 s, for 8 minutes. */
  'flash-sale': (q) => build('flash-sale', 120 * minute, single(q, flashSale, 52, expDuration(2_000)), 13),
  /** One queue, three priorities: interactive, normal and batch jobs in the prioritized set. */
  'priorities-mixed': (q) => build('priorities-mixed', 60 * minute, prioritiesOnOneQueue(q), 14),
} satisfies Record<string, (queues: readonly string[]) => Trace>;

function name(queues: readonly string[], i: number): string {
  return queues[i % Math.max(1, queues.length)] ?? 'default';
}

function flashSale(t: number): number {
  const day = 2 + 6 * (1 - Math.cos((2 * Math.PI * t) / (120 * minute)));
  const into = t - 70 * minute;
  if (into < 0 || into >= 13 * minute) return day;
  const sale =
    into < 30_000
      ? (45 * into) / 30_000
      : into < 8 * minute
        ? 45
        : 45 * (1 - (into - 8 * minute) / (5 * minute));
  return day + sale;
}

function prioritiesOnOneQueue(queues: readonly string[]): Stream[] {
  const queue = name(queues, 0);
  const wave = (t: number) => 2 + 1.5 * Math.sin((2 * Math.PI * t) / (15 * minute));
  return [
    { queue, rate: () => 4, peakRate: 4, duration: expDuration(500), priority: () => 1 },
    { queue, rate: wave, peakRate: 3.5, duration: expDuration(3_000), priority: () => 5 },
    { queue, rate: () => 0.3, peakRate: 0.3, duration: (r) => logNormal(r, 30_000, 0.6), priority: () => 20 },
  ];
}

function mixStreams(queues: readonly string[]): Stream[] {
  const queueName = (i: number) => name(queues, i);
  const wave = (t: number) => 6 + 4 * Math.sin((2 * Math.PI * t) / (20 * minute));
  return [
    { queue: queueName(0), rate: wave, peakRate: 10, duration: expDuration(800) },
    { queue: queueName(1), rate: () => 0.4, peakRate: 0.4, duration: (r) => logNormal(r, 25_000, 0.5) },
    {
      queue: queueName(2),
      rate: () => 2,
      peakRate: 2,
      duration: expDuration(2_000),
      priority: (r) => 1 + Math.floor(r() * 3),
    },
    {
      queue: queueName(3),
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
