import type { RedisClient } from '../base/redis-connection.ts';
import { type KeySpace, type ScalerKeys, scalerKeys } from '../base/redis-keys.ts';
import type { BurstEpisode } from '../core/burst-memory.ts';
import type { Learned } from '../core/pool-step.ts';

/**
 * What the policy learned and should not forget on a restart: runtimes per queue (without them a
 * restarted scaler planned 50 ms jobs as 1 s ones and bought 60 servers) and bursts per pool.
 */
export class LearnedStore {
  private readonly keys: ScalerKeys;

  constructor(
    private readonly redis: RedisClient,
    space: KeySpace,
  ) {
    this.keys = scalerKeys(space);
  }

  async load(pool: string, queues: readonly string[]): Promise<Learned> {
    const [runtimes, bursts] = await Promise.all([
      queues.length === 0 ? Promise.resolve([]) : this.redis.hmget(this.keys.learnedRuntimes, ...queues),
      this.redis.hget(this.keys.learnedBursts, pool),
    ]);
    const runtimesMs = new Map<string, number>();
    queues.forEach((q, i) => {
      const ms = Number(runtimes[i] ?? Number.NaN);
      if (Number.isFinite(ms) && ms > 0) runtimesMs.set(q, ms);
    });
    return { runtimesMs, bursts: parseEpisodes(bursts) };
  }

  async save(pool: string, learned: Learned): Promise<void> {
    const pipeline = this.redis.pipeline();
    if (learned.runtimesMs.size > 0)
      pipeline.hset(
        this.keys.learnedRuntimes,
        Object.fromEntries([...learned.runtimesMs].map(([q, ms]) => [q, String(Math.round(ms))])),
      );
    pipeline.hset(this.keys.learnedBursts, pool, JSON.stringify(learned.bursts));
    await pipeline.exec();
  }
}

/** Only well-formed episodes: a hand-edited or older value must never break a tick. */
function parseEpisodes(raw: string | null): BurstEpisode[] {
  if (raw === null) return [];
  try {
    const value: unknown = JSON.parse(raw);
    if (!Array.isArray(value)) return [];
    return value.filter(
      (e): e is BurstEpisode =>
        typeof e === 'object' &&
        e !== null &&
        [e.startAtMs, e.peak, e.early].every((n) => typeof n === 'number' && Number.isFinite(n)),
    );
  } catch {
    return [];
  }
}
