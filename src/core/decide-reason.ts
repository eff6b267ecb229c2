import type { ExpectedBurst } from './burst-memory.ts';
import { type Refutation, refuteShare } from './cold-start.ts';
import { lookAheadMs } from './look-ahead.ts';
import type { PoolDemand, PoolPolicy, ScheduleInForce } from './types.ts';

/**
 * What the jobs in progress did to the steady term: set it (the jobs in progress a boot ahead, in jobs,
 * and their spread, were below the stationary count, in servers), or raised the offered load to the
 * running jobs that outlast a boot (erlangs, against the rate times the runtime).
 */
export type SteadyNote =
  | { kind: 'ahead'; mean: number; spread: number; stationary: number; horizonMs: number }
  | { kind: 'running'; offered: number; rateErlangs: number; horizonMs: number };

/** One rule that moved the desired count away from the raw need, in the order decide() applied it. */
export type Limit = { to: number } & LimitRule;

export type LimitRule =
  | { kind: 'window'; windowMs: number }
  | { kind: 'urgent' }
  | { kind: 'burst'; burst: ExpectedBurst; nowMs: number; keepOnly: boolean }
  | ({ kind: 'refuted' } & Refutation)
  | { kind: 'busy' }
  | { kind: 'paid' }
  | { kind: 'awake' }
  | { kind: 'step' }
  | { kind: 'min' }
  | { kind: 'schedule'; schedule: ScheduleInForce | undefined }
  | { kind: 'max'; billedElsewhere: number };

export interface Explained {
  policy: PoolPolicy;
  demand: PoolDemand;
  backlog: number;
  upcoming: number;
  terms: { steady: number; drain: number; busy: number };
  raw: number;
  current: number;
  desired: number;
  limits: Limit[];
  /** Quiet for the whole idle period: the steady term no longer holds servers. */
  idle: boolean;
  /** Which rule on jobs in progress moved the steady term, if any (decide.ts, in-progress.ts). */
  note?: SteadyNote | undefined;
  /** A learned burst is under way: its size stands for the trend forecast, left out of the steady term. */
  trendHeld?: boolean;
  /** The backlog was left out of the drain term as the queue the load forms (≤ this); 0 if not. */
  noiseQueue?: number;
  /** The booting fleet clears this much queued work (slot-ms) before a server bought now is up. */
  ahead?: { spareSlotMs: number; drain: number; full: number; runtimeMs: number } | undefined;
}

/**
 * The decision in plain words with every number behind it: what was measured, what the policy made of
 * it, and every rule that moved the count from there (window, pins aside — applyPin adds its own).
 */
export function explain(e: Explained): string {
  const verb =
    e.desired > e.current
      ? `scale up ${e.current} → ${e.desired}`
      : e.desired < e.current
        ? `scale down ${e.current} → ${e.desired}`
        : `hold ${e.current}`;
  const limits = e.limits.map((l) => describe(l, e.policy));
  return `${verb}: ${load(e)}${limits.length > 0 ? `; ${limits.join('; ')}` : ''}`;
}

function load(e: Explained): string {
  const herd = e.demand.queues.reduce((sum, q) => sum + (q.herd ?? 0), 0);
  const parts = [
    `backlog ${e.backlog}${herd > 0 ? ` (${herd.toFixed(0)} added at once: backlog, not rate)` : ''}`,
    ...(e.upcoming > 0 ? [`${e.upcoming} delayed due within ${seconds(lookAheadMs(e.policy))}`] : []),
    `oldest wait ${seconds(e.demand.oldestWaitMs)} (target ${seconds(e.policy.targetWaitMs)})`,
    `${e.demand.activeJobs} active`,
  ];
  const unlearned = e.demand.queues.filter((q) => q.runtimeLearned === false);
  const unseen = unlearned.filter((q) => q.runtimeAtLeastMs === undefined).map((q) => q.queue);
  const running = unlearned
    .filter((q) => q.runtimeAtLeastMs !== undefined)
    .map(
      (q) =>
        `runtime of ${q.queue} ≥ ${seconds(q.runtimeAtLeastMs ?? 0)} (running that long, none finished yet)`,
    );
  const runtime = [
    ...(unseen.length > 0 ? [`default runtime for ${unseen.join(', ')} (never seen)`] : []),
    ...running,
  ]
    .map((part) => `; ${part}`)
    .join('');
  return (
    `${parts.join(', ')}${runtime}; steady ${e.terms.steady.toFixed(2)}${progress(e)}` +
    `${e.trendHeld === true ? ' (no trend forecast: the learned burst under way stands for it)' : ''} + drain ${e.terms.drain.toFixed(2)}` +
    `${noise(e)}${ahead(e)}, ` +
    `busy ${e.terms.busy.toFixed(2)} → ${e.raw}${e.idle ? ' (idle: no jobs and no recent arrivals)' : ''}`
  );
}

function progress(e: Explained): string {
  const n = e.note;
  if (n === undefined) return '';
  if (n.kind === 'running')
    return (
      ` (jobs running past ${seconds(n.horizonMs)} count as ${n.offered.toFixed(1)} erlangs, ` +
      `the rate times the runtime ${n.rateErlangs.toFixed(1)})`
    );
  return (
    ` (jobs in progress in ${seconds(n.horizonMs)}: ${n.mean.toFixed(1)} ± ${n.spread.toFixed(1)}, ` +
    `below the stationary ${n.stationary.toFixed(2)})`
  );
}

function noise(e: Explained): string {
  const n = e.noiseQueue ?? 0;
  return n > 0
    ? ` (backlog ≤ ${n}, the queue ${e.demand.activeJobs} busy slots form at this load: not drained)`
    : '';
}

function ahead(e: Explained): string {
  const a = e.ahead;
  if (a === undefined) return '';
  return (
    ` (booting servers clear ${Math.round(a.spareSlotMs / a.runtimeMs)} queued jobs before one bought ` +
    `now is up in ${seconds(e.policy.bootMs)}: ${a.drain.toFixed(2)} left to buy for, not ${a.full} servers)`
  );
}

function describe(l: Limit, policy: PoolPolicy): string {
  switch (l.kind) {
    case 'window':
      return `held at ${l.to} by the scale-down window (highest need of the last ${seconds(l.windowMs)})`;
    case 'urgent':
      return `held at ${l.to}: no scale-down while the backlog grows or waits too long`;
    case 'burst':
      return (
        `${l.keepOnly ? 'kept' : 'raised to'} ${l.to} for the burst ` +
        `${l.burst.underway ? 'under way' : `expected in ${seconds(Math.max(0, l.burst.atMs - l.nowMs))}`} ` +
        `(learned: every ${seconds(l.burst.periodMs)}, ${l.burst.servers} servers)`
      );
    case 'refuted':
      return (
        `cold start over: runtime measured ${runtime(l.measuredMs)}, under ${refuteShare * 100} % of the ` +
        `${runtime(l.guessMs)} default the first needs were sized with: those needs leave the window ` +
        `and no backlog holds the servers bought on them (booting ones go first)`
      );
    case 'busy':
      return `kept ${l.to}: servers running jobs are not drained`;
    case 'paid':
      return `kept ${l.to}: servers inside their paid minimum (${seconds(policy.paidMinimumMs ?? 0)}, keepPaidServersMs) cost nothing more to keep`;
    case 'awake':
      return `kept ${l.to} until idle for ${seconds(policy.idleToZeroMs)} (idleToZeroMs)`;
    case 'step':
      return `limited to ${l.to} (maxStepUp ${policy.maxStepUp} per tick)`;
    case 'min':
      return `raised to ${l.to} (minServers)`;
    case 'schedule':
      return `raised to ${l.to} by schedule ${l.schedule?.label ?? ''} (minServers ${l.schedule?.minServers ?? l.to})`;
    case 'max':
      return l.billedElsewhere > 0
        ? `capped at ${l.to} (maxServers ${policy.maxServers}, ${l.billedElsewhere} draining or deleting still billed)`
        : `capped at ${l.to} (maxServers)`;
  }
}

/** Runtimes of tens of milliseconds read as 0.0s in seconds. */
function runtime(ms: number): string {
  return ms < 1_000 ? `${Math.round(ms)}ms` : seconds(ms);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}
