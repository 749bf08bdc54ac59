--[[
  release.lua: give back a slot taken by acquire.lua, and learn how long requests to the host take
  (an EWMA used by acquire.lua to tell waiting jobs when a slot is likely to be free).

  KEYS[1]  host state hash, shared by every crawl (field hold, ms: how long the host takes to answer)
  KEYS[2]  the crawl's slots at the host, zset (member = lease token, score = lease expiry ms)
  ARGV[1]  lease token
  ARGV[2]  lease ms (the value acquire used: grantedAt = expiry - leaseMs)
  ARGV[3]  idle ms (keys expire this long after the host's last activity)
  ARGV[4]  '1' when the request succeeded: the host's failure streak resets (backoff.lua's 'ok' event,
           folded in here to spare a round trip per page)
  ARGV[5]  ms the release waited in the worker before it was sent (it travels with the next acquire: see
           gate.ts); not part of the host's hold time. Default 0

  Returns  1 if the token held a lease, 0 if not (already released or expired)
]]
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
