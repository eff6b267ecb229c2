import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ProviderError, type RequestLimits, type RequestWindows } from '../providers/provider.ts';

/**
 * Counts a request start only if it fits both windows. Time is Redis's own, so scalers on
 * different hosts share one clock; entries older than an hour are dropped on the way.
 */
const tryStartScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
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

/**
 * A provider's request windows kept in Redis, shared by every scaler process of the cluster: a
 * scaler restarted after a crash inherits the requests its predecessor made, rather than a fresh
 * budget on top of them.
 */
export class RedisRequestWindows implements RequestWindows {
  private readonly instance = randomUUID();
  private started = 0;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
  ) {}

  async tryStart(limits: RequestLimits): Promise<number> {
    const member = `${this.instance}:${this.started++}`;
    try {
      const waitMs = await this.redis.eval(
        tryStartScript,
        1,
        this.key,
        limits.perMinute,
        limits.perHour,
        member,
      );
      return Number(waitMs);
    } catch (error) {
      // Without the shared count no request may start: it could break the budget.
      throw new ProviderError(`cannot count the API request in Redis: ${(error as Error).message}`, {
        retryable: true,
        cause: error,
      });
    }
  }
}
