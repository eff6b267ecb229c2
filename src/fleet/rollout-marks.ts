import type { RedisClient } from '../base/redis-connection.ts';
import { type KeySpace, type ScalerKeys, scalerKeys } from '../base/redis-keys.ts';

/**
 * `rollout restart <pool>` marks, in Redis so every scaler and CLI sees them: a pool's servers
 * created before its mark are outdated and get replaced by the rolling surge-and-drain. A mark
 * outlives restarts, which is what makes a rollout resumable: what is outdated is derived from
 * the records each tick, never held in memory alone.
 */
export class RolloutMarks {
  private readonly keys: ScalerKeys;

  constructor(
    private readonly redis: RedisClient,
    space: KeySpace,
  ) {
    this.keys = scalerKeys(space);
  }

  async restart(pool: string, atMs: number): Promise<void> {
    await this.redis.set(this.keys.rolloutRestart(pool), String(atMs));
  }

  /** Each pool's latest restart mark. */
  async restartedAt(pools: readonly string[]): Promise<Map<string, number>> {
    const result = new Map<string, number>();
    if (pools.length === 0) return result;
    const raw = await this.redis.mget(pools.map((p) => this.keys.rolloutRestart(p)));
    pools.forEach((pool, i) => {
      const value = Number(raw[i] ?? Number.NaN);
      if (Number.isFinite(value)) result.set(pool, value);
    });
    return result;
  }
}
