import type { ExpectedBurst } from './burst-memory.ts';
import { type Refutation, refuteShare } from './cold-start.ts';
import { lookAheadMs } from './look-ahead.ts';
import type { PoolDemand, PoolPolicy, ScheduleInForce } from './types.ts';

/** One rule that moved the desired count away from the raw need, in the order decide() applied it. */
export type Limit = { to: number } & LimitRule;

export type LimitRule =
  | { kind: 'window'; windowMs: number }
  | { kind: 'urgent' }
  | { kind: 'burst'; burst: ExpectedBurst; nowMs: number; keepOnly: boolean }
  | ({ kind: 'refuted' } & Refutation)
  | { kind: 'busy' }
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
    `${parts.join(', ')}${runtime}; steady ${e.terms.steady.toFixed(2)} + drain ${e.terms.drain.toFixed(2)}, ` +
    `busy ${e.terms.busy.toFixed(2)} → ${e.raw}${e.idle ? ' (idle: no jobs and no recent arrivals)' : ''}`
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
