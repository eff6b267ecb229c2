import type { PoolPolicy, ServerView } from './types.ts';

/**
 * What the fleet already there does before a server bought now could help. A server bought now is up
 * one boot later; until then the backlog is cleared only by the servers ready now and by the booting
 * ones from their expected ready time (created + boot). Whatever part of their slot time the steady
 * term does not claim for arriving work clears queued work first, so a new server is worth buying only
 * for the queued work still left one boot from now.
 *
 * Measured on steady load (60 s boots, 30 s target): the cold start queued 830–960 jobs and the drain
 * term bought up to 37 servers; those bought at 97–104 s came up when the backlog was nearly gone, and
 * the scale-down window then held every one of them for two minutes.
 */

/**
 * Slot time (slot-ms) the servers in a capacity state give within one boot from now, beyond what the
 * steady term claims for arriving work in that time; never negative. The boot is the pool's planning
 * boot (the p90 of observed boots once known), so booting servers count late rather than early.
 */
export function spareSlotMsAhead(
  policy: PoolPolicy,
  capacity: readonly ServerView[],
  nowMs: number,
  steadyServers: number,
): number {
  // A server still booting has shown that boots take at least its age: early in a cold start only the
  // fastest boots have been observed, and their p90 (147 s against 180 s configured, 180 s boots) made
  // the booting fleet look ready half a minute early (steady at 180 s boots: 99.12 → 98.86 %).
  const bootMs = Math.max(
    0,
    policy.bootMs,
    ...capacity.filter((s) => s.state !== 'ready').map((s) => nowMs - s.createdAtMs),
  );
  if (bootMs === 0) return 0;
  const serverMs = capacity.reduce(
    (sum, s) =>
      sum + (s.state === 'ready' ? bootMs : Math.min(bootMs, Math.max(0, nowMs - s.createdAtMs))),
    0,
  );
  return Math.max(0, (serverMs - steadyServers * bootMs) * policy.slotsPerServer);
}

/** The drain term less the queued work the fleet there clears before a new server is up, in servers. */
export function drainLeftAhead(
  drain: number,
  spareSlotMs: number,
  policy: PoolPolicy,
  windowMs: number,
): number {
  return Math.max(0, drain - spareSlotMs / (policy.slotsPerServer * windowMs));
}
