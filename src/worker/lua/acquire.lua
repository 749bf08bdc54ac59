--[[
  acquire.lua: ask for one request slot on a host, atomically for the whole fleet.
  The clock is Redis TIME, so every worker on every machine shares one clock.

  Rate is a strict spacing limiter: a grant is only given when now >= next, and then sets
  next = now + ceil(1e6 / rate) microseconds. Any two grants are therefore at least 1/rate apart,
  so no half-open 1-second window ever holds more than ceil(rate) grants.
  Concurrency is a sorted set of leases (token -> expiry ms); expired leases (dead workers) are
  dropped here before counting.

  KEYS[1]  host state hash: next (us), pausedUntil (ms), pauseReason, streak, hold (ms, EWMA)
  KEYS[2]  host slots zset: member = lease token, score = lease expiry (ms)
  ARGV[1]  lease token
  ARGV[2]  rate in requests per second (float; 0 = no rate limit)
  ARGV[3]  concurrency (0 = unlimited)
  ARGV[4]  lease ms (a slot not released is given back after this)
  ARGV[5]  idle ms (the keys expire this long after the host's last activity)

  Returns  {1, grantedAtUs}                  granted
           {0, waitMs, 'paused'|'concurrency'|'rate'}   not granted; try again in waitMs
]]
local stateKey = KEYS[1]
local slotsKey = KEYS[2]
local token = ARGV[1]
local rate = tonumber(ARGV[2])
local concurrency = tonumber(ARGV[3])
local leaseMs = tonumber(ARGV[4])
local idleMs = tonumber(ARGV[5])

local t = redis.call('TIME')
local nowUs = tonumber(t[1]) * 1000000 + tonumber(t[2])
local nowMs = nowUs / 1000

local st = redis.call('HMGET', stateKey, 'pausedUntil', 'next', 'hold')
local pausedUntil = tonumber(st[1]) or 0
if pausedUntil > nowMs then
  return {0, math.ceil(pausedUntil - nowMs), 'paused'}
end

-- Crash recovery: a lease past its expiry belongs to a dead (or hung) worker.
redis.call('ZREMRANGEBYSCORE', slotsKey, '-inf', nowMs)

local concWait = 0
if concurrency > 0 then
  local held = redis.call('ZCARD', slotsKey)
  if redis.call('ZSCORE', slotsKey, token) then held = held - 1 end
  if held >= concurrency then
    -- Expect the oldest lease back after the host's typical hold time; never later than its expiry.
    local oldest = redis.call('ZRANGE', slotsKey, 0, 0, 'WITHSCORES')
    local expiry = tonumber(oldest[2])
    local hold = tonumber(st[3]) or 1000
    concWait = math.max(expiry - leaseMs + hold - nowMs, hold / 4, 10)
    concWait = math.max(math.min(concWait, expiry - nowMs), 1)
  end
end

local nextUs = tonumber(st[2]) or 0
local rateWait = 0
if rate > 0 and nextUs > nowUs then
  rateWait = (nextUs - nowUs) / 1000
end

if concWait > 0 or rateWait > 0 then
  if concWait >= rateWait then
    return {0, math.ceil(concWait), 'concurrency'}
  end
  return {0, math.ceil(rateWait), 'rate'}
end

local ttl = leaseMs + idleMs
if rate > 0 then
  nextUs = nowUs + math.ceil(1000000 / rate)
  redis.call('HSET', stateKey, 'next', string.format('%.0f', nextUs))
  ttl = math.max(ttl, (nextUs - nowUs) / 1000 + idleMs)
end
redis.call('ZADD', slotsKey, string.format('%.3f', nowMs + leaseMs), token)
redis.call('PEXPIRE', slotsKey, math.ceil(leaseMs + idleMs))
if redis.call('PTTL', stateKey) < ttl then
  redis.call('PEXPIRE', stateKey, math.ceil(ttl))
end
return {1, nowUs}
