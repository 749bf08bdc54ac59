--[[
  backoff.lua: adaptive backoff from what a request told about its host (a host event).
    ok            the failure streak resets (an active pause is left to run out).
    throttled     with Retry-After: pause min(retryAfter, cap).
                  without: pause base * 2^(streak-1), capped; streak = consecutive failures.
    conn-failure  same doubling, so a dead host does not burn every worker's attempts.
  Failures that arrive while the host is already paused were in flight before the pause began:
  they do not double it again (N parallel 429s count as one), but a Retry-After may extend it.

  KEYS[1]  host state hash, shared by every crawl (fields pausedUntil ms, pauseSeq, pauseReason, streak)
  KEYS[2]  paused-hosts hash (field = host key, value = JSON {untilMs, reason}), for `status`
  ARGV[1]  host key (the paused-hosts field)
  ARGV[2]  event: 'ok' | 'throttled' | 'conn-failure'
  ARGV[3]  Retry-After in ms, or -1 when absent
  ARGV[4]  cap ms
  ARGV[5]  base ms (the first pause of a streak)
  ARGV[6]  idle ms (the host state expires this long after the pause ends)

  Returns  ms until the host's pause ends (0 if not paused)
]]
local stateKey = KEYS[1]
local pausedKey = KEYS[2]
local host = ARGV[1]
local event = ARGV[2]
local retryAfter = tonumber(ARGV[3])
local capMs = tonumber(ARGV[4])
local baseMs = tonumber(ARGV[5])
local idleMs = tonumber(ARGV[6])

if event == 'ok' then
  redis.call('HDEL', stateKey, 'streak')
  return 0
end

--#include worker/lua/lib/host-pause.lua

local t = redis.call('TIME')
local nowMs = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local untilMs = tonumber(redis.call('HGET', stateKey, 'pausedUntil')) or 0

local ms = -1
local reason
if untilMs > nowMs then
  if retryAfter >= 0 then
    ms = math.min(retryAfter, capMs)
    reason = 'throttled, Retry-After ' .. math.ceil(ms / 1000) .. 's'
  end
else
  local streak = redis.call('HINCRBY', stateKey, 'streak', 1)
  if retryAfter >= 0 then
    ms = math.min(retryAfter, capMs)
    reason = 'throttled, Retry-After ' .. math.ceil(ms / 1000) .. 's'
  else
    ms = math.min(baseMs * math.pow(2, math.min(streak - 1, 40)), capMs)
    reason = event .. ' x' .. streak
  end
end

untilMs = extendPause(nowMs, untilMs, ms, reason)
sweepPaused(nowMs)
local ttl = math.ceil(math.max(untilMs - nowMs, 0) + idleMs)
if redis.call('PTTL', stateKey) < ttl then redis.call('PEXPIRE', stateKey, ttl) end
if untilMs <= nowMs then return 0 end
if redis.call('PTTL', pausedKey) < ttl then redis.call('PEXPIRE', pausedKey, ttl) end
return math.ceil(untilMs - nowMs)
