import type { PoolDemand, QueueDemand, WindowEntry } from './types.ts';

/**
 * Cold start: the first-ever demand of a pool, before any of its runtimes is measured. Every count the
 * policy computes then rests on the configured default runtime, a user's guess, and nothing else is
 * known until a server is up. The guess is bought: a probe of one server until the first completion
 * held the bulk back a boot, and with most jobs longer than the 1 s default that cost steady with
 * 180 s boots 2–5 points of share and recurring bursts 12 (22–24 with 180 s boots). But what was
 * bought on it is not held by the scale-down window once a measurement refutes it: on 40 ms jobs the
 * 1 s default bought 38 servers for a need of 1, and the window billed them for two more minutes
 * (tiny-fast 1.75 server-h; released at the first settled reading, 1.00).
 */

/**
 * The first completions are the shortest jobs (a 3 s job cannot finish in a server's first second):
 * a fresh average runs low. Read at the first completions, it cancelled 7 booting servers on the spike
 * trace that were bought again a second later. So a guess is refuted only after this many guessed
 * runtimes (by then jobs as long as the guess have finished: for exponential ones a reading is at
 * least ~0.8 of the truth if the guess was right) and only by a reading below `refuteShare` of it.
 * Priorities bias the first reading too: at a half, priorities-mixed's interactive 0.5 s jobs, run
 * first, refuted the 1 s guess and 4 servers were bought back within a minute (99.78 → 99.77 %).
 * A guess too high by less than that keeps today's behaviour: the window holds it.
 */
const settleRuntimes = 3;
export const refuteShare = 0.25;

/** A queue with work to plan for: something queued, arriving or due soon. */
function hasDemand(q: QueueDemand): boolean {
  return q.backlog > 0 || q.arrivalPerSecond > 0 || (q.upcoming ?? 0) > 0;
}

/** Nothing of this queue's runtime is known: no job finished, and none has run past the default. */
function unmeasured(q: QueueDemand): boolean {
  return q.runtimeLearned === false && q.runtimeAtLeastMs === undefined;
}

/**
 * The pool is cold when it has demand and every queue with demand is unmeasured. A pool that
 * measures any of its queues is not: its servers are up and take the others' jobs within seconds.
 */
export function coldStart(demand: PoolDemand): boolean {
  const wanted = demand.queues.filter(hasDemand);
  return wanted.length > 0 && wanted.every(unmeasured);
}

/** Since when the pool has been measuring (not cold); undefined while cold or never busy. */
export function nextWarmSince(
  previous: number | undefined,
  cold: boolean,
  nowMs: number,
): number | undefined {
  return cold ? undefined : (previous ?? nowMs);
}

/**
 * Whether the needs the window remembers from the cold start are refuted now: a runtime is measured,
 * has settled, and is well below the guess they were sized with. Then they were never a need, and the
 * servers bought on them go (booting ones first, see pickVictims). Measured longer than the guess,
 * the live need is above them anyway.
 */
export function guessRefuted(
  recent: readonly WindowEntry[],
  demand: PoolDemand,
  warmSinceMs: number | undefined,
  nowMs: number,
): Refutation | undefined {
  const guessMs = Math.max(0, ...recent.map((r) => r.guessedRuntimeMs ?? 0));
  if (warmSinceMs === undefined || guessMs === 0) return undefined;
  const measuredMs = Math.max(0, ...demand.queues.filter((q) => !unmeasured(q)).map((q) => q.runtimeMs));
  const settled = nowMs - warmSinceMs >= settleRuntimes * guessMs;
  return settled && measuredMs <= refuteShare * guessMs ? { guessMs, measuredMs } : undefined;
}

export interface Refutation {
  /** The runtime the cold start's needs were sized with (the default). */
  guessMs: number;
  /** The longest runtime measured now. */
  measuredMs: number;
}

/** The runtime a cold tick's need was sized with: the longest of its queues with demand (all guessed). */
export function guessedRuntimeMs(demand: PoolDemand): number {
  return Math.max(1, ...demand.queues.filter(hasDemand).map((q) => q.runtimeMs));
}
