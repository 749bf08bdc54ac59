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
-- The body is gateRelease (lib/gate-release.lua), shared with gate-batch.lua, which runs acquires and releases together.
--#include worker/lua/lib/gate-release.lua
return gateRelease(KEYS, ARGV)
