import type { PoolPolicy } from './types.ts';

/** How far ahead the sampler looks for delayed jobs: one boot and a margin (the pool step passes it to the sampler). */
export function lookAheadMs(policy: PoolPolicy): number {
  return Math.round(policy.bootMs * lookAheadBoots);
}

/**
 * Delayed jobs count as backlog this many boot times before they fall due: servers bought then are up
 * when the jobs are (the boot estimate is a p90), with a margin for the tick and the create call.
 */
export const lookAheadBoots = 1.3;
