--[[
  acquire.lua: ask for one request slot at a host for one crawl, atomically for the whole fleet.
  The clock is Redis TIME, so every worker on every machine shares one clock.

  Whose limits bind: a crawl's rate and concurrency are its own and count its own requests only (state per
  crawl and host, KEYS[2] and KEYS[3]), so one crawl's backlog never delays another crawl. What the host
  itself asks for binds every crawl (state per host, KEYS[1]): a pause (Retry-After, backoff; pause.lua,
  backoff.lua), and robots.txt Crawl-delay, a floor (ARGV[8]) on the spacing of all crawls' requests together.

  Rate is a strict spacing limiter: a grant is only given when now >= next, and then sets
  next = now + ceil(1e6 / rate) microseconds. Any two grants are therefore at least 1/rate apart,
  so no half-open 1-second window ever holds more than ceil(rate) grants.
  Concurrency is a sorted set of leases (token -> expiry ms); expired leases (dead workers) are
  dropped here before counting.

  Booking (ARGV[6]): a job that must wait is moved to the delayed set; if every waiting job were told
  "come back when the next slot frees", they would all wake at once and all but one wait again (a
  thundering herd that costs O(waiting jobs) per slot). So a waiting job books a turn: wake times are
  handed out one booking interval apart (the crawl's expected time per request, plus slack) from its `tail`.
  Bookings only decide when jobs wake; every grant still obeys `next`, the floor and the leases, so the
  limits never depend on them. A pause voids the turns booked before it: pause.lua and backoff.lua bump
  the host's pauseSeq, and a crawl whose tail has seen an older one books again from the pause's end.
    0  plain: wait for the next free slot (robots.txt fetches, direct callers)
    1  book: a job asking for the first time; queued behind turns already booked
    2  booked: a job waking for its booked turn; only a pause makes it book again

  KEYS[1]  host state hash, all crawls: pausedUntil (ms), pauseSeq, pauseReason, streak, hold (ms, EWMA),
           last (us, the latest grant of any crawl)
  KEYS[2]  the crawl's state at the host: next (us), tail (us), pauseSeq (the pause its tail has seen),
           waitReason (the limit that spaces its turns, for `status`)
  KEYS[3]  the crawl's slots at the host, zset: member = lease token, score = lease expiry (ms)
  KEYS[4]  the crawl's delayed-hosts zset (member = host key, score = end of its booked backlog, ms), for
           `status` and for `cancel` (which drops the crawl's state at each of these hosts)
  ARGV[1]  lease token
  ARGV[2]  the crawl's rate at the host in requests per second (float; 0 = no rate limit)
  ARGV[3]  the crawl's concurrency at the host (0 = unlimited)
  ARGV[4]  lease ms (a slot not released is given back after this)
  ARGV[5]  idle ms (the keys expire this long after the last activity)
  ARGV[6]  booking mode: 0 plain, 1 book, 2 booked (see above); default 0
  ARGV[7]  host key (the delayed-hosts member)
  ARGV[8]  the host's floor in requests per second, across crawls (1 / Crawl-delay; 0 = none); default 0

  Returns  {1, grantedAtUs}                  granted
           {0, waitMs, 'paused'|'concurrency'|'rate', booked}   not granted; try again in waitMs
                                             (booked = 1 when waitMs is a booked turn)
]]
-- The body is gateAcquire (lib/gate-acquire.lua), shared with gate-batch.lua, which runs acquires and releases together.
--#include worker/lua/lib/gate-acquire.lua
return gateAcquire(KEYS, ARGV)
