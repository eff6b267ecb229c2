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
 * Slot time (slot-ms) the booting servers give within one boot from now, beyond what the steady term
 * claims for arriving work and the ready servers do not cover; never negative. A server created at c
 * is up at c + boot, a server bought now at now + boot: the booting one works its age before the new
 * one could, whatever the boot time. Ready servers count only up to the claim: their surplus over the
 * steady term is the headroom it keeps for Poisson noise (counted as spare, half a ready server left a
 * 35-job queue to clear in 52 s against a 30 s target: priorities-mixed 99.66 → 99.36 %).
 */
export function spareSlotMsAhead(
  policy: PoolPolicy,
  capacity: readonly ServerView[],
  nowMs: number,
  steadyServers: number,
): number {
  const bootMs = Math.max(0, policy.bootMs);
  const ready = capacity.filter((s) => s.state === 'ready').length;
  const bootingMs = capacity
    .filter((s) => s.state !== 'ready')
    .reduce((sum, s) => sum + Math.min(bootMs, Math.max(0, nowMs - s.createdAtMs)), 0);
  const shortMs = Math.max(0, steadyServers - ready) * bootMs;
  return Math.max(0, (bootingMs - shortMs) * policy.slotsPerServer);
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
