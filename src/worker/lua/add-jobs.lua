--[[
  add-jobs.lua: the feeder's batch of jobs into the BullMQ queue, and the frontier lease they came from deleted,
  in one script run (src/worker/feeder.ts). Each job is added exactly as BullMQ's addPrioritizedJob-9.lua adds a
  prioritized job with a custom id and no parent, repeat, deduplication or delay (bullmq 5: storeJob,
  addJobWithPriority, getOrSetMaxEvents, handleDuplicatedJob): the same keys, fields, scores and events, in the
  same order (the id counter and the marker, which no one can read in between, are set once).
  test/frontier/add-jobs.test.ts compares the state it leaves with BullMQ's own, so an upgrade of
  BullMQ that adds differently fails there. One script run instead of one per job (and no per-job Job object,
  msgpack and command in the worker); atomic, as the MULTI it replaces was.

  KEYS[1]  queue marker zset
  KEYS[2]  queue meta hash
  KEYS[3]  queue id counter
  KEYS[4]  queue prioritized zset
  KEYS[5]  queue active list
  KEYS[6]  queue events stream
  KEYS[7]  queue priority counter
  KEYS[8]  frontier leases zset (token -> expiry ms)
  KEYS[9]  the lease's list
  ARGV[1]  job key prefix (the queue's keys prefix: a job's hash is '<this><id>')
  ARGV[2]  job name
  ARGV[3]  timestamp (ms)
  ARGV[4]  lease token (member of KEYS[8])
  ARGV[5…] per job, 4 values: id, data (JSON), opts (JSON, as BullMQ's Job.asJSON().opts), priority (1 or more)
  Returns  the number of jobs added (a job whose id the queue already holds is left as it is: 'duplicated')
]]
local rcall = redis.call
local markerKey, metaKey, idKey, prioritizedKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local activeKey, eventsKey, pcKey = KEYS[5], KEYS[6], KEYS[7]
local prefix, name, timestamp = ARGV[1], ARGV[2], ARGV[3]

-- getOrSetMaxEvents
local maxEvents = rcall('HGET', metaKey, 'opts.maxLenEvents')
if not maxEvents then
  maxEvents = 10000
  rcall('HSET', metaKey, 'opts.maxLenEvents', maxEvents)
end

-- isQueuePausedOrMaxed: nothing in this script changes either.
local pausedOrMaxed = false
local qa = rcall('HMGET', metaKey, 'paused', 'concurrency')
if qa[1] then
  pausedOrMaxed = true
elseif qa[2] then
  pausedOrMaxed = rcall('LLEN', activeKey) >= tonumber(qa[2])
end

-- BullMQ counts every job added, duplicates too (INCR of the id counter per job): counted at once, as nothing
-- reads the counter in between.
local jobs = (#ARGV - 4) / 4
if jobs > 0 then rcall('INCRBY', idKey, jobs) end

local added = 0
for i = 5, #ARGV, 4 do
  local jobId, data, opts, priority = ARGV[i], ARGV[i + 1], ARGV[i + 2], tonumber(ARGV[i + 3])
  local jobKey = prefix .. jobId
  if rcall('EXISTS', jobKey) == 1 then
    -- handleDuplicatedJob, without a parent (its read of the job's parentKey changes nothing)
    rcall('XADD', eventsKey, 'MAXLEN', '~', maxEvents, '*', 'event', 'duplicated', 'jobId', jobId)
  else
    -- storeJob
    rcall('HMSET', jobKey, 'name', name, 'data', data, 'opts', opts, 'timestamp', timestamp, 'delay', 0,
      'priority', priority)
    rcall('XADD', eventsKey, '*', 'event', 'added', 'jobId', jobId, 'name', name)
    -- addJobWithPriority: getPriorityScore, then the marker
    local prioCounter = rcall('INCR', pcKey)
    rcall('ZADD', prioritizedKey, priority * 0x100000000 + prioCounter % 0x100000000, jobId)
    rcall('XADD', eventsKey, 'MAXLEN', '~', maxEvents, '*', 'event', 'waiting', 'jobId', jobId)
    added = added + 1
  end
end

-- addBaseMarkerIfNeeded, once: BullMQ sets the same member to the same score after each job added.
if added > 0 and not pausedOrMaxed then rcall('ZADD', markerKey, 0, '0') end
rcall('ZREM', KEYS[8], ARGV[4])
rcall('DEL', KEYS[9])
return added
