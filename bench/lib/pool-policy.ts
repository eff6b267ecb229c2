import type { PoolPolicy } from '../../src/core/types.ts';

/** A pool as the scaling benchmark configures it (4 slots, 30 s target, 60 s boots, 0–60 servers). */
export function poolPolicy(overrides: Partial<PoolPolicy> = {}): PoolPolicy {
  return {
    minServers: 0,
    maxServers: 60,
    slotsPerServer: 4,
    targetWaitMs: 30_000,
    bootMs: 60_000,
    targetUtilisation: 0.85,
    maxStepUp: 10,
    scaleDownDelayMs: 120_000,
    idleToZeroMs: 300_000,
    ...overrides,
  };
}
