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
    /** Hash of 8-byte URL hash -> owner for every URL queued in a crawl (fleet-wide dedupe). */
    crawlSeen: (crawl: string) => `${prefix}:crawl:${crawl}:seen`,
    /** Hash of host key -> pages queued in a crawl (for --max-pages-per-host). */
    crawlHosts: (crawl: string) => `${prefix}:crawl:${crawl}:hosts`,
    /** Politeness state of one host (or registrable domain): rate, in-flight, pause. */
    hostState: (host: string) => `${prefix}:host:${host}`,
    /** In-flight slot leases of one host: sorted set token -> lease expiry (ms). */
    hostSlots: (host: string) => `${prefix}:host:${host}:slots`,
    /** Cached robots.txt of one origin. */
    robots: (origin: string) => `${prefix}:robots:${origin}`,
    /** Hash of paused hosts -> reason/until, for status. */
    pausedHosts: `${prefix}:paused-hosts`,
    /** Worker heartbeats: hash worker-id -> JSON. */
    workers: `${prefix}:workers`,
  };
}

export type Keys = ReturnType<typeof keys>;
