/**
 * Reads everything the sampler needs of many BullMQ queues inside Redis, so the client pays one
 * command per chunk of queues instead of thirteen per queue (ioredis costs ~10 µs of client CPU
 * per command: at 1000 queues a pipeline of commands took 130 ms, this script a few).
 *
 * It reads BullMQ 6's own key layout (the same keys src/base/redis-keys.ts names); the sampler
 * tests run it against the installed BullMQ. Every queue of one call lives in one hash slot (the
 * sampler groups them so), and KEYS names each queue's meta key so Redis Cluster routes the call
 * to the node owning that slot; the other keys of a queue share its slot.
 *
 * KEYS: per queue, its meta key. ARGV: prefix, now (ms), max completions per queue, look-ahead
 * (ms), then per queue: name, finishedOn already seen ('' for none). Delayed scores are due time ×
 * 4096 + a counter, so the delayed counts are one ZCARD and one ZCOUNT.
 *
 * It returns one array per queue, in order: either the values `sampleFields` names followed by the
 * runtimes of newly completed jobs, or `{'error', message}` when reading that queue failed (a key
 * of the wrong type, say): one broken queue must not hide the others.
 */
export const sampleQueuesScript = `
local prefix, now, take = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local dueMax = (now + 1) * 4096 - 1
local aheadMax = (now + tonumber(ARGV[4]) + 1) * 4096 - 1
-- A finite number, or nil: tonumber() accepts 'nan' and 'inf', which are no timestamps.
local function finite(value)
  local n = tonumber(value)
  if n and n == n and n ~= math.huge and n ~= -math.huge then return n end
  return nil
end
local function readyAt(base, id)
  if not id then return nil end
  local f = redis.call('HMGET', base .. id, 'timestamp', 'delay')
  local t = finite(f[1])
  if not t then return nil end
  return t + (finite(f[2]) or 0)
end
-- One queue's values, in the order of sampleFields, then its new runtimes.
local function sampleQueue(base, seen)
  local since = seen == '' and '-inf' or ('(' .. seen)
  local out = {
    redis.call('LLEN', base .. 'wait'),
    redis.call('ZCARD', base .. 'prioritized'),
    redis.call('LLEN', base .. 'active'),
    redis.call('ZCOUNT', base .. 'delayed', 0, dueMax),
    redis.call('HEXISTS', base .. 'meta', 'paused'),
    tonumber(redis.call('GET', base .. 'id') or '0') or 0,
  }
  local oldest = -1
  local heads = {
    redis.call('LINDEX', base .. 'wait', -1),
    redis.call('ZRANGE', base .. 'prioritized', 0, 0)[1],
    redis.call('ZRANGEBYSCORE', base .. 'delayed', 0, dueMax, 'LIMIT', 0, 1)[1],
  }
  for j = 1, 3 do
    local at = readyAt(base, heads[j])
    if at and (oldest < 0 or at < oldest) then oldest = at end
  end
  out[#out + 1] = oldest
  local runtimes, newest = {}, -1
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', base .. 'completed', since, '+inf', 'LIMIT', 0, take)) do
    local f = redis.call('HMGET', base .. id, 'processedOn', 'finishedOn')
    local started, finished = finite(f[1]), finite(f[2])
    if started and finished then
      if finished > newest then newest = finished end
      if finished >= started then runtimes[#runtimes + 1] = finished - started end
    end
  end
  out[#out + 1] = newest
  out[#out + 1] = redis.call('ZCARD', base .. 'delayed')
  out[#out + 1] = redis.call('ZCOUNT', base .. 'delayed', '(' .. dueMax, aheadMax)
  for _, r in ipairs(runtimes) do out[#out + 1] = r end
  return out
end
local replies = {}
for i = 5, #ARGV, 2 do
  local ok, result = pcall(sampleQueue, prefix .. ':' .. ARGV[i] .. ':', ARGV[i + 1])
  if ok then
    replies[#replies + 1] = result
  else
    -- redis.call raises a table {err = ...}; anything else is a plain Lua error.
    local message = type(result) == 'table' and (result.err or result.message) or tostring(result)
    replies[#replies + 1] = { 'error', tostring(message) }
  end
end
return replies
`;

/**
 * The values the script returns per queue before the runtimes, in order. A new per-queue value is
 * one more line in sampleQueue's `out` and one more name here.
 */
export const sampleFields = [
  'waiting',
  'prioritized',
  'active',
  'dueDelayed',
  'paused',
  'addedTotal',
  /** When the longest-waiting ready job became ready; -1 for none. */
  'readyAtMs',
  /** The newest finishedOn seen among the completions read; -1 for none. */
  'newestFinishedOn',
  /** Every delayed job, due or not. */
  'delayedTotal',
  /** Delayed jobs falling due within the look-ahead (not yet due). */
  'upcomingDelayed',
] as const;

export type SampleField = (typeof sampleFields)[number];
