import { expectedBurst, initialBurstMemory, observeNeed } from './burst-memory.ts';
import { coldStart, guessedRuntimeMs, guessRefuted, nextWarmSince } from './cold-start.ts';
import { explain, type Limit, type LimitRule, type SteadyNote } from './decide-reason.ts';
import { queueAtRisk, slotsForWait } from './erlang.ts';
import { arrivalTimeConstantMs } from './estimators.ts';
import { inProgressAhead, offeredErlangs } from './in-progress.ts';
import { nextWindow, windowDesired } from './scale-down-window.ts';
import { capacityStates } from './server-state.ts';
import type {
  Decision,
  DecisionInput,
  DecisionMemory,
  PoolDemand,
  PoolPolicy,
  QueueDemand,
  ServerView,
  WindowEntry,
} from './types.ts';

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
/**
 * Below this many servers of arriving work, with nothing queued or running, a pool is quiet: the
 * smoothed arrival rate decays towards zero but never reaches it, and ceil() would keep a server forever.
 */
const quietSteadyServers = 0.05;
/** Guards ceil() against float noise such as 2.0000000001 servers. */
const epsilon = 1e-9;
/**
 * A burst is expected about when its predecessors' period says, give or take this share of the
 * boot time (onsets are seen a tick or two late, and the boot estimate is a p90, not a maximum).
 */
const burstLeadShare = 0.15;
/**
 * Learned bursts hold capacity until this share of a period past their expected start: long enough
 * for the live need to take over, short enough that a pattern that stopped costs little.
 */
const burstGraceShare = 0.15;
/**
 * The least a new server is billed (DigitalOcean: per second, 60 s minimum): what rebuilding a shed
 * server costs at least, however short its boot.
 */
const minBilledMs = 60_000;

export function initialMemory(): DecisionMemory {
  return { recent: [], lastBusyAtMs: undefined, previousBacklog: 0, bursts: initialBurstMemory() };
}

export function totalBacklog(demand: PoolDemand): number {
  return demand.queues.reduce((sum, q) => sum + q.backlog, 0);
}

/** Delayed jobs falling due within the look-ahead, all queues of the pool. */
export function totalUpcoming(demand: PoolDemand): number {
  return demand.queues.reduce((sum, q) => sum + (q.upcoming ?? 0), 0);
}

/**
 * How many servers one pool should have now, and which to drain. Pure: time, state and memory
 * are arguments; the next memory is part of the result.
 */
export function decide(input: DecisionInput): Decision {
  const { nowMs, policy, demand, servers } = input;
  const capacity = servers.filter((s) => capacityStates.includes(s.state));
  const current = capacity.length;
  const backlog = totalBacklog(demand);
  const upcoming = totalUpcoming(demand);
  const busyNow = backlog + demand.activeJobs + upcoming > 0;
  // While a learned burst is under way its size is already the forecast: the trend, extrapolated over
  // a boot from a burst's onset, added a second one on top (180 s boots: the steady term climbed to 51
  // servers while 22 were busy and the learned 27 sufficed; the extra 24 came up after the burst).
  const runtimeMs = Math.max(1, ...demand.queues.map((q) => q.runtimeMs));
  const before = burstPlan(input.memory, policy, nowMs, runtimeMs);
  const trendHeld = before?.phase === 'buy' && before.expected.underway && policy.forecastTrend !== false;
  const { offered, note, noiseQueue, ...terms } = demandTerms(
    trendHeld ? { ...policy, forecastTrend: false } : policy,
    demand,
  );
  // Nothing arrived for a whole scale-down window: whatever the smoothed rate still says is history.
  const arrivalsStale =
    demand.lastArrivalAtMs !== undefined && nowMs - demand.lastArrivalAtMs >= policy.scaleDownDelayMs;
  const quiet = !busyNow && (offered < quietSteadyServers || arrivalsStale);
  const raw = quiet && !mustStayAwake(policy, input.memory, nowMs) ? 0 : rawDesired(terms, busyNow);

  const steady = raw > 0 ? rawDesired({ ...terms, drain: 0 }, busyNow) : 0;
  // More than maxServers cannot be had: learned as a burst's size, a queue built while the fleet
  // booted (156 servers' worth with a 10 s target) made the pre-warmed bursts after it look like blips.
  const used = Math.min(policy.maxServers, Math.ceil(terms.busy + terms.drain - epsilon));
  const due = before?.phase === 'buy';
  // A burst that finds the learned fleet in place measures its own size; one met late is inflated.
  const ready = due && before !== undefined && current >= before.expected.servers;
  const load = Math.min(policy.maxServers, terms.busy + terms.drain);
  const need = { signal: due ? Math.max(raw, used) : raw, used, ready, load };
  const cold = coldStart(demand);
  const warmSinceMs = nextWarmSince(input.memory.warmSinceMs, cold, nowMs);
  const refuted = guessRefuted(input.memory.recent, demand, warmSinceMs, nowMs);
  const memory = nextMemory(
    input,
    { atMs: nowMs, desired: raw, steady, ...(cold ? { guessedRuntimeMs: guessedRuntimeMs(demand) } : {}) },
    { current, backlog, need, busyNow: !quiet, warmSinceMs, refuted: refuted !== undefined },
  );
  const limits: Limit[] = [];
  const apply = (next: number, rule: LimitRule) => {
    limits.push({ ...rule, to: next });
    return next;
  };
  const burst = burstPlan(memory, policy, nowMs, runtimeMs);
  // Between learned bursts the future is known: the window's guard against an unknown one would hold
  // a burst's fleet through the gap, so capacity follows the need down instead, step by step.
  // So is the future before a learned burst: in its buy phase the window resurrected the previous
  // burst's peak (51 servers bought 200 s ahead of a burst needing 27), so only the burst itself uses it.
  const windowed = burst === undefined || (burst.phase === 'buy' && burst.expected.underway);
  let desired = windowed ? windowDesired(memory.recent, nowMs, policy) : raw;
  if (desired > raw) limits.push({ kind: 'window', to: desired, windowMs: policy.scaleDownDelayMs });
  if (refuted !== undefined) limits.push({ kind: 'refuted', to: desired, ...refuted });
  // The backlog that makes this tick urgent was sized with the measured runtime just now: holding the
  // servers bought on the guess for it kept 38 servers for a backlog one could drain.
  const urgent =
    refuted === undefined &&
    (demand.oldestWaitMs > policy.targetWaitMs || backlog > input.memory.previousBacklog);
  if (urgent && desired < current) desired = apply(current, { kind: 'urgent' });
  const burstFloor = burst?.floor(current) ?? 0;
  if (burst !== undefined && desired < burstFloor) {
    const keepOnly = burst.phase === 'keep';
    desired = apply(burstFloor, { kind: 'burst', burst: burst.expected, nowMs, keepOnly });
  }
  const busyServers = capacity.filter((s) => s.activeJobs > 0).length;
  if (desired < Math.min(current, busyServers)) desired = apply(busyServers, { kind: 'busy' });
  if (mustStayAwake(policy, memory, nowMs) && current > 0 && desired < 1)
    desired = apply(1, { kind: 'awake' });
  if (desired > current + policy.maxStepUp) desired = apply(current + policy.maxStepUp, { kind: 'step' });
  const floor = Math.max(policy.minServers, input.schedule?.minServers ?? 0);
  if (desired < floor) {
    const bySchedule = (input.schedule?.minServers ?? 0) > policy.minServers;
    desired = apply(floor, bySchedule ? { kind: 'schedule', schedule: input.schedule } : { kind: 'min' });
  }
  // Draining, deleting, failed and hanging servers are still billed: no create may push the pool's
  // bill past maxServers (a run showed 65 billed under a cap of 60 while replacements booted).
  const billedElsewhere = servers.filter(
    (s) => s.state !== 'deleted' && !capacityStates.includes(s.state),
  ).length;
  const room = Math.max(Math.min(current, policy.maxServers), policy.maxServers - billedElsewhere);
  if (desired > room) desired = apply(room, { kind: 'max', billedElsewhere });

  const drain = desired < current ? pickVictims(capacity, current - desired) : [];
  const idle = quiet && raw === 0;
  const reason = explain({
    ...{ policy, demand, backlog, upcoming, terms, raw, current, desired, limits, idle },
    note,
    trendHeld,
    noiseQueue,
  });
  return { desired, current, reason, drain, terms: { ...terms, raw }, memory };
}

/**
 * What a learned burst asks of the fleet now. Servers are bought one boot (and a margin) before it;
 * a server already there is kept when holding it until the burst costs no more than rebuilding it —
 * the lead (a boot of billing and the margin), or the minimum billing if that is more; during the
 * burst its size is held.
 */
function burstPlan(memory: DecisionMemory, policy: PoolPolicy, nowMs: number, runtimeMs: number) {
  const learned = expectedBurst(memory.bursts);
  if (learned === undefined) return undefined;
  // Sized by the steady rule from the offered load a ready fleet measured, when it did: the peak count
  // of busy servers adds the Poisson noise the wait-risk rule already covers (27 servers learned for a
  // burst of 90 erlangs, which 23 serve with under 1 % of jobs waiting past a 10 s target).
  const expected =
    learned.load === undefined
      ? learned
      : {
          ...learned,
          servers: Math.ceil(
            waitRiskServers(learned.load * policy.slotsPerServer, runtimeMs, policy) - epsilon,
          ),
        };
  const leadMs = policy.bootMs * (1 + burstLeadShare);
  // Jobs that may wait longer than a boot are served in time by servers bought when they arrive:
  // pre-warming then only costs (recurring bursts with a 120 s target: 38.2 against 34.9 server-h).
  if (policy.targetWaitMs >= leadMs)
    return { expected, phase: 'gap' as const, floor: (_current: number) => 0 };
  const buyFromMs = expected.atMs - leadMs;
  const keepFromMs = expected.atMs - Math.max(leadMs, minBilledMs);
  const untilMs = expected.atMs + burstGraceShare * expected.periodMs;
  const servers = expected.servers;
  // Under way, the learned size is held while a reactive fleet could not yet have caught up (two
  // boots); after that the live need rules: held longer, a slow daily rise kept its size all day.
  const young = (memory.bursts.open?.startAtMs ?? Number.NEGATIVE_INFINITY) >= nowMs - 2 * policy.bootMs;
  if ((expected.underway && young) || (nowMs >= buyFromMs && nowMs <= untilMs))
    return { expected, phase: 'buy' as const, floor: () => servers };
  if (nowMs >= keepFromMs && nowMs < buyFromMs)
    return { expected, phase: 'keep' as const, floor: (current: number) => Math.min(current, servers) };
  return { expected, phase: 'gap' as const, floor: () => 0 };
}

/** The three views of load, in servers: arriving work, queued (and about to be due) work, work in progress. */
function demandTerms(policy: PoolPolicy, demand: PoolDemand) {
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
          queueAtRisk(demand.activeJobs, rateErlangs, waitRisk),
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
  return { steady, drain, busy, offered: rateErlangs / slots, note, noiseQueue: noise ? noiseQueue : 0 };
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
function waitRiskServers(offeredErlangs: number, runtimeMs: number, policy: PoolPolicy): number {
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

function rawDesired(terms: { steady: number; drain: number }, busyNow: boolean): number {
  // Busy slots are the served work again, measured instantly: in the max they only added the noise
  // of a Poisson count, which the scale-down window then held for minutes (see docs/policy.md).
  const raw = Math.ceil(terms.steady + terms.drain - epsilon);
  return busyNow ? Math.max(raw, 1) : Math.max(raw, 0);
}

function nextMemory(
  input: DecisionInput,
  entry: WindowEntry,
  now: {
    current: number;
    backlog: number;
    need: { signal: number; used: number; ready: boolean; load: number };
    busyNow: boolean;
    warmSinceMs: number | undefined;
    refuted: boolean;
  },
): DecisionMemory {
  const { nowMs, policy, memory } = input;
  const { current, backlog, busyNow, warmSinceMs, refuted } = now;
  const recent = nextWindow(memory.recent, entry, current, policy);
  const lastBusyAtMs = busyNow
    ? nowMs
    : (memory.lastBusyAtMs ?? (memory.recent.length === 0 ? nowMs : undefined));
  return {
    recent: refuted ? recent.filter((r) => r.guessedRuntimeMs === undefined) : recent,
    warmSinceMs,
    lastBusyAtMs,
    previousBacklog: backlog,
    // Two boots: how long a reactive fleet takes to catch up with a step (see burst-memory.ts).
    bursts: observeNeed(memory.bursts ?? initialBurstMemory(), nowMs, now.need, 2 * policy.bootMs),
  };
}

function mustStayAwake(policy: PoolPolicy, memory: DecisionMemory, nowMs: number): boolean {
  return memory.lastBusyAtMs !== undefined && nowMs - memory.lastBusyAtMs < policy.idleToZeroMs;
}

/** Idle first, then least busy, then newest: the cheapest servers to lose. */
export function pickVictims(capacity: ServerView[], count: number): string[] {
  return [...capacity]
    .sort((a, b) => a.activeJobs - b.activeJobs || b.createdAtMs - a.createdAtMs || a.id.localeCompare(b.id))
    .slice(0, count)
    .map((s) => s.id);
}
