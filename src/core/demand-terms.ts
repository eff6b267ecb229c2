import type { SteadyNote } from './decide-reason.ts';
import { queueAtRisk, slotsForWait } from './erlang.ts';
import { arrivalTimeConstantMs } from './estimators.ts';
import { inProgressAhead, offeredErlangs } from './in-progress.ts';
import type { PoolDemand, PoolPolicy, QueueDemand } from './types.ts';

/**
 * The load terms of decide(), in servers: what arrives (steady), what is queued or about to fall
 * due (drain) and what runs (busy). Pure; decide.ts turns them into a count.
 */

/** Never plan to clear a backlog faster than this, however short the wait target is. */
const minDrainWindowMs = 1_000;
/**
 * The trend forecast acts only when it would lift a rate by at least this share of itself within the
 * horizon. Smaller rises are mostly estimator noise, and the wait-risk headroom and the drain term
 * absorb real ones; ungated, the forecast cost 5 % more server time on steady load for nothing.
 */
const minForecastRise = 0.5;
/** The steady term plans for at most this share of jobs waiting longer than the target. */
const waitRisk = 0.01;
/** P(Z > 2.326) = 1 % for a normal Z: the same risk, for the jobs in progress a boot ahead. */
const waitRiskSigmas = 2.326;
/** Guards ceil() against float noise such as 2.0000000001 servers. */
const epsilon = 1e-9;

export function totalBacklog(demand: PoolDemand): number {
  return demand.queues.reduce((sum, q) => sum + q.backlog, 0);
}

/** Delayed jobs falling due within the look-ahead, all queues of the pool. */
export function totalUpcoming(demand: PoolDemand): number {
  return demand.queues.reduce((sum, q) => sum + (q.upcoming ?? 0), 0);
}

/** The three views of load, in servers: arriving work, queued (and about to be due) work, work in progress. */
export function demandTerms(policy: PoolPolicy, demand: PoolDemand) {
  const slots = policy.slotsPerServer;
  const horizonMs = policy.forecastTrend === false ? 0 : policy.bootMs + arrivalTimeConstantMs;
  const rates = demand.queues.map((q) => ({ q, rate: forecastArrival(q, horizonMs) }));
  const rateErlangs = rates.reduce((sum, { q, rate }) => sum + (rate * q.runtimeMs) / 1000, 0);
  const longestRuntimeMs = Math.max(1, ...demand.queues.map((q) => q.runtimeMs));
  const { steady, note } =
    policy.steadyModel === 'utilisation'
      ? { steady: rateErlangs / (slots * policy.targetUtilisation), note: undefined }
      : steadyByWaitRisk(policy, rates, longestRuntimeMs, rateErlangs);
  // The queued jobs should clear within one wait target. Subtracting the boot time (when boots are
  // about as long as the target) bought servers that arrived after those jobs had missed anyway:
  // 5–10 % more server time in the benchmark for a few points of share on spikes only. Delayed jobs
  // due within the look-ahead count as queued: servers bought now are up when they fall due.
  const windowMs = Math.max(policy.targetWaitMs, longestRuntimeMs, minDrainWindowMs);
  // A queue the busy slots form at this load at least waitRisk of the time is Poisson noise the steady
  // term already planned for (M/M/c), not a backlog: summed with it, queues of 15–60 jobs on 40 busy
  // slots (1–4 s of wait against a 30 s target) bought an 11th and 12th server a dozen times an hour.
  // Never a queue whose jobs miss the target: waited past it, or started later than it by the busy slots.
  // Near full load Erlang C takes any queue for noise (a 1495-job backlog, oldest 52 s, on 104 slots).
  const noiseQueue =
    policy.steadyModel === 'utilisation' || demand.oldestWaitMs > policy.targetWaitMs
      ? 0
      : Math.min(
          demand.activeJobs > rateErlangs
            ? queueAtRisk(demand.activeJobs, rateErlangs, waitRisk)
            : Number.POSITIVE_INFINITY,
          queueWithinTarget(demand.activeJobs, rateErlangs, longestRuntimeMs, policy.targetWaitMs),
          Math.floor((demand.activeJobs * policy.targetWaitMs) / longestRuntimeMs),
        );
  const backlog = totalBacklog(demand);
  const noise = backlog > 0 && backlog <= noiseQueue;
  const queuedWorkMs = demand.queues.reduce(
    (sum, q) => sum + ((noise ? 0 : q.backlog) + (q.upcoming ?? 0)) * q.runtimeMs,
    0,
  );
  const drain = queuedWorkMs / (slots * windowMs);
  const busy = demand.activeJobs / slots;
  return {
    ...{ steady, drain, busy, offered: rateErlangs / slots, note },
    noiseQueue: noise ? noiseQueue : 0,
    windowMs,
  };
}

/**
 * The queue that arrivals at `offered` erlangs and starts on `busySlots` form within one wait target
 * at waitRisk: starts and arrivals are Poisson, so the queue moves by their difference, mean
 * (offered − busy)·T/runtime, variance (offered + busy)·T/runtime. Unlike the stationary M/M/c queue
 * it stays finite as the load nears the busy slots and does not fall to 0 past them: on a rising load
 * (sawtooth) that flip put a 50–150-job queue in and out of the drain term tick after tick, buying and
 * draining a booting server each time (146 creates where 89 had served; 106 with this bound). Below the
 * busy slots it is the stricter of the two on small fleets (40 slots at 36 erlangs: 24 jobs, against 35
 * stationary); bounded by the drift only past them, priorities-mixed lost 0.4 points.
 */
function queueWithinTarget(busySlots: number, offered: number, runtimeMs: number, targetMs: number): number {
  const runtimes = targetMs / runtimeMs;
  // Below the busy slots the drift drains the queue, past them it grows it (growth is backlog): either
  // way only the spread beyond the drift is noise, and at the busy slots both sides agree.
  const drift = -Math.abs(offered - busySlots) * runtimes;
  const spread = Math.sqrt((offered + busySlots) * runtimes);
  return Math.max(0, Math.floor(drift + waitRiskSigmas * spread));
}

/**
 * The steady term by wait risk: the lower of the stationary answer (Erlang C on the offered load,
 * with jobs that outlast a boot as its floor) and the jobs in progress a boot ahead with a 1 % margin
 * (in-progress.ts). `note` says which of the two new rules moved the count, for the reason line.
 */
function steadyByWaitRisk(
  policy: PoolPolicy,
  rates: { q: QueueDemand; rate: number }[],
  longestRuntimeMs: number,
  rateErlangs: number,
): { steady: number; note: SteadyNote | undefined } {
  const offered = rates.reduce((sum, { q, rate }) => sum + offeredErlangs(q, rate, policy.bootMs), 0);
  const stationary = waitRiskServers(offered, longestRuntimeMs, policy);
  const horizonMs = policy.bootMs;
  const raised = offered > rateErlangs + epsilon;
  const floorNote = raised ? { kind: 'running' as const, offered, rateErlangs, horizonMs } : undefined;
  // Without a running count for every queue there is nothing to measure the work in progress by.
  if (!rates.every(({ q }) => q.active !== undefined)) return { steady: stationary, note: floorNote };
  const progress = rates.map(({ q, rate }) => inProgressAhead(q, rate, horizonMs));
  const mean = progress.reduce((sum, a) => sum + a.mean, 0);
  const spread = Math.sqrt(progress.reduce((sum, a) => sum + a.variance, 0));
  const inProgress = (mean + waitRiskSigmas * spread) / policy.slotsPerServer;
  if (inProgress < stationary)
    return { steady: inProgress, note: { kind: 'ahead', mean, spread, stationary, horizonMs } };
  return { steady: stationary, note: floorNote };
}

/**
 * Servers for the arriving work such that, as an M/M/c queue, at most 1 % of jobs wait longer than
 * the target. A fixed utilisation over-provisions large fleets (pooling absorbs variance) and
 * under-provisions long jobs, where any wait beyond the target needs a free slot. The longest
 * runtime of the pool stands for all of them: slower jobs drain a queue more slowly. This is the
 * stationary answer, blind to the jobs running now; decide() takes the lower of it and the jobs in
 * progress a boot ahead (in-progress.ts), which for jobs far longer than a boot is the tighter one.
 */
export function waitRiskServers(offeredErlangs: number, runtimeMs: number, policy: PoolPolicy): number {
  if (offeredErlangs <= 0) return 0;
  return slotsForWait(offeredErlangs, runtimeMs, policy.targetWaitMs, waitRisk) / policy.slotsPerServer;
}

/**
 * The arrival rate a rising trend reaches when servers bought now are up. The smoothed rate already
 * lags a ramp by its time constant, so the horizon adds that to the boot time. Only a sharp rise
 * counts (see minForecastRise); falling trends are ignored: shedding servers early is what the
 * scale-down window exists to prevent.
 */
function forecastArrival(q: QueueDemand, horizonMs: number): number {
  const rise = (Math.max(0, q.arrivalTrendPerSecond2 ?? 0) * horizonMs) / 1000;
  return rise < minForecastRise * q.arrivalPerSecond ? q.arrivalPerSecond : q.arrivalPerSecond + rise;
}
