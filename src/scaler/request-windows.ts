import { ProviderError, type RequestLimits, type RequestWindows } from '../../providers/provider.ts';
import type { RedisClient } from '../base/redis-connection.ts';

/** Redis's own clock, so scalers on different hosts share one. */
const nowMs = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/** Counts a request only if it fits both windows; entries older than an hour are dropped on the way. */
const tryStartScript = `${nowMs}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 3600000)
local function waitMs(windowMs, limit)
  local from = '(' .. (now - windowMs)
  local count = redis.call('ZCOUNT', KEYS[1], from, '+inf')
  if count < limit then return 0 end
  local blocking = redis.call('ZRANGEBYSCORE', KEYS[1], from, '+inf', 'WITHSCORES', 'LIMIT', count - limit, 1)
  return tonumber(blocking[2]) + windowMs - now + 1
end
local wait = math.max(waitMs(60000, tonumber(ARGV[1])), waitMs(3600000, tonumber(ARGV[2])))
if wait > 0 then return wait end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], 3600000)
return 0
`;

/** Moves an ended request to the moment it ended; one already dropped stays dropped. */
const endScript = `${nowMs}
redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])
`;

/**
 * A provider's request windows kept in Redis, shared by every scaler process of the cluster: a
 * scaler restarted after a crash inherits the requests its predecessor made, rather than a fresh
 * budget on top of them.
 */
export class RedisRequestWindows implements RequestWindows {
  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
  ) {}

  async tryStart(requestId: string, limits: RequestLimits): Promise<number> {
    try {
      return Number(
        await this.redis.eval(tryStartScript, 1, this.key, limits.perMinute, limits.perHour, requestId),
      );
    } catch (error) {
      // Without the shared count no request may start: it could break the budget.
      throw new ProviderError(`cannot count the API request in Redis: ${(error as Error).message}`, {
        retryable: true,
        cause: error,
      });
    }
  }

  async end(requestId: string): Promise<void> {
    // An answer is never thrown away for bookkeeping: if Redis is away, the request keeps counting
    // at its start, which can undercount a window edge by its transit time, no more.
    await this.redis.eval(endScript, 1, this.key, requestId).catch(() => {});
  }
}
