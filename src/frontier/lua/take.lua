--[[
  take.lua: moves up to n waiting URLs of one crawl from its frontier into a lease, host by host in turns, so
  that no host's backlog holds up the others. The caller then adds them to the queue as BullMQ jobs and deletes
  the lease in one step (add-jobs.lua, src/worker/feeder.ts); a lease not deleted by its expiry is taken over (claim.lua).

  The ring (KEYS[1]) lists the crawl's host keys with waiting URLs. Each visit rotates it (RPOPLPUSH: the
  visited host goes to the head) and takes one URL from that host's list; a host whose list empties leaves the
  ring. In 'feed' mode a host is passed over when its politeness gate has turns booked (or a pause) reaching
  further than `horizon` ms ahead: its jobs would only wait in the delayed set. And a host gets at most `cap` URLs
  per `horizon` ms (KEYS[8] counts them), since bookings appear only once workers try the jobs (and not at all
  while its robots.txt is being fetched): the delayed set holds seconds of a host's work, not its backlog.

  An entry is live when the seen set still holds it as waiting at its depth (reserve.lua); its value is then
  set to "in the queue". Other entries were superseded by a shallower find and are dropped.

  KEYS[1]  crawl ring
  KEYS[2]  crawl stats hash (field frontier: live entries waiting)
  KEYS[3]  set of crawls with a frontier
  KEYS[4]  leases zset (token -> expiry ms)
  KEYS[5]  queue wait list
  KEYS[6]  queue prioritized zset
  KEYS[7]  crawl control state (absent = running)
  KEYS[8]  crawl feed counts: host key -> '<start ms> <URLs fed since>' (hosts in the ring only)
  ARGV[1]  mode: 'feed', or 'drain' (cancel: no window, no host skipped, whatever the crawl's state)
  ARGV[2]  crawl name
  ARGV[3]  n, URLs wanted
  ARGV[4]  window: feed only while ready jobs (wait + prioritized) + URLs in leases stay below it
  ARGV[5]  cap: URLs per host per horizon ('feed'; 0 = no cap)
  ARGV[6]  horizon ms
  ARGV[7]  lease token
  ARGV[8]  lease ms
  ARGV[9]  pending prefix (host lists are '<this>:<host key>')
  ARGV[10] seen prefix
  ARGV[11] host state prefix (politeness state is '<this><host key>')
  ARGV[12] lease prefix (the lease list is '<this>:<token>': crawl, then entries)
  ARGV[13] the crawl's host state prefix (its own booked turns are '<this><host key>', see acquire.lua)
  Returns  {taken, entries...}; taken = -1 when the crawl is paused or cancelled ('feed'), -2 when the
           window is full
]]
local ring, stats = KEYS[1], KEYS[2]
local mode, crawl = ARGV[1], ARGV[2]
local n = tonumber(ARGV[3])
local window = tonumber(ARGV[4])
local cap = tonumber(ARGV[5])
local horizonMs = tonumber(ARGV[6])
local token, leaseMs = ARGV[7], tonumber(ARGV[8])
local pendingPrefix, seenPrefix, hostPrefix, leasePrefix = ARGV[9], ARGV[10], ARGV[11], ARGV[12]
local crawlHostPrefix = ARGV[13]
local feed = mode == 'feed'
local counting = feed and cap > 0

local t = redis.call('TIME')
local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

if feed then
  if redis.call('EXISTS', KEYS[7]) == 1 then return {-1} end
  local ready = redis.call('LLEN', KEYS[5]) + redis.call('ZCARD', KEYS[6])
  for _, tok in ipairs(redis.call('ZRANGE', KEYS[4], 0, -1)) do
    ready = ready + math.max(0, redis.call('LLEN', leasePrefix .. ':' .. tok) - 1)
  end
  if ready >= window then return {-2} end
  n = math.min(n, window - ready)
end

local ringLen = redis.call('LLEN', ring)
if ringLen == 0 then
  redis.call('SREM', KEYS[3], crawl)
  return {0}
end

-- Politeness: this crawl's turns booked (tail, us) or the host's pause reaching past the horizon. A tail that
-- has not seen the host's latest pause (pauseSeq) was voided by it (acquire.lua).
local busyCache = {}
local function busy(host)
  local b = busyCache[host]
  if b == nil then
    local hs = redis.call('HMGET', hostPrefix .. host, 'pausedUntil', 'pauseSeq')
    local cs = redis.call('HMGET', crawlHostPrefix .. host, 'tail', 'pauseSeq')
    local tail = 0
    if (cs[2] or '0') == (hs[2] or '0') then tail = tonumber(cs[1]) or 0 end
    local limit = nowMs + horizonMs
    b = tail > limit * 1000 or (tonumber(hs[1]) or 0) > limit
    busyCache[host] = b
  end
  return b
end

-- The 6 bytes written by 12 hex digits.
local function hexBytes(h)
  local function at(j) return tonumber(string.sub(h, j, j + 1), 16) end
  return string.char(at(1), at(3), at(5), at(7), at(9), at(11))
end

-- Marks a live entry as moved to the queue; false for a superseded one.
local function live(e)
  local sp = string.find(e, ' ', 1, true)
  local depth = math.min(tonumber(string.sub(e, 1, sp - 1)), 127)
  local stop = string.find(e, '[\t\n]', sp + 1)
  local url = string.sub(e, sp + 1, (stop or (#e + 1)) - 1)
  local hex = redis.sha1hex(url)
  local bucket = seenPrefix .. ':' .. string.sub(hex, 1, 4)
  local field = hexBytes(string.sub(hex, 5, 16))
  local v = redis.call('HGET', bucket, field)
  if not v or string.byte(v, 1) ~= 128 + depth then return false end
  redis.call('HSET', bucket, field, string.char(depth))
  return true
end

-- URLs fed to a host in the current horizon: {start ms, count}, read once per call, written back at the end.
local fed = {}
local function fedOf(host)
  local f = fed[host]
  if not f then
    f = { nowMs, 0 }
    local v = counting and redis.call('HGET', KEYS[8], host)
    if v then
      local sp = string.find(v, ' ', 1, true)
      local start = tonumber(string.sub(v, 1, sp - 1))
      if start + horizonMs > nowMs then f = { start, tonumber(string.sub(v, sp + 1)) } end
    end
    fed[host] = f
  end
  return f
end

local out = {}
local gone = {}
local visits, idle = 0, 0
local maxVisits = 2 * n + 16
while #out < n and visits < maxVisits and ringLen > 0 and idle < ringLen do
  visits = visits + 1
  local host = redis.call('RPOPLPUSH', ring, ring)
  local f = fedOf(host)
  if (counting and f[2] >= cap) or (feed and busy(host)) then
    idle = idle + 1
  else
    idle = 0
    local list = pendingPrefix .. ':' .. host
    local e = redis.call('LPOP', list)
    if redis.call('LLEN', list) == 0 then
      redis.call('LPOP', ring)
      ringLen = ringLen - 1
      gone[host] = true
    end
    if e and live(e) then
      out[#out + 1] = e
      f[2] = f[2] + 1
    end
  end
end
if ringLen == 0 then redis.call('SREM', KEYS[3], crawl) end
if counting then
  for host, f in pairs(fed) do
    if gone[host] then
      redis.call('HDEL', KEYS[8], host)
    elseif f[2] > 0 then
      redis.call('HSET', KEYS[8], host, f[1] .. ' ' .. f[2])
    end
  end
end

if #out > 0 then
  local leaseKey = leasePrefix .. ':' .. token
  redis.call('RPUSH', leaseKey, crawl)
  for j = 1, #out, 1000 do
    redis.call('RPUSH', leaseKey, unpack(out, j, math.min(j + 999, #out)))
  end
  redis.call('ZADD', KEYS[4], nowMs + leaseMs, token)
  redis.call('HINCRBY', stats, 'frontier', -#out)
end
table.insert(out, 1, #out)
return out
