--[[
  fair.lua: numbers the next n jobs of a crawl for fair sharing (see src/control/fairness.ts).
  A crawl's first call fixes its base level: the lowest level of its priority class now waiting in the
  queue (the turn the fleet is serving), or 0 when the class has nothing waiting. Then every call takes
  the next n sequence numbers of the crawl.

  KEYS[1]  crawl stats hash (fields fairBase, fairSeq)
  KEYS[2]  the queue's BullMQ prioritized zset (score = priority * 2^32 + counter)
  ARGV[1]  n, jobs to number
  ARGV[2]  first priority of the crawl's class (level 0)
  ARGV[3]  levels per class (the class's last priority is first + levels - 1)

  Returns  {base level, first sequence number}
]]
local n = tonumber(ARGV[1])
local first = tonumber(ARGV[2])
local levels = tonumber(ARGV[3])
local two32 = 4294967296

local base = redis.call('HGET', KEYS[1], 'fairBase')
if not base then
  base = 0
  local lo = string.format('%.0f', first * two32)
  local hi = string.format('(%.0f', (first + levels) * two32)
  local top = redis.call('ZRANGEBYSCORE', KEYS[2], lo, hi, 'WITHSCORES', 'LIMIT', 0, 1)
  if #top > 0 then
    base = math.floor(tonumber(top[2]) / two32) - first
  end
  redis.call('HSET', KEYS[1], 'fairBase', base)
end
local last = redis.call('HINCRBY', KEYS[1], 'fairSeq', n)
return {tonumber(base), last - n}
