import { Cluster } from 'ioredis';
import type { RedisClient } from '../base/redis-connection.ts';
import { bullKeys } from '../base/redis-keys.ts';
import { groupBySlot } from './key-slot.ts';

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
 * KEYS: one meta key of the call's slot (for Redis Cluster's routing). ARGV: prefix, now (ms), jobs
 * to average, then queue names. Per queue: delayed jobs not yet due,
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

/** Reads every queue's activity in one call (one per hash slot under Cluster); read-only. */
export async function queueActivity(
  redis: RedisClient,
  prefix: string,
  queues: readonly string[],
  nowMs: number,
): Promise<QueueActivity[]> {
  // Under Redis Cluster one call per hash slot, routed by a key of that slot.
  const groups = groupBySlot(queues, prefix, redis instanceof Cluster);
  const replies = await Promise.all(
    groups.map(
      (group) =>
        redis.eval(
          activityScript,
          1,
          bullKeys(prefix, group[0] ?? '').meta,
          prefix,
          String(nowMs),
          String(runtimeJobs),
          ...group,
        ) as Promise<number[]>,
    ),
  );
  const rawOf = new Map(
    groups.flatMap((group, g) => group.map((q, i) => [q, replies[g]?.slice(i * 5, i * 5 + 5) ?? []])),
  );
  return queues.map((queue) => {
    const [upcoming = 0, completed = 0, failed = 0, sum = 0, count = 0] = (rawOf.get(queue) ?? []).map(
      Number,
    );
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
  // Sent at once, not as one pipeline: under Redis Cluster the queues' keys live on several nodes,
  // and ioredis pipelines each connection's commands on the wire anyway (one round trip per node).
  const counts = await Promise.all(
    queues.map((queue) => {
      const keys = bullKeys(prefix, queue);
      return Promise.all([
        redis.zcount(keys.completed, `(${sinceMs}`, nowMs),
        redis.zcount(keys.failed, `(${sinceMs}`, nowMs),
      ]);
    }),
  );
  return {
    completed: counts.reduce((sum, [done]) => sum + done, 0),
    failed: counts.reduce((sum, [, lost]) => sum + lost, 0),
  };
}
