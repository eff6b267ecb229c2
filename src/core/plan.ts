import type { Decision } from './types.ts';

/** Longest pause between create attempts after repeated failures. */
const maxBackoffMs = 30 * 60_000;

export interface PoolPlanInput {
  pool: string;
  decision: Decision;
  /** Creates in this pool are paused until then after failures. */
  createBlockedUntilMs: number | undefined;
}

export interface PlanInput {
  nowMs: number;
  maxServersTotal: number;
  /** Servers the hourly cost cap pays for at most; undefined without a cap. */
  maxServersByCost?: number | undefined;
  /** Every server that may still be billed, in any pool: capacity, draining, deleting, failed, hanging. */
  liveServers: number;
  pools: PoolPlanInput[];
}

export interface PoolPlan {
  pool: string;
  create: number;
  drain: string[];
  /** Why fewer servers are created than the decision wants. */
  limitedBy: PlanLimit | undefined;
}

export type PlanLimit = 'maxServersTotal' | 'maxHourlyCostUsd' | 'backoff';

function capName(maxServersTotal: number, byCost: number): PlanLimit {
  return byCost < maxServersTotal ? 'maxHourlyCostUsd' : 'maxServersTotal';
}

/**
 * Servers an hourly cost cap allows. A price we cannot know allows none: spending blind is the
 * one thing a cost cap exists to prevent.
 */
export function serversWithinCost(
  maxHourlyCostUsd: number | undefined,
  priceUsd: number | undefined,
): number | undefined {
  if (maxHourlyCostUsd === undefined) return undefined;
  if (priceUsd === undefined) return 0;
  if (priceUsd <= 0) return undefined;
  return Math.floor(maxHourlyCostUsd / priceUsd + 1e-9);
}

/**
 * Turns decisions into actions under the global guard rails. The global cap counts every server
 * still billed, so a fleet stuck draining can never make room for more servers than the cap.
 */
export function plan(input: PlanInput): PoolPlan[] {
  const byCost = input.maxServersByCost ?? Number.POSITIVE_INFINITY;
  const cap = Math.min(input.maxServersTotal, byCost);
  let room = Math.max(0, cap - input.liveServers);
  const byShortfall = [...input.pools].sort(
    (a, b) => shortfall(b.decision) - shortfall(a.decision) || a.pool.localeCompare(b.pool),
  );
  const plans = new Map<string, PoolPlan>();
  for (const p of byShortfall) {
    const wanted = shortfall(p.decision);
    const blocked = p.createBlockedUntilMs !== undefined && input.nowMs < p.createBlockedUntilMs;
    const create = blocked ? 0 : Math.min(wanted, room);
    room -= create;
    const limitedBy =
      create >= wanted ? undefined : blocked ? 'backoff' : capName(input.maxServersTotal, byCost);
    plans.set(p.pool, { pool: p.pool, create, drain: p.decision.drain, limitedBy });
  }
  return input.pools.map((p) => plans.get(p.pool)).filter((p): p is PoolPlan => p !== undefined);
}

function shortfall(decision: Decision): number {
  return Math.max(0, decision.desired - decision.current);
}

/** Exponential backoff after consecutive failed creates: base, 2×base, 4×base, … up to 30 minutes. */
export function createBackoffMs(consecutiveFailures: number, baseMs: number): number {
  if (consecutiveFailures <= 0) return 0;
  return Math.min(maxBackoffMs, baseMs * 2 ** (consecutiveFailures - 1));
}
