import type { PoolPolicy } from '../../src/core/types.ts';

/** The small pool the decide() unit tests reason about: 2 slots, 10 s target, 4 s boots, 0–10 servers. */
export const smallPool: PoolPolicy = {
  minServers: 0,
  maxServers: 10,
  slotsPerServer: 2,
  targetWaitMs: 10_000,
  bootMs: 4_000,
  targetUtilisation: 1,
  maxStepUp: 5,
  scaleDownDelayMs: 30_000,
  idleToZeroMs: 60_000,
};
