--[[
  claim.lua: takes over one lease whose feeder did not finish it in time (it died between take.lua and
  add-jobs.lua). The lease's expiry moves forward so no other feeder claims it meanwhile; the claimer adds its jobs
  (BullMQ ignores ids it already holds) and deletes it, like the feeder that took it would have.

  KEYS[1]  leases zset (token -> expiry ms)
  ARGV[1]  lease ms
  ARGV[2]  lease prefix (the lease list is '<this>:<token>': crawl, then entries)
  Returns  {token, crawl, entries...}, or an empty array when no lease is overdue
]]
local t = redis.call('TIME')
local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', nowMs, 'LIMIT', 0, 1)
if #due == 0 then return {} end
local token = due[1]
local items = redis.call('LRANGE', ARGV[2] .. ':' .. token, 0, -1)
if #items == 0 then
  redis.call('ZREM', KEYS[1], token)
  return {}
end
redis.call('ZADD', KEYS[1], nowMs + tonumber(ARGV[1]), token)
table.insert(items, 1, token)
return items
