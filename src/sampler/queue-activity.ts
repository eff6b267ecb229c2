import type { RedisClient } from '../base/redis-connection.ts';
import { bullKeys } from '../base/redis-keys.ts';

/** What a status page shows of one queue beyond the scaler's sample. */
export interface QueueActivity {
  queue: string;
  /** Delayed jobs not yet due. */
  upcomingDelayed: number;
  /** Jobs completed in the last minute, as far as BullMQ keeps completed jobs. */
  completedLastMinute: number;
  /** Jobs failed in the last hour, as far as BullMQ keeps failed jobs. */
  failedLastHour: number;
  /** Mean runtime of the newest completed jobs; null when none is kept. */
  runtimeMs: number | null;
}

/** Newest completions averaged for the runtime column. */
const runtimeJobs = 20;

/**
 * ARGV: prefix, now (ms), jobs to average, then queue names. Per queue: delayed jobs not yet due,
 * completed in the last minute, failed in the last hour, sum and count of the newest runtimes.
 * Completed and failed sets are scored by finishedOn, so the counts are ZCOUNTs.
 */
const activityScript = `
local prefix, now, take = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local out = {}
for i = 4, #ARGV do
  local base = prefix .. ':' .. ARGV[i] .. ':'
  out[#out + 1] = redis.call('ZCOUNT', base .. 'delayed', (now + 1) * 4096, '+inf')
  out[#out + 1] = redis.call('ZCOUNT', base .. 'completed', '(' .. (now - 60000), '+inf')
  out[#out + 1] = redis.call('ZCOUNT', base .. 'failed', '(' .. (now - 3600000), '+inf')
  local sum, count = 0, 0
  for _, id in ipairs(redis.call('ZREVRANGE', base .. 'completed', 0, take - 1)) do
    local f = redis.call('HMGET', base .. id, 'processedOn', 'finishedOn')
    local started, finished = tonumber(f[1]), tonumber(f[2])
    if started and finished and finished >= started then sum = sum + finished - started; count = count + 1 end
  end
  out[#out + 1] = sum
  out[#out + 1] = count
end
return out
`;

/** Reads every queue's activity in one call; read-only, so any status page may run it. */
export async function queueActivity(
  redis: RedisClient,
  prefix: string,
  queues: readonly string[],
  nowMs: number,
): Promise<QueueActivity[]> {
  if (queues.length === 0) return [];
  const raw = (await redis.eval(
    activityScript,
    0,
    prefix,
    String(nowMs),
    String(runtimeJobs),
    ...queues,
  )) as number[];
  return queues.map((queue, i) => {
    const [upcoming = 0, completed = 0, failed = 0, sum = 0, count = 0] = raw
      .slice(i * 5, i * 5 + 5)
      .map(Number);
    return {
      queue,
      upcomingDelayed: upcoming,
      completedLastMinute: completed,
      failedLastHour: failed,
      runtimeMs: count > 0 ? sum / count : null,
    };
  });
}

/** Jobs of `queues` completed and failed in (sinceMs, nowMs], in one round trip: the history's throughput. */
export async function finishedBetween(
  redis: RedisClient,
  prefix: string,
  queues: readonly string[],
  sinceMs: number,
  nowMs: number,
): Promise<{ completed: number; failed: number }> {
  if (queues.length === 0) return { completed: 0, failed: 0 };
  const pipeline = redis.pipeline();
  for (const queue of queues) {
    const keys = bullKeys(prefix, queue);
    pipeline.zcount(keys.completed, `(${sinceMs}`, nowMs);
    pipeline.zcount(keys.failed, `(${sinceMs}`, nowMs);
  }
  const results = (await pipeline.exec()) ?? [];
  let completed = 0;
  let failed = 0;
  results.forEach(([error, value], i) => {
    if (error) throw error;
    if (i % 2 === 0) completed += Number(value);
    else failed += Number(value);
  });
  return { completed, failed };
}
