import type { QueueDemand } from './types.ts';

/**
 * Jobs of one queue in progress one boot from now, seen from the jobs in progress now (Little's law
 * over the horizon, M/G/∞ with exponential runtimes): of the n running, a share p = e^(−boot/runtime)
 * still runs then, and arrivals fill in λ·runtime·(1 − p). For jobs far shorter than a boot p is 0 and
 * this is the arrival rate times the runtime, as the stationary model says; for jobs far longer it is
 * the running count plus a boot's arrivals, measured directly instead of as a noisy rate times a noisy
 * runtime (5–20 minute jobs at one per 20 s: a minute of completions is three jobs, and the steady
 * term swung between 9 and 14 servers from one minute to the next).
 *
 * The variance is what the fleet cannot react to: servers bought now are up one boot later, so only a
 * boot's departures (binomial) and arrivals (Poisson) are uncertain, not the whole √(λ·runtime) of the
 * stationary queue (Erlang C's headroom: 14 slots on 38 erlangs of 12-minute jobs, where a minute
 * brings 3 ± 2 jobs).
 */
export interface InProgress {
  mean: number;
  variance: number;
}

export function inProgressAhead(q: QueueDemand, arrivalPerSecond: number, horizonMs: number): InProgress {
  const running = q.active ?? 0;
  const stay = stayingShare(q, horizonMs);
  const fresh =
    ((arrivalPerSecond * q.runtimeMs) / 1000) * (1 - Math.exp(-horizonMs / Math.max(1, q.runtimeMs)));
  return { mean: running * stay + fresh, variance: running * stay * (1 - stay) + fresh };
}

/**
 * The share of the jobs running now that still run one horizon later: e^(−horizon/runtime). While
 * jobs have run longer than the default runtime with none of the queue ever finished, the runtime is
 * only a lower bound and, as far as anything measured says, they all still run: departures planned
 * from the bound let the running count of 5–20 minute jobs fall on paper while nothing left.
 */
export function stayingShare(q: QueueDemand, horizonMs: number): number {
  if (q.runtimeAtLeastMs !== undefined) return 1;
  return Math.exp(-horizonMs / Math.max(1, q.runtimeMs));
}

/**
 * Jobs a queue offers the steady term, in erlangs: the arrival rate times the runtime, and at least
 * the jobs running now that will still run a boot from now — they hold their slots whatever the rate
 * says. For jobs far shorter than a boot that share is 0 (the running count's Poisson swings stay out,
 * see docs/policy.md "No busy-slot term"); for long jobs the rate lags: after the first completions
 * (the short ones finish first) the rate times the runtime said 13 erlangs for 24 running jobs.
 */
export function offeredErlangs(q: QueueDemand, arrivalPerSecond: number, horizonMs: number): number {
  const offered = (arrivalPerSecond * q.runtimeMs) / 1000;
  return Math.max(offered, (q.active ?? 0) * stayingShare(q, horizonMs));
}
