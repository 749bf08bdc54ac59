--[[
  pause.lua: pause a host fleet-wide, for every crawl (429/503 with Retry-After, or an explicit pause).
  A pause is never shortened: the later of the current and the requested end wins.

  KEYS[1]  host state hash, shared by every crawl (fields pausedUntil ms, pauseSeq, pauseReason)
  KEYS[2]  paused-hosts hash (field = host key, value = JSON {untilMs, reason}), for `status`
  ARGV[1]  host key (the paused-hosts field)
  ARGV[2]  pause length ms
  ARGV[3]  reason
  ARGV[4]  idle ms (the host state expires this long after the pause ends)

  Returns  ms until the host's pause ends (0 if not paused)
]]
local stateKey = KEYS[1]
local pausedKey = KEYS[2]
local host = ARGV[1]
local ms = tonumber(ARGV[2])
local reason = ARGV[3]
local idleMs = tonumber(ARGV[4])

--#include worker/lua/lib/host-pause.lua

local t = redis.call('TIME')
local nowMs = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000

local untilMs = tonumber(redis.call('HGET', stateKey, 'pausedUntil')) or 0
untilMs = extendPause(nowMs, untilMs, ms, reason)
sweepPaused(nowMs)
if untilMs <= nowMs then return 0 end
local ttl = math.ceil(untilMs - nowMs + idleMs)
if redis.call('PTTL', stateKey) < ttl then redis.call('PEXPIRE', stateKey, ttl) end
if redis.call('PTTL', pausedKey) < ttl then redis.call('PEXPIRE', pausedKey, ttl) end
return math.ceil(untilMs - nowMs)
