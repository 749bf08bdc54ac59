--[[
  host-pause.lua: a host's fleet-wide pause, shared by pause.lua and backoff.lua (each names it in a
  `--#include` line, which lua.ts replaces by this text: Redis runs one script text, without modules).
  Uses the including script's locals stateKey (KEYS[1], the host state hash), pausedKey (KEYS[2], the
  paused-hosts hash) and host (ARGV[1], the paused-hosts field).
]]

-- The fleet-wide list for `status`: host -> {"untilMs":..,"reason":..}; ended pauses are swept when it grows.
local function publishPause(untilMs, why)
  redis.call('HSET', pausedKey, host, cjson.encode({untilMs = math.ceil(untilMs), reason = why}))
end
local function sweepPaused(nowMs)
  if redis.call('HLEN', pausedKey) <= 64 then return end
  local all = redis.call('HGETALL', pausedKey)
  for i = 1, #all, 2 do
    local ok, v = pcall(cjson.decode, all[i + 1])
    if not ok or type(v) ~= 'table' or (tonumber(v.untilMs) or 0) <= nowMs then
      redis.call('HDEL', pausedKey, all[i])
    end
  end
end

-- Pauses the host until nowMs + ms unless its pause (ending at untilMs) ends later; returns the pause's end.
local function extendPause(nowMs, untilMs, ms, reason)
  if ms > 0 and nowMs + ms > untilMs then
    untilMs = nowMs + ms
    redis.call('HSET', stateKey, 'pausedUntil', string.format('%.3f', untilMs), 'pauseReason', reason)
    -- Turns booked before the pause are void, in every crawl: waiting jobs book again from its end (acquire.lua).
    redis.call('HINCRBY', stateKey, 'pauseSeq', 1)
    publishPause(untilMs, reason)
  end
  return untilMs
end
