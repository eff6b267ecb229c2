import type { Decision } from './types.ts';

/** Longest pause between create attempts after repeated failures. */
const maxBackoffMs = 30 * 60_000;

export interface PoolPlanInput {
  pool: string;
  decision: Decision;
  /** Creates in this pool are paused until then after failures. */
  createBlockedUntilMs: number | undefined;
  /**
   * What one server of this pool's type costs per hour (USD); undefined when the provider cannot
   * tell, which under a cost cap allows no create.
   */
  serverPriceUsd?: number | undefined;
}

export interface PlanInput {
  nowMs: number;
  maxServersTotal: number;
  /**
   * What the hourly cost cap leaves for new servers (USD per hour): the cap less what every
   * server still billed costs. undefined without a cap.
   */
  costRoomUsd?: number | undefined;
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

/** Every guard rail that can hold creates back (`limit.hit` events, metrics labels). */
export const planLimits = ['maxServersTotal', 'maxHourlyCostUsd', 'backoff'] as const;
export type PlanLimit = (typeof planLimits)[number];

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
  let room = Math.max(0, input.maxServersTotal - input.liveServers);
  // Each pool pays its own type's price from what the cap leaves; pools short of most go first.
  let costRoomUsd = input.costRoomUsd;
  const byShortfall = [...input.pools].sort(
    (a, b) => shortfall(b.decision) - shortfall(a.decision) || a.pool.localeCompare(b.pool),
  );
  const plans = new Map<string, PoolPlan>();
  for (const p of byShortfall) {
    const wanted = shortfall(p.decision);
    const blocked = p.createBlockedUntilMs !== undefined && input.nowMs < p.createBlockedUntilMs;
    const byCost =
      (costRoomUsd === undefined
        ? undefined
        : serversWithinCost(Math.max(0, costRoomUsd), p.serverPriceUsd)) ?? Number.POSITIVE_INFINITY;
    const create = blocked ? 0 : Math.min(wanted, room, byCost);
    const limitedBy: PlanLimit | undefined =
      create >= wanted
        ? undefined
        : blocked
          ? 'backoff'
          : byCost < room
            ? 'maxHourlyCostUsd'
            : 'maxServersTotal';
    room -= create;
    if (costRoomUsd !== undefined) costRoomUsd -= create * (p.serverPriceUsd ?? 0);
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
