import type { RedisClient } from '../base/redis-connection.ts';
import { type KeySpace, type ScalerKeys, scalerKeys } from '../base/redis-keys.ts';
import type { ServerState } from '../core/types.ts';

/**
 * What the leader saw of one pool at one tick. The history keeps per-interval aggregates of these,
 * so a peak between two page refreshes still shows as the interval's maximum.
 */
export interface PoolTick {
  oldestWaitMs: number;
  backlog: number;
  desired: number;
  /** Recorded servers by lifecycle state at this tick. */
  servers: Partial<Record<ServerState, number>>;
  /** Jobs of the pool's queues that completed, and that failed, since the previous tick. */
  completed: number;
  failed: number;
  /** What the pool's billed servers cost per hour; undefined when the provider cannot price them. */
  costPerHourUsd: number | undefined;
  /** How long this tick stands for (since the previous one, capped): it weighs rates and spend. */
  elapsedMs: number;
}

/** One interval of one pool's history, as the status page charts it. */
export interface HistoryBucket {
  /** Start of the interval. */
  atMs: number;
  spanMs: number;
  ticks: number;
  oldestWaitMaxMs: number;
  oldestWaitMeanMs: number;
  backlogMax: number;
  backlogMean: number;
  /** The desired count at the interval's last tick, and the highest one within it. */
  desired: number;
  desiredMax: number;
  /** Servers by state at the interval's last tick. */
  servers: Partial<Record<ServerState, number>>;
  completedPerMin: number;
  failed: number;
  costPerHourUsd: number | null;
  /** What the pool's servers cost during the interval (USD). */
  spentUsd: number;
}

/** A change of a pool's desired count, shown as a marker on the charts. */
export interface ScaleMark {
  atMs: number;
  pool: string;
  from: number;
  to: number;
  /** Why, in plain words. */
  words: string;
}

export type HistoryRange = '15m' | '1h' | '24h';
export const historyRanges: Record<HistoryRange, number> = {
  '15m': 900_000,
  '1h': 3_600_000,
  '24h': 86_400_000,
};

/**
 * Two rings per pool: 10 s intervals for the last hour, 5 min intervals for the last day. A page
 * reading 24 h gets 288 points instead of 8,640; each ring is a few tens of KB in RedisClient.
 */
export const resolutions = {
  fine: { bucketMs: 10_000, buckets: 360 },
  coarse: { bucketMs: 300_000, buckets: 288 },
} as const;
type Resolution = keyof typeof resolutions;
/** Scale marks kept per pool: days of ordinary scaling. */
const marksKept = 500;

/**
 * Merges one tick into the interval it falls in, for each ring (KEYS: fine, coarse); a new
 * interval drops the oldest ones past the ring's size. Atomic, so a standby taking over mid-interval
 * adds to what the old leader wrote instead of overwriting it.
 * ARGV: now, tick JSON, then per ring: interval ms, intervals kept.
 */
const recordScript = `
local now, tick = tonumber(ARGV[1]), cjson.decode(ARGV[2])
for r = 1, #KEYS do
  local size, kept = tonumber(ARGV[1 + 2 * r]), tonumber(ARGV[2 + 2 * r])
  local field = tostring(math.floor(now / size) * size)
  local raw = redis.call('HGET', KEYS[r], field)
  local b
  if raw then
    b = cjson.decode(raw)
    b.n = b.n + 1
    b.wMax = math.max(b.wMax, tick.w); b.wSum = b.wSum + tick.w
    b.bMax = math.max(b.bMax, tick.b); b.bSum = b.bSum + tick.b
    b.dMax = math.max(b.dMax, tick.d)
    b.c = b.c + tick.c; b.f = b.f + tick.f; b.usd = b.usd + tick.usd; b.ms = b.ms + tick.ms
  else
    b = { n = 1, wMax = tick.w, wSum = tick.w, bMax = tick.b, bSum = tick.b, dMax = tick.d,
      c = tick.c, f = tick.f, usd = tick.usd, ms = tick.ms }
  end
  b.d = tick.d; b.s = tick.s; b.cph = tick.cph
  redis.call('HSET', KEYS[r], field, cjson.encode(b))
  if not raw and redis.call('HLEN', KEYS[r]) > kept then
    local fields = redis.call('HKEYS', KEYS[r])
    table.sort(fields, function(x, y) return tonumber(x) < tonumber(y) end)
    for i = 1, #fields - kept do redis.call('HDEL', KEYS[r], fields[i]) end
  end
  redis.call('PEXPIRE', KEYS[r], size * kept * 2)
end
return 'ok'
`;

/** Stored form of one interval (short names: a day of history is read on every 24 h refresh). */
interface StoredBucket {
  n: number;
  wMax: number;
  wSum: number;
  bMax: number;
  bSum: number;
  d: number;
  dMax: number;
  s: Partial<Record<ServerState, number>> | unknown[];
  c: number;
  f: number;
  usd: number;
  ms: number;
  cph?: number;
}

/**
 * Pools' history in RedisClient, written by the leader every tick and read by any status page, so
 * charts survive restarts and standby takeovers and a page needs no scaler in its process.
 */
export class HistoryStore {
  private readonly keys: ScalerKeys;

  constructor(
    private readonly redis: RedisClient,
    space: KeySpace,
  ) {
    this.keys = scalerKeys(space);
  }

  /** Adds one tick of every pool, in one round trip. */
  async record(ticks: ReadonlyMap<string, PoolTick>, nowMs: number): Promise<void> {
    if (ticks.size === 0) return;
    const pipeline = this.redis.pipeline();
    for (const [pool, tick] of ticks) {
      const stored = {
        w: tick.oldestWaitMs,
        b: tick.backlog,
        d: tick.desired,
        s: tick.servers,
        c: tick.completed,
        f: tick.failed,
        usd: ((tick.costPerHourUsd ?? 0) * tick.elapsedMs) / 3_600_000,
        ms: tick.elapsedMs,
        cph: tick.costPerHourUsd,
      };
      const rings = (['fine', 'coarse'] as const).map((r) => this.keys.history(pool, r));
      const sizes = (['fine', 'coarse'] as const).flatMap((r) => [
        String(resolutions[r].bucketMs),
        String(resolutions[r].buckets),
      ]);
      pipeline.eval(recordScript, 2, ...rings, String(nowMs), JSON.stringify(stored), ...sizes);
    }
    await execOrThrow(pipeline);
  }

  /** Remembers a change of the desired count, for the charts' markers. */
  async mark(mark: ScaleMark): Promise<void> {
    const key = this.keys.historyMarks(mark.pool);
    await this.redis
      .multi()
      .lpush(key, JSON.stringify(mark))
      .ltrim(key, 0, marksKept - 1)
      .pexpire(key, 2 * historyRanges['24h'])
      .exec();
  }

  /** One pool's intervals within `range` of now, oldest first. */
  async read(pool: string, range: HistoryRange, nowMs: number): Promise<HistoryBucket[]> {
    const resolution: Resolution = range === '24h' ? 'coarse' : 'fine';
    const { bucketMs } = resolutions[resolution];
    const since = nowMs - historyRanges[range];
    const raw = await this.redis.hgetall(this.keys.history(pool, resolution));
    return Object.entries(raw)
      .map(([field, json]) => toBucket(Number(field), bucketMs, JSON.parse(json) as StoredBucket))
      .filter((b) => b.atMs + b.spanMs > since)
      .sort((a, b) => a.atMs - b.atMs);
  }

  /** One pool's scale marks since `sinceMs`, oldest first. */
  async marks(pool: string, sinceMs: number): Promise<ScaleMark[]> {
    const raw = await this.redis.lrange(this.keys.historyMarks(pool), 0, marksKept - 1);
    return raw
      .map((json) => JSON.parse(json) as ScaleMark)
      .filter((m) => m.atMs >= sinceMs)
      .reverse();
  }

  /** What the pools' servers cost since `sinceMs` (USD), as far as the history recorded it. */
  async spentSince(pools: readonly string[], sinceMs: number, nowMs: number): Promise<number> {
    const days = await Promise.all(pools.map((pool) => this.read(pool, '24h', nowMs)));
    return days
      .flat()
      .reduce((sum, b) => sum + (b.atMs >= sinceMs ? b.spentUsd : partialSpend(b, sinceMs)), 0);
  }
}

/** An interval that started before `sinceMs` counts for the share of it after that moment. */
function partialSpend(b: HistoryBucket, sinceMs: number): number {
  const after = b.atMs + b.spanMs - sinceMs;
  return after <= 0 ? 0 : (b.spentUsd * after) / b.spanMs;
}

function toBucket(atMs: number, spanMs: number, s: StoredBucket): HistoryBucket {
  return {
    atMs,
    spanMs,
    ticks: s.n,
    oldestWaitMaxMs: s.wMax,
    oldestWaitMeanMs: s.wSum / s.n,
    backlogMax: s.bMax,
    backlogMean: s.bSum / s.n,
    desired: s.d,
    desiredMax: s.dMax,
    // Lua's cjson writes an empty table as [], not {}.
    servers: Array.isArray(s.s) ? {} : s.s,
    completedPerMin: s.ms > 0 ? (s.c * 60_000) / s.ms : 0,
    failed: s.f,
    costPerHourUsd: s.cph ?? null,
    spentUsd: s.usd,
  };
}

async function execOrThrow(pipeline: ReturnType<RedisClient['pipeline']>): Promise<void> {
  const results = await pipeline.exec();
  for (const [error] of results ?? []) if (error) throw error;
}
