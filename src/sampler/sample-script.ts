/**
 * Reads everything the sampler needs of many BullMQ queues inside Redis, so the client pays one
 * command per chunk of queues instead of thirteen per queue (ioredis costs ~10 µs of client CPU
 * per command: at 1000 queues a pipeline of commands took 130 ms, this script a few).
 *
 * It reads BullMQ 6's own key layout (the same keys src/base/redis-keys.ts names); the sampler tests
 * run it against the installed BullMQ. Keys are not declared because queue names are data: under
 * Redis Cluster each queue would need its own hash tag and a call per slot.
 *
 * ARGV: prefix, now (ms), max completions per queue, look-ahead (ms), then per queue: name,
 * finishedOn already seen ('' for none). Per queue it returns: waiting, prioritized, active, due
 * delayed, paused (0/1), jobs ever added, when the longest-waiting ready job became ready (-1 for
 * none), the newest finishedOn seen (-1 for none), all delayed jobs, delayed jobs falling due within
 * the look-ahead, then the number of runtimes followed by the runtimes. Delayed scores are
 * due time × 4096 + a counter, so both counts are one ZCARD and one ZCOUNT.
 */
export const sampleQueuesScript = `
local prefix, now, take = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local dueMax = (now + 1) * 4096 - 1
local aheadMax = (now + tonumber(ARGV[4]) + 1) * 4096 - 1
local out = {}
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
for i = 5, #ARGV, 2 do
  local base = prefix .. ':' .. ARGV[i] .. ':'
  local since = ARGV[i + 1] == '' and '-inf' or ('(' .. ARGV[i + 1])
  out[#out + 1] = redis.call('LLEN', base .. 'wait')
  out[#out + 1] = redis.call('ZCARD', base .. 'prioritized')
  out[#out + 1] = redis.call('LLEN', base .. 'active')
  out[#out + 1] = redis.call('ZCOUNT', base .. 'delayed', 0, dueMax)
  out[#out + 1] = redis.call('HEXISTS', base .. 'meta', 'paused')
  out[#out + 1] = tonumber(redis.call('GET', base .. 'id') or '0') or 0
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
  out[#out + 1] = #runtimes
  for _, r in ipairs(runtimes) do out[#out + 1] = r end
end
return out
`;
