--[[
  mark.lua: mark URL hashes as queued in a crawl (after their jobs were added) and count the new ones.
  The seen hash maps an 8-byte URL hash to its owner (1 byte 's' for seeds, or the 8-byte hash of the page
  that discovered it), so a retried parent can re-add its own children (see reserve.lua).

  KEYS[1]  seen hash (crawl)
  KEYS[2]  crawl stats hash
  KEYS[3]  per-host page counts hash (crawl)
  ARGV[1]  owner
  ARGV[2..] pairs: URL hash, host key
  Returns  number of hashes that were new
]]
local added = 0
for i = 2, #ARGV, 2 do
  if redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[1]) == 1 then
    added = added + 1
    redis.call('HINCRBY', KEYS[3], ARGV[i + 1], 1)
  end
end
if added > 0 then redis.call('HINCRBY', KEYS[2], 'submitted', added) end
local dup = math.floor((#ARGV - 1) / 2) - added
if dup > 0 then redis.call('HINCRBY', KEYS[2], 'duplicates', dup) end
return added
