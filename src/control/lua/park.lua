--[[
  park.lua: a worker holding a job of a crawl asks whether to park it, atomically with the crawl's state.
  When the crawl is paused, the worker's parking lease is recorded in the same step, so `resume` (which
  deletes the state, then waits for the leases to go, then promotes the parked jobs) never misses a job
  parked by a worker whose cached view of the state was stale.

  KEYS[1]  crawl state key (absent = running, 'paused', 'cancelled')
  KEYS[2]  crawl parking zset: member = lease token, score = Redis time (ms) when parking began
  ARGV[1]  lease token

  Returns  the state: 'paused' (and the lease is recorded), 'cancelled' or 'running'
]]
local state = redis.call('GET', KEYS[1])
if state == 'paused' then
  -- Redis' clock, not the worker's: resume judges the leases' age on the same clock.
  local t = redis.call('TIME')
  redis.call('ZADD', KEYS[2], tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), ARGV[1])
  return 'paused'
end
if state == 'cancelled' then return 'cancelled' end
return 'running'
