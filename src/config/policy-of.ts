import type { PoolPolicy } from '../core/types.ts';
import type { PoolConfig } from './schema.ts';

/** The pure policy of a pool, exactly as configured; the scaler and the simulator both build it here. */
export function policyOf(pool: PoolConfig): PoolPolicy {
  return {
    minServers: pool.minServers,
    maxServers: pool.maxServers,
    slotsPerServer: pool.slotsPerServer,
    targetWaitMs: pool.targetWaitMs,
    bootMs: pool.bootSeconds * 1000,
    targetUtilisation: pool.targetUtilisation,
    maxStepUp: pool.maxStepUp,
    scaleDownDelayMs: pool.scaleDownDelayMs,
    idleToZeroMs: pool.idleToZeroMs,
    steadyModel: pool.steadyModel,
    forecastTrend: pool.forecastTrend,
    // 0 (the default) keeps no server for its minimum charge: paidUp() returns none.
    paidMinimumMs: pool.keepPaidServersMs,
  };
}
