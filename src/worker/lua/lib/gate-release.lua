--[[
  lib/gate-release.lua: the body of release.lua as the function gateRelease(KEYS, ARGV), for release.lua and
  gate-batch.lua (each names it in a `--#include` line, which lua.ts replaces by this text). KEYS, ARGV and the
  reply: see release.lua.
]]
-- The script's body as a function of its KEYS and ARGV (named so, the body reads as a script's).
local function gateRelease(KEYS, ARGV)
  local stateKey = KEYS[1]
  local slotsKey = KEYS[2]
  local token = ARGV[1]
  local leaseMs = tonumber(ARGV[2])
  local idleMs = tonumber(ARGV[3])

  if ARGV[4] == '1' then redis.call('HDEL', stateKey, 'streak') end

  local expiry = redis.call('ZSCORE', slotsKey, token)
  if not expiry then return 0 end
  redis.call('ZREM', slotsKey, token)

  local t = redis.call('TIME')
  local nowMs = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
  local held = nowMs - (tonumber(expiry) - leaseMs) - (tonumber(ARGV[5]) or 0)
  if held >= 0 then
    local hold = tonumber(redis.call('HGET', stateKey, 'hold'))
    if hold then hold = hold * 0.8 + held * 0.2 else hold = held end
    redis.call('HSET', stateKey, 'hold', math.floor(hold))
    if redis.call('PTTL', stateKey) < idleMs then
      redis.call('PEXPIRE', stateKey, idleMs)
    end
  end
  return 1
end
