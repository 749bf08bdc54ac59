/**
 * Every Redis key metacrawl uses, in one place. `prefix` defaults to `metacrawl`; give it a hash tag
 * (`{metacrawl}`) on Redis Cluster so every key of a fleet shares one slot and Lua scripts never cross slots.
 */
export const QUEUE_NAME = 'crawl';
export const RESULTS_GROUP = 'store';

export function keys(prefix: string) {
  return {
    /** BullMQ prefix for the crawl queue (BullMQ adds `:crawl:...`). */
    bullPrefix: prefix,
    /** Stream of PageRecord JSON, consumed by the store writer's group. */
    results: `${prefix}:results`,
    /** Set of crawl names known to the fleet. */
    crawls: `${prefix}:crawls`,
    /** Hash of a crawl's settings (JSON fields), written by submit, read by workers. */
    crawlSettings: (crawl: string) => `${prefix}:crawl:${crawl}:settings`,
    /** Hash of a crawl's counters: submitted, invalid, duplicate, stored, failed, ... */
    crawlStats: (crawl: string) => `${prefix}:crawl:${crawl}:stats`,
    /** Hash of failures by error code for a crawl (written by the store writer). */
    crawlErrors: (crawl: string) => `${prefix}:crawl:${crawl}:errors`,
    /** Prefix of a crawl's seen set (fleet-wide dedupe): 65536 hashes `<this>:<4 hex>`, see producer/lua/reserve.lua. */
    crawlSeen: (crawl: string) => `${prefix}:crawl:${crawl}:seen`,
    /**
     * Prefix of a crawl's frontier: one list of waiting URLs per host key, `<this>:<host key>` (entries: see
     * src/frontier/entry.ts). Feeders move them into the queue as it drains (src/frontier).
     */
    crawlPending: (crawl: string) => `${prefix}:crawl:${crawl}:pq`,
    /** Hash of host key -> URLs a crawl's feeders gave it in the current horizon (src/frontier/lua/take.lua). */
    crawlFed: (crawl: string) => `${prefix}:crawl:${crawl}:fed`,
    /** List of the host keys that have waiting URLs in a crawl's frontier, served in turns. */
    crawlRing: (crawl: string) => `${prefix}:crawl:${crawl}:ring`,
    /** Set of crawls with URLs in their frontier. */
    frontierCrawls: `${prefix}:frontier:crawls`,
    /** Batches a feeder took from a frontier and is adding to the queue: sorted set token -> lease expiry (ms). */
    frontierLeases: `${prefix}:frontier:leases`,
    /** Prefix of one lease's list, `<this>:<token>`: [crawl, entries...]. */
    frontierLease: `${prefix}:frontier:lease`,
    /** Hash of host key -> pages queued in a crawl (for --max-pages-per-host). */
    crawlHosts: (crawl: string) => `${prefix}:crawl:${crawl}:hosts`,
    /** A crawl's control state: absent = running, 'paused' or 'cancelled' (src/control). */
    crawlState: (crawl: string) => `${prefix}:crawl:${crawl}:state`,
    /** Jobs being parked by workers right now: sorted set token -> ms (resume waits for them). */
    crawlParking: (crawl: string) => `${prefix}:crawl:${crawl}:parking`,
    /**
     * What a host (or registrable domain) says, shared by every crawl: pauses (Retry-After, backoff), the
     * time requests take, the last request of any crawl (for robots.txt Crawl-delay).
     */
    hostState: (host: string) => `${prefix}:host:${host}`,
    /** One crawl's own budget at one host: its rate spacing and booked turns (src/worker/lua/acquire.lua). */
    crawlHostState: (crawl: string, host: string) => `${prefix}:crawl:${crawl}:host:${host}`,
    /** One crawl's in-flight slot leases at one host: sorted set token -> lease expiry (ms). */
    crawlHostSlots: (crawl: string, host: string) => `${prefix}:crawl:${crawl}:host:${host}:slots`,
    /**
     * Hosts where a crawl has booked turns: sorted set host key -> end of its backlog (ms); for `status`, and
     * for `cancel`, which drops the crawl's state at each of them.
     */
    crawlDelayedHosts: (crawl: string) => `${prefix}:crawl:${crawl}:delayed-hosts`,
    /** hostState's prefix, for Lua scripts that build host keys themselves. */
    hostStatePrefix: `${prefix}:host:`,
    /** crawlHostState's prefix for one crawl, for Lua scripts that build the keys themselves. */
    crawlHostStatePrefix: (crawl: string) => `${prefix}:crawl:${crawl}:host:`,
    /** Cached robots.txt of one origin. */
    robots: (origin: string) => `${prefix}:robots:${origin}`,
    /** Lock held by the one worker fetching an origin's robots.txt (the rest of the fleet waits). */
    robotsLock: (origin: string) => `${prefix}:robots-lock:${origin}`,
    /** Hash of paused hosts -> reason/until, for status. */
    pausedHosts: `${prefix}:paused-hosts`,
    /** Worker heartbeats: hash worker-id -> JSON. */
    workers: `${prefix}:workers`,
  };
}

export type Keys = ReturnType<typeof keys>;
