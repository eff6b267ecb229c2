import type { PoolPolicy, ServerView } from './types.ts';

/**
 * Servers still inside the provider's minimum charge: created less than `paidMinimumMs` ago. Each
 * is paid up to that age whether it runs or not, so draining it sooner saves nothing and only risks
 * buying (and booting) another; they are kept until their minimum has run out.
 */
export function paidUp(capacity: readonly ServerView[], policy: PoolPolicy, nowMs: number): ServerView[] {
  const paidMs = policy.paidMinimumMs ?? 0;
  if (paidMs <= 0) return [];
  return capacity.filter((s) => nowMs - s.createdAtMs < paidMs);
}
