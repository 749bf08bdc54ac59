--[[
  lib/gate-acquire.lua: the body of acquire.lua as the function gateAcquire(KEYS, ARGV), for acquire.lua and
  gate-batch.lua (each names it in a `--#include` line, which lua.ts replaces by this text). KEYS, ARGV and the
  reply: see acquire.lua.
]]
-- The script's body as a function of its KEYS and ARGV (named so, the body reads as a script's).
local function gateAcquire(KEYS, ARGV)
  local hostKey = KEYS[1]
  local crawlKey = KEYS[2]
  local slotsKey = KEYS[3]
  local delayedKey = KEYS[4]
  local token = ARGV[1]
  local rate = tonumber(ARGV[2])
  local concurrency = tonumber(ARGV[3])
  local leaseMs = tonumber(ARGV[4])
  local idleMs = tonumber(ARGV[5])
  local mode = tonumber(ARGV[6]) or 0
  local host = ARGV[7]
  local floor = tonumber(ARGV[8]) or 0
  -- Turns are booked further apart than the expected time per request (5%, at least 25 ms), so that a
  -- job woken a little late does not make the next one early: an early job costs another round trip,
  -- and without slack those round trips cascade. At 2/s a backlogged host gets ~95% of its rate.
  local BOOK_SLACK = 1.05
  local BOOK_SLACK_MIN_US = 25000

  local t = redis.call('TIME')
  local nowUs = tonumber(t[1]) * 1000000 + tonumber(t[2])
  local nowMs = nowUs / 1000

  local hs = redis.call('HMGET', hostKey, 'pausedUntil', 'hold', 'last', 'pauseSeq')
  local pausedUntil = tonumber(hs[1]) or 0
  local hold = tonumber(hs[2]) or 1000
  local lastUs = tonumber(hs[3]) or 0
  local pauseSeq = hs[4] or '0'
  local cs = redis.call('HMGET', crawlKey, 'next', 'tail', 'pauseSeq')
  local tailUs = tonumber(cs[2]) or 0
  -- A pause since this crawl last booked voids its book: turns start again at the pause's end.
  if (cs[3] or '0') ~= pauseSeq then tailUs = pausedUntil * 1000 end

  local function extend(key, ttl)
    if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, math.ceil(ttl)) end
  end

  -- Hands out the crawl's next turn at or after `earliestUs` and returns the denial for it.
  local function book(earliestUs, reason)
    local stepUs = 0
    local why = 'paused'
    if rate > 0 then
      stepUs = 1000000 / rate
      why = 'rate ' .. string.format('%g', rate) .. '/s'
      -- The crawl's rate is already at most the floor (resolveLimits): name the floor when it is the one.
      if floor > 0 and rate >= floor * 0.999999 then
        why = 'Crawl-delay ' .. string.format('%g', 1 / floor) .. 's'
      end
    end
    if concurrency > 0 and hold * 1000 / concurrency > stepUs then
      stepUs = hold * 1000 / concurrency
      why = 'concurrency ' .. concurrency
    end
    local wakeUs = math.max(tailUs, earliestUs)
    local newTail = wakeUs
    -- No limit but a pause: everyone may go when it ends.
    if stepUs > 0 then newTail = wakeUs + math.max(stepUs * BOOK_SLACK, stepUs + BOOK_SLACK_MIN_US) end
    redis.call('HSET', crawlKey, 'tail', string.format('%.0f', newTail), 'pauseSeq', pauseSeq, 'waitReason', why)
    local ttl = (newTail - nowUs) / 1000 + idleMs
    extend(crawlKey, ttl)
    -- Published for `status` and `cancel`; ended backlogs are swept.
    redis.call('ZADD', delayedKey, math.ceil(newTail / 1000), host)
    redis.call('ZREMRANGEBYSCORE', delayedKey, '-inf', nowMs)
    extend(delayedKey, ttl)
    return {0, math.max(1, math.ceil((wakeUs - nowUs) / 1000)), reason, 1}
  end

  if pausedUntil > nowMs then
    if mode > 0 then return book(pausedUntil * 1000, 'paused') end
    return {0, math.ceil(pausedUntil - nowMs), 'paused', 0}
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
      concWait = math.max(expiry - leaseMs + hold - nowMs, hold / 4, 10)
      concWait = math.max(math.min(concWait, expiry - nowMs), 1)
    end
  end

  local nextUs = tonumber(cs[1]) or 0
  local rateWait = 0
  if rate > 0 and nextUs > nowUs then
    rateWait = (nextUs - nowUs) / 1000
  end
  -- The floor counts every crawl's requests: the latest grant at the host, whoever asked.
  if floor > 0 and lastUs + 1000000 / floor > nowUs then
    rateWait = math.max(rateWait, (lastUs + 1000000 / floor - nowUs) / 1000)
  end

  if concWait > 0 or rateWait > 0 then
    local reason = 'rate'
    local waitMs = rateWait
    if concWait >= rateWait then
      reason = 'concurrency'
      waitMs = concWait
    end
    if mode == 1 then return book(nowUs + waitMs * 1000, reason) end
    return {0, math.ceil(waitMs), reason, 0}
  end

  -- A free slot, but the crawl's jobs have booked the turns before it: a newcomer queues behind them.
  if mode == 1 and tailUs > nowUs then
    return book(nowUs, 'rate')
  end

  local ttl = leaseMs + idleMs
  if rate > 0 then
    nextUs = nowUs + math.ceil(1000000 / rate)
    redis.call('HSET', crawlKey, 'next', string.format('%.0f', nextUs))
    ttl = math.max(ttl, (nextUs - nowUs) / 1000 + idleMs)
    extend(crawlKey, ttl)
  end
  redis.call('HSET', hostKey, 'last', string.format('%.0f', nowUs))
  extend(hostKey, ttl)
  redis.call('ZADD', slotsKey, string.format('%.3f', nowMs + leaseMs), token)
  redis.call('PEXPIRE', slotsKey, math.ceil(leaseMs + idleMs))
  return {1, nowUs}
end
