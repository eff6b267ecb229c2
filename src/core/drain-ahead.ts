import type { PoolDemand, PoolPolicy, ServerView } from './types.ts';

/**
 * What the booting fleet does before a server bought now could help. A server bought now is up one
 * boot later; until then the backlog is cleared only by the servers already there, the booting ones
 * from their expected ready time. Whatever part of their slot time the steady term does not claim for
 * arriving work clears queued work first, so a new server is worth buying only for the queued work
 * still left one boot from now.
 *
 * Measured on steady load (60 s boots, 30 s target): the cold start queued 830–960 jobs and the drain
 * term bought up to 37 servers; those bought late came up when the backlog was nearly gone, and the
 * scale-down window then held every one of them for two minutes (1.305 → 1.295 × the work bound).
 */

export interface DrainAhead {
  /** The drain term left to buy for, in servers. */
  drain: number;
  /** Slot time (slot-ms) the booting servers give before a new one is up, beyond the claim. */
  spareSlotMs: number;
}

/**
 * The drain term less the queued work the booting fleet clears before a new server is up; undefined
 * when the rule does not apply. `claimServers` is what arriving work takes: the steady term, or a
 * learned burst's size while one is due (the smoothed rate lags its onset).
 */
export function drainAhead(
  input: { policy: PoolPolicy; demand: PoolDemand; capacity: readonly ServerView[]; nowMs: number },
  terms: { drain: number; windowMs: number; claimServers: number },
): DrainAhead | undefined {
  const { policy, demand } = input;
  // Not while jobs arrive as herds: those are arrivals the smoothed rate leaves out, so the claim is
  // short by an unknown amount (spike, 40 jobs/s against 4: the steady term claimed 6 servers where 30
  // were busy, and the servers bought for the spike counted as spare: 79.8 → 77.1 % within a 10 s target).
  if (demand.queues.some((q) => (q.herd ?? 0) > 0)) return undefined;
  // Nor on a guessed runtime: the queued work is sized on the default (1 s for 3 s jobs in the cold
  // start), so the booting fleet seemed to clear it and buying stopped for half a minute until the
  // first jobs finished, then bought late (steady load: 11.68 server-h without this guard, 11.63 with).
  if (demand.queues.some((q) => q.runtimeLearned === false && q.backlog > 0)) return undefined;
  const spareSlotMs = spareSlotMsAhead(policy, input.capacity, input.nowMs, terms.claimServers);
  if (spareSlotMs <= 0) return undefined;
  const drain = Math.max(0, terms.drain - spareSlotMs / (policy.slotsPerServer * terms.windowMs));
  return { drain, spareSlotMs };
}

/**
 * Slot time (slot-ms) the booting servers give within one boot from now, beyond what the claim takes
 * and the ready servers do not cover; never negative. A server created at c is up at c + boot, one
 * bought now at now + boot: the booting one works its age before the new one could, whatever the boot
 * time. One still booting past the planning boot proved that boot wrong for it and counts as nothing:
 * early in a cold start only the fastest boots were seen (p90 147 s of 180 s boots), and taking the
 * late ones as up now cost steady load at 180 s boots 0.26 points. Ready servers count only up to the
 * claim: their surplus over the steady term is the headroom it keeps for Poisson noise (counted as
 * spare, half a ready server left 35 jobs to clear in 52 s against a 30 s target: priorities-mixed
 * 99.66 → 99.36 %).
 */
export function spareSlotMsAhead(
  policy: PoolPolicy,
  capacity: readonly ServerView[],
  nowMs: number,
  claimServers: number,
): number {
  const bootMs = Math.max(0, policy.bootMs);
  const ready = capacity.filter((s) => s.state === 'ready').length;
  const bootingMs = capacity
    .filter((s) => s.state !== 'ready')
    .map((s) => Math.max(0, nowMs - s.createdAtMs))
    .reduce((sum, ageMs) => sum + (ageMs < bootMs ? ageMs : 0), 0);
  const shortMs = Math.max(0, claimServers - ready) * bootMs;
  return Math.max(0, (bootingMs - shortMs) * policy.slotsPerServer);
}
