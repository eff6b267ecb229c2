import {
  budgetFloor,
  budgetRecoveryPerMinute,
  ProviderError,
  type RequestLimits,
  type RequestStart,
  type RequestWindows,
} from '../../providers/provider.ts';
import { messageOf } from '../base/errors.ts';
import type { RedisClient } from '../base/redis-connection.ts';

/** Redis's own clock, so scalers on different hosts share one. */
const nowMs = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * The per-minute budget in force (KEYS[2] holds the last 429's cut): ARGV[1] is the configured
 * budget, ARGV[2] how much it grows back per minute. Same rule as MemoryRequestWindows.
 */
const budgetNow = `
local function budgetNow()
  local cut = redis.call('HMGET', KEYS[2], 'to', 'atMs')
  if not cut[1] then return tonumber(ARGV[1]) end
  local grown = tonumber(cut[1]) + tonumber(ARGV[2]) * (now - tonumber(cut[2])) / 60000
  return math.min(tonumber(ARGV[1]), math.floor(grown))
end
`;

/**
 * Counts a request only if it fits both windows times its share (ARGV[3] per-hour, ARGV[4] share,
 * ARGV[5] the request id); entries older than an hour are dropped on the way.
 */
const tryStartScript = `${nowMs}${budgetNow}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 3600000)
local function waitMs(windowMs, limit, since)
  local from = '(' .. (now - windowMs)
  if since > now - windowMs then from = since end
  local count = redis.call('ZCOUNT', KEYS[1], from, '+inf')
  if count < limit then return 0 end
  local blocking = redis.call('ZRANGEBYSCORE', KEYS[1], from, '+inf', 'WITHSCORES', 'LIMIT', count - limit, 1)
  return tonumber(blocking[2]) + windowMs - now + 1
end
local budget = budgetNow()
local share = tonumber(ARGV[4])
local perMinute = math.max(1, math.floor(budget * share))
local perHour = math.max(1, math.floor(tonumber(ARGV[3]) * share))
-- A cut budget is a rate from the cut on: requests before it were paid for by the Retry-After.
local cutAt = tonumber(redis.call('HGET', KEYS[2], 'atMs') or '0')
local wait = math.max(waitMs(60000, perMinute, cutAt), waitMs(3600000, perHour, 0))
if wait > 0 then return {wait, budget} end
redis.call('ZADD', KEYS[1], now, ARGV[5])
redis.call('PEXPIRE', KEYS[1], 3600000)
return {0, budget}
`;

/** Moves an ended request to the moment it ended; one already dropped stays dropped. */
const endScript = `${nowMs}
redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])
`;

/**
 * Cuts the budget to half of the last minute's requests (never below the floor, ARGV[4]),
 * unless a cut came after this request (ARGV[3]) started.
 */
const throttledScript = `${nowMs}${budgetNow}
local started = redis.call('ZSCORE', KEYS[1], ARGV[3])
local lastCut = redis.call('HGET', KEYS[2], 'atMs')
if started and lastCut and tonumber(started) <= tonumber(lastCut) then return 0 end
local used = redis.call('ZCOUNT', KEYS[1], '(' .. (now - 60000), '+inf')
local to = math.max(tonumber(ARGV[4]), math.floor(math.min(budgetNow(), used) / 2))
redis.call('HSET', KEYS[2], 'to', to, 'atMs', now)
redis.call('PEXPIRE', KEYS[2], 3600000)
return to
`;

/**
 * A provider's request windows kept in Redis, shared by every scaler process of the cluster: a
 * scaler restarted after a crash inherits the requests its predecessor made, and the budget cut
 * after a 429, rather than a fresh budget on top of them.
 */
export class RedisRequestWindows implements RequestWindows {
  /**
   * @param key sorted set of the requests of the last hour, scored by start (then end) time
   * @param budgetKey hash of the last 429's cut of the per-minute budget; same hash slot as `key`
   */
  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
    private readonly budgetKey: string,
  ) {}

  async tryStart(requestId: string, limits: RequestLimits): Promise<RequestStart> {
    try {
      const [waitMs, perMinute] = (await this.redis.eval(
        tryStartScript,
        2,
        this.key,
        this.budgetKey,
        limits.perMinute,
        budgetRecoveryPerMinute(limits),
        limits.perHour,
        limits.share ?? 1,
        requestId,
      )) as [number, number];
      return { waitMs: Number(waitMs), perMinute: Number(perMinute) };
    } catch (error) {
      // Without the shared count no request may start: it could break the budget.
      throw new ProviderError(`cannot count the API request in Redis: ${messageOf(error)}`, {
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

  async throttled(requestId: string, limits: RequestLimits): Promise<void> {
    // Redis away: this process still pauses for the Retry-After; only the shared cut is lost.
    await this.redis
      .eval(
        throttledScript,
        2,
        this.key,
        this.budgetKey,
        limits.perMinute,
        budgetRecoveryPerMinute(limits),
        requestId,
        budgetFloor(limits),
      )
      .catch(() => {});
  }
}
