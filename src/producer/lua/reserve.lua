--[[
  reserve.lua: a crawl's seen set and frontier, atomically for the whole fleet: dedupe, page budgets, depth
  upgrades, and each new URL's entry in the frontier, in one step (nothing between them can be lost).

  The seen set is 65536 small hashes per crawl, `<seen prefix>:<bucket>`, bucket = the first 4 hex digits of the
  URL's 8-byte SHA-1 prefix, field = its other 6 bytes (binary). Small hashes stay listpack-encoded (up to
  hash-max-listpack-entries fields each), which keeps a seen URL at ~20 bytes of Redis memory.
  Value: 1 byte, 128 + depth while the URL waits in the frontier, depth once a feeder moved it to the queue
  (src/frontier/lua/take.lua); depth capped at 127 there. Values of earlier versions (depth byte, then 4 bytes
  of the page that found it) read as "in the queue".

  The frontier: per host key a list `<pending prefix>:<host key>` of entries (src/frontier/entry.ts), and the
  crawl's ring (KEYS[3]) listing the host keys whose list is not empty.

  Depth upgrade: a URL found again at a shallower depth (or submitted as a seed) before its fetch started takes
  the new depth and parent. Still in the frontier: its new entry is pushed and the seen value lowered; the old
  entry is dropped when a feeder reaches it (its depth no longer matches). In the queue: the job's data is
  rewritten in place, unless it started (BullMQ holds its lock) or ended (finishedOn set, or the job is gone).
  Keys are built here from ARGV: give the prefix a hash tag ({metacrawl}) on Redis Cluster so they share the
  declared keys' slot.

  KEYS[1]  crawl stats hash: submitted, duplicates, overBudget, budgetHit, budgetHitHost, frontier
  KEYS[2]  per-host page counts hash: host key -> URLs queued (seeds included); kept only when ARGV[3] >= 0
  KEYS[3]  the crawl's ring of host keys
  KEYS[4]  set of crawls with a frontier
  ARGV[1]  mode: 'seed' (no budget) or 'link'
  ARGV[2]  max pages in the crawl (-1 = none; links only)
  ARGV[3]  max pages per host key (-1 = none; links are refused past it, seeds only counted)
  ARGV[4]  seen prefix
  ARGV[5]  job key prefix: '<bull prefix>:crawl:<crawl>~'
  ARGV[6]  pending prefix
  ARGV[7]  crawl name
  ARGV[8]  the items, packed into one string (one argument costs far less to send and parse than thousands):
           per URL its bucket (4 hex digits), its field (6 bytes, binary), `<host key> <entry>`, and '\r'
           between items (neither a host key nor an entry holds one; the 10 bytes before them are skipped)
  Returns  a flag per item: 1 new, 3 found shallower (upgraded), 0 duplicate, -1 over the crawl budget,
           -2 over the host budget
]]
local mode = ARGV[1]
local maxPages = tonumber(ARGV[2])
local maxPerHost = tonumber(ARGV[3])
local seenPrefix, jobPrefix, pendingPrefix, crawl = ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local packed = ARGV[8]
local budgeted = mode == 'link' and (maxPages >= 0 or maxPerHost >= 0)
local countHosts = maxPerHost >= 0

-- depth, url and parent of an entry (see src/frontier/entry.ts).
local function parse(e)
  local sp = string.find(e, ' ', 1, true)
  local depth = tonumber(string.sub(e, 1, sp - 1))
  local stop = string.find(e, '[\t\n]', sp + 1)
  local url = string.sub(e, sp + 1, (stop or (#e + 1)) - 1)
  local from = nil
  if stop and string.sub(e, stop, stop) == '\n' then
    local tab = string.find(e, '\t', stop + 1, true)
    local rest = string.sub(e, stop + 1, (tab or (#e + 1)) - 1)
    local sp2 = string.find(rest, ' ', 1, true)
    from = string.sub(url, 1, tonumber(string.sub(rest, 1, sp2 - 1))) .. string.sub(rest, sp2 + 1)
  end
  return depth, url, from
end

-- Rewrites a queued, not yet started job's depth and parent; false when it started, ended or is gone.
local function upgrade(jobKey, depth, from)
  if redis.call('EXISTS', jobKey .. ':lock') == 1 then return false end
  local fields = redis.call('HMGET', jobKey, 'data', 'finishedOn')
  if not fields[1] or fields[2] then return false end
  local ok, data = pcall(cjson.decode, fields[1])
  if not ok or type(data) ~= 'table' then return false end
  data.depth = depth
  if from then data.from = from else data.from = cjson.null end
  data.seed = data.url
  redis.call('HSET', jobKey, 'data', cjson.encode(data))
  return true
end

-- Entries are pushed per host at the end, in order; a host whose list was empty joins the ring.
local pushes, hostsOrder, newPerHost = {}, {}, {}
local function push(host, entry)
  local list = pushes[host]
  if not list then
    list = {}
    pushes[host] = list
    hostsOrder[#hostsOrder + 1] = host
  end
  list[#list + 1] = entry
end

local submitted = tonumber(redis.call('HGET', KEYS[1], 'submitted') or '0')
local out = {}
local added, dup, over = 0, 0, 0
local pos = 1
while pos <= #packed do
  local stop = string.find(packed, '\r', pos + 10, true) or (#packed + 1)
  local sp = string.find(packed, ' ', pos + 10, true)
  local bucket = seenPrefix .. ':' .. string.sub(packed, pos, pos + 3)
  local field = string.sub(packed, pos + 4, pos + 9)
  local host = string.sub(packed, pos + 10, sp - 1)
  local entry = string.sub(packed, sp + 1, stop - 1)
  pos = stop + 1
  local cur = nil
  -- Without a budget to check first, a new URL costs one call.
  local fresh = not budgeted
    and redis.call('HSETNX', bucket, field, string.char(128 + math.min(tonumber(string.match(entry, '^%d+')), 127))) == 1
  if not fresh then cur = redis.call('HGET', bucket, field) end
  local flag
  if cur then
    local b = string.byte(cur, 1)
    local depth, _, from = parse(entry)
    local capped = math.min(depth, 127)
    flag = 0
    if b >= 128 then
      if capped < b - 128 then
        redis.call('HSET', bucket, field, string.char(128 + capped))
        push(host, entry)
        flag = 3
      end
    elseif depth < b and upgrade(jobPrefix .. string.sub(bucket, -4) .. string.format(
        '%02x%02x%02x%02x%02x%02x', string.byte(field, 1, 6)), depth, from) then
      redis.call('HSET', bucket, field, string.char(capped))
      flag = 3
    end
    if flag == 0 then dup = dup + 1 end
  elseif mode == 'link' and maxPages >= 0 and submitted + added >= maxPages then
    flag = -1
    over = over + 1
    redis.call('HSET', KEYS[1], 'budgetHit', 'max-pages')
  elseif mode == 'link' and countHosts
      and tonumber(redis.call('HGET', KEYS[2], host) or '0') + (newPerHost[host] or 0) >= maxPerHost then
    flag = -2
    over = over + 1
    redis.call('HSET', KEYS[1], 'budgetHitHost', host)
  else
    if not fresh then
      redis.call('HSET', bucket, field, string.char(128 + math.min(parse(entry), 127)))
    end
    push(host, entry)
    if countHosts then newPerHost[host] = (newPerHost[host] or 0) + 1 end
    added = added + 1
    flag = 1
  end
  out[#out + 1] = flag
end
for _, host in ipairs(hostsOrder) do
  local list = pushes[host]
  local len = 0
  for j = 1, #list, 1000 do
    len = redis.call('RPUSH', pendingPrefix .. ':' .. host, unpack(list, j, math.min(j + 999, #list)))
  end
  if len == #list then redis.call('RPUSH', KEYS[3], host) end
  if newPerHost[host] then redis.call('HINCRBY', KEYS[2], host, newPerHost[host]) end
end
if #hostsOrder > 0 then redis.call('SADD', KEYS[4], crawl) end
if added > 0 then
  redis.call('HINCRBY', KEYS[1], 'submitted', added)
  redis.call('HINCRBY', KEYS[1], 'frontier', added)
end
if dup > 0 then redis.call('HINCRBY', KEYS[1], 'duplicates', dup) end
if over > 0 then redis.call('HINCRBY', KEYS[1], 'overBudget', over) end
return out
