import type { PoolPolicy, WindowEntry } from './types.ts';

/**
 * Capacity bought to drain a backlog is held for one boot time (shorter would churn: releasing a
 * server costs a boot to get it back), the steady-state need for the whole scale-down window. Held
 * for the whole window, drain capacity kept 40 idle servers for two minutes after every burst.
 */
function drainHoldMs(policy: PoolPolicy): number {
  return Math.min(policy.bootMs, policy.scaleDownDelayMs);
}

/** The count the window allows now: scale down only to the highest value it still holds. */
export function windowDesired(recent: readonly WindowEntry[], nowMs: number, policy: PoolPolicy): number {
  const holdMs = drainHoldMs(policy);
  return Math.max(
    0,
    ...recent.map((r) => (nowMs - r.atMs < holdMs || r.atMs === nowMs ? r.desired : r.steady)),
  );
}

/** Adds this tick, forgets what left the window, and drops entries that can no longer be the max. */
export function nextWindow(
  recent: readonly WindowEntry[],
  entry: WindowEntry,
  current: number,
  policy: PoolPolicy,
): WindowEntry[] {
  const nowMs = entry.atMs;
  // A scaler that just started has no history: hold the fleet it found for one full window.
  const seed = recent.length === 0 ? [{ atMs: nowMs, desired: current, steady: current }] : [];
  let kept: WindowEntry[] = [];
  for (const r of [...seed, ...recent, entry]) {
    if (r.atMs <= nowMs - policy.scaleDownDelayMs && r.atMs !== nowMs) continue;
    kept = [...kept.filter((k) => !dominated(k, r)), r];
  }
  return kept;
}

/** An older entry no higher in either value than a newer one is never the max again. */
function dominated(older: WindowEntry, newer: WindowEntry): boolean {
  return older.desired <= newer.desired && older.steady <= newer.steady;
}
