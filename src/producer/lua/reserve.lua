--[[
  reserve.lua: a crawl's seen set, atomically for the whole fleet: dedupe, page budgets, depth upgrades.

  The seen set is 65536 small hashes per crawl, `<seen prefix>:<bucket>`, bucket = the first 4 hex digits of the
  URL's 8-byte SHA-1 prefix, field = its other 6 bytes (binary). Small hashes stay listpack-encoded, which keeps
  a seen URL at ~23 bytes of Redis memory (1M URLs) instead of ~72 in one big hash.
  Value: 1 byte depth (saturating at 255); for a discovered URL followed by its owner, 4 bytes of the hash of
  the page that found it. A parent whose job is retried (its worker died between reserve and add) gets its
  own reservations back (flag 2) and re-adds them, which BullMQ ignores when the job exists (job id = hash).

  Depth upgrade: a URL found again at a shallower depth (or submitted as a seed) before its fetch started
  takes the new depth, parent and seed: its queued job's data is rewritten in place (flag 3). A job is
  "started" while BullMQ holds its lock, and done once finishedOn is set or the job is gone; those keep the
  depth they were fetched at. Bucket and job keys are built here from ARGV[8] and ARGV[9]: give the prefix a
  hash tag ({metacrawl}) on Redis Cluster so they share the declared keys' slot.

  KEYS[1]  crawl stats hash: submitted, duplicates, overBudget, budgetHit, budgetHitHost
  KEYS[2]  per-host page counts hash: host key -> URLs queued (seeds included)
  ARGV[1]  mode: 'seed' (mark URLs whose jobs were just added; no budget) or 'link' (reserve before adding)
  ARGV[2]  owner: 4 bytes ('' for seeds)
  ARGV[3]  depth of every item
  ARGV[4]  URL of the page that linked them ('' for seeds)
  ARGV[5]  seed URL of their chain ('' for seeds: each seed is its own)
  ARGV[6]  max pages in the crawl (-1 = none)
  ARGV[7]  max pages per host key (-1 = none)
  ARGV[8]  seen prefix
  ARGV[9]  job key prefix: '<bull prefix>:crawl:<crawl>~'
  ARGV[10..] triples: URL hash as 16 hex digits, field (bytes 2..7 of the hash), host key
  Returns  a flag per item: 1 new, 2 already reserved by this owner (add again), 3 found shallower (queued job
           upgraded), 0 duplicate, -1 over the crawl budget, -2 over the host budget
]]
local mode = ARGV[1]
local owner = ARGV[2]
local depth = tonumber(ARGV[3])
local from, seed = ARGV[4], ARGV[5]
local maxPages = tonumber(ARGV[6])
local maxPerHost = tonumber(ARGV[7])
local seenPrefix, jobPrefix = ARGV[8], ARGV[9]
local value = string.char(math.min(depth, 255)) .. owner

-- Rewrites a queued, not yet started job's depth, parent and seed; false when it started, ended or is gone.
local function upgrade(jobKey)
  if redis.call('EXISTS', jobKey .. ':lock') == 1 then return false end
  local fields = redis.call('HMGET', jobKey, 'data', 'finishedOn')
  if not fields[1] or fields[2] then return false end
  local ok, data = pcall(cjson.decode, fields[1])
  if not ok or type(data) ~= 'table' then return false end
  data.depth = depth
  if from == '' then data.from = cjson.null else data.from = from end
  if seed == '' then data.seed = data.url else data.seed = seed end
  redis.call('HSET', jobKey, 'data', cjson.encode(data))
  return true
end

local submitted = tonumber(redis.call('HGET', KEYS[1], 'submitted') or '0')
local out = {}
local added, dup, over = 0, 0, 0
for i = 10, #ARGV, 3 do
  local hex, field, host = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local bucket = seenPrefix .. ':' .. string.sub(hex, 1, 4)
  local cur = redis.call('HGET', bucket, field)
  local flag
  if cur then
    local curDepth = string.byte(cur, 1)
    if depth < curDepth and upgrade(jobPrefix .. hex) then
      redis.call('HSET', bucket, field, value)
      flag = 3
    elseif mode == 'link' and string.sub(cur, 2) == owner then
      if depth < curDepth then redis.call('HSET', bucket, field, value) end
      flag = 2
    else
      flag = 0
      dup = dup + 1
    end
  elseif mode == 'link' and maxPages >= 0 and submitted + added >= maxPages then
    flag = -1
    over = over + 1
    redis.call('HSET', KEYS[1], 'budgetHit', 'max-pages')
  elseif mode == 'link' and maxPerHost >= 0 and tonumber(redis.call('HGET', KEYS[2], host) or '0') >= maxPerHost then
    flag = -2
    over = over + 1
    redis.call('HSET', KEYS[1], 'budgetHitHost', host)
  else
    redis.call('HSET', bucket, field, value)
    redis.call('HINCRBY', KEYS[2], host, 1)
    added = added + 1
    flag = 1
  end
  out[#out + 1] = flag
end
if added > 0 then redis.call('HINCRBY', KEYS[1], 'submitted', added) end
if dup > 0 then redis.call('HINCRBY', KEYS[1], 'duplicates', dup) end
if over > 0 then redis.call('HINCRBY', KEYS[1], 'overBudget', over) end
return out
