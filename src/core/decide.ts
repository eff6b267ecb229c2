import { slotsForWait } from './erlang.ts';
import { arrivalTimeConstantMs } from './estimators.ts';
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
/**
 * Below this many servers of arriving work, with nothing queued or running, a pool is quiet: the
 * smoothed arrival rate decays towards zero but never reaches it, and ceil() would keep a server forever.
 */
const quietSteadyServers = 0.05;
/** Guards ceil() against float noise such as 2.0000000001 servers. */
const epsilon = 1e-9;

export function initialMemory(): DecisionMemory {
  return { recent: [], lastBusyAtMs: undefined, previousBacklog: 0 };
}

export function totalBacklog(demand: PoolDemand): number {
  return demand.queues.reduce((sum, q) => sum + q.backlog, 0);
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
  const busyNow = backlog + demand.activeJobs > 0;
  const { offered, ...terms } = demandTerms(policy, demand);
  // Nothing arrived for a whole scale-down window: whatever the smoothed rate still says is history.
  const arrivalsStale =
    demand.lastArrivalAtMs !== undefined && nowMs - demand.lastArrivalAtMs >= policy.scaleDownDelayMs;
  const quiet = !busyNow && (offered < quietSteadyServers || arrivalsStale);
  const raw = quiet && !mustStayAwake(policy, input.memory, nowMs) ? 0 : rawDesired(terms, busyNow);

  const steady = raw > 0 ? rawDesired({ ...terms, drain: 0 }, busyNow) : 0;
  const memory = nextMemory(input, { atMs: nowMs, desired: raw, steady }, current, backlog, !quiet);
  const urgent = demand.oldestWaitMs > policy.targetWaitMs || backlog > input.memory.previousBacklog;
  let desired = windowDesired(memory.recent, nowMs, policy);
  if (urgent) desired = Math.max(desired, current);
  if (mustStayAwake(policy, memory, nowMs) && current > 0) desired = Math.max(desired, 1);
  if (desired > current) desired = Math.min(desired, current + policy.maxStepUp);
  desired = Math.min(Math.max(desired, policy.minServers), policy.maxServers);

  const drain = desired < current ? pickVictims(capacity, current - desired) : [];
  const idle = quiet && raw === 0;
  const reason = explain({ policy, demand, backlog, terms, raw, current, desired, urgent, idle });
  return { desired, current, reason, drain, terms: { ...terms, raw }, memory };
}

/** The three views of load, in servers: arriving work, queued work, work in progress. */
function demandTerms(policy: PoolPolicy, demand: PoolDemand) {
  const slots = policy.slotsPerServer;
  const horizonMs = policy.forecastTrend === false ? 0 : policy.bootMs + arrivalTimeConstantMs;
  const workPerSecond = demand.queues.reduce(
    (sum, q) => sum + (forecastArrival(q, horizonMs) * q.runtimeMs) / 1000,
    0,
  );
  const longestRuntimeMs = Math.max(1, ...demand.queues.map((q) => q.runtimeMs));
  const steady =
    policy.steadyModel === 'utilisation'
      ? workPerSecond / (slots * policy.targetUtilisation)
      : waitRiskServers(workPerSecond, longestRuntimeMs, policy);
  // The queued jobs should clear within one wait target. Subtracting the boot time (when boots are
  // about as long as the target) bought servers that arrived after those jobs had missed anyway:
  // 5–10 % more server time in the benchmark for a few points of share on spikes only.
  const windowMs = Math.max(policy.targetWaitMs, longestRuntimeMs, minDrainWindowMs);
  const queuedWorkMs = demand.queues.reduce((sum, q) => sum + q.backlog * q.runtimeMs, 0);
  const drain = queuedWorkMs / (slots * windowMs);
  const busy = demand.activeJobs / slots;
  return { steady, drain, busy, offered: workPerSecond / slots };
}

/**
 * Servers for the arriving work such that, as an M/M/c queue, at most 1 % of jobs wait longer than
 * the target. A fixed utilisation over-provisions large fleets (pooling absorbs variance) and
 * under-provisions long jobs, where any wait beyond the target needs a free slot. The longest
 * runtime of the pool stands for all of them: slower jobs drain a queue more slowly.
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
  current: number,
  backlog: number,
  busyNow: boolean,
): DecisionMemory {
  const { nowMs, policy, memory } = input;
  const lastBusyAtMs = busyNow
    ? nowMs
    : (memory.lastBusyAtMs ?? (memory.recent.length === 0 ? nowMs : undefined));
  return {
    recent: nextWindow(memory.recent, entry, current, policy),
    lastBusyAtMs,
    previousBacklog: backlog,
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

interface Explained {
  policy: PoolPolicy;
  demand: PoolDemand;
  backlog: number;
  terms: { steady: number; drain: number; busy: number };
  raw: number;
  current: number;
  desired: number;
  urgent: boolean;
  /** Quiet for the whole idle period: the steady term no longer holds servers. */
  idle: boolean;
}

function explain(e: Explained): string {
  const load =
    `backlog ${e.backlog}, oldest wait ${seconds(e.demand.oldestWaitMs)} (target ${seconds(e.policy.targetWaitMs)}), ` +
    `${e.demand.activeJobs} active; steady ${e.terms.steady.toFixed(2)} + drain ${e.terms.drain.toFixed(2)}, ` +
    `busy ${e.terms.busy.toFixed(2)} → ${e.raw}${e.idle ? ' (idle: no jobs and no recent arrivals)' : ''}`;
  if (e.desired > e.current) return `scale up ${e.current} → ${e.desired}: ${load}`;
  if (e.desired < e.current) return `scale down ${e.current} → ${e.desired}: ${load}`;
  const why =
    e.urgent && e.raw < e.current ? ' (no scale-down while the backlog grows or waits too long)' : '';
  return `hold ${e.current}: ${load}${why}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}
