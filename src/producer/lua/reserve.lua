--[[
  reserve.lua: reserve discovered URLs for a crawl, atomically for the whole fleet: dedupe and page budgets.
  Reserving before the jobs are added lets budgets be exact; the owner makes it safe: a parent page whose job
  is retried (its worker died between reserve and add) gets its own reservations back (flag 2) and re-adds
  them, which BullMQ ignores if the job already exists (job id = crawl + URL hash).

  KEYS[1]  seen hash (crawl): URL hash -> owner
  KEYS[2]  crawl stats hash: submitted, duplicates, budgetHit
  KEYS[3]  per-host page counts hash (crawl): host key -> count
  ARGV[1]  owner (8-byte hash of the discovering page)
  ARGV[2]  max pages in the crawl (-1 = none)
  ARGV[3]  max pages per host (-1 = none)
  ARGV[4..] pairs: URL hash, host key
  Returns  array of flags, one per pair: 1 reserved now, 2 already reserved by this owner,
           0 duplicate, -1 over the crawl budget, -2 over the host budget
]]
local owner = ARGV[1]
local maxPages = tonumber(ARGV[2])
local maxPerHost = tonumber(ARGV[3])
local submitted = tonumber(redis.call('HGET', KEYS[2], 'submitted') or '0')
local out = {}
local added, dup = 0, 0
for i = 4, #ARGV, 2 do
  local h, host = ARGV[i], ARGV[i + 1]
  local cur = redis.call('HGET', KEYS[1], h)
  if cur then
    if cur == owner then out[#out + 1] = 2 else out[#out + 1] = 0; dup = dup + 1 end
  elseif maxPages >= 0 and submitted + added >= maxPages then
    out[#out + 1] = -1
    redis.call('HSET', KEYS[2], 'budgetHit', 'max-pages')
  elseif maxPerHost >= 0 and tonumber(redis.call('HGET', KEYS[3], host) or '0') >= maxPerHost then
    out[#out + 1] = -2
    redis.call('HSET', KEYS[2], 'budgetHitHost', host)
  else
    redis.call('HSET', KEYS[1], h, owner)
    redis.call('HINCRBY', KEYS[3], host, 1)
    added = added + 1
    out[#out + 1] = 1
  end
end
if added > 0 then redis.call('HINCRBY', KEYS[2], 'submitted', added) end
if dup > 0 then redis.call('HINCRBY', KEYS[2], 'duplicates', dup) end
return out
