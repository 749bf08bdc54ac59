/**
 * Fleet gauges, read from Redis on each scrape: queue depths, the store writer's lag, per-crawl counters,
 * live workers. Every role that serves /metrics exposes them (use max() across instances in queries).
 */
import type { Redis } from 'ioredis';
import { Gauge, type Registry } from 'prom-client';
import { liveWorkers, WORKER_LIVE_MS } from '../heartbeat.js';
import { keys } from '../keys.js';
import type { Logger } from '../log.js';
import { openQueue, readCrawlStats } from '../queue.js';

/**
 * Results published but not yet stored. The writer deletes each entry once it is committed and
 * acknowledged, so the stream's length is exactly that (read, pending and never delivered alike).
 */
export async function writerLag(redis: Redis, prefix: string): Promise<number> {
  return redis.xlen(keys(prefix).results);
}

export const QUEUE_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed'] as const;

export function registerFleetGauges(registry: Registry, redis: Redis, prefix: string, logger?: Logger): void {
  const k = keys(prefix);
  const registers = [registry];
  const warn = (what: string, err: unknown) =>
    logger?.warn({ err: (err as Error).message }, `metrics: could not read ${what}`);
  new Gauge({
    name: 'metacrawl_queue_jobs',
    help: 'Jobs in the crawl queue by state (all crawls; delayed includes politeness waits and parked jobs)',
    labelNames: ['state'],
    registers,
    async collect() {
      const queue = openQueue(redis, prefix);
      try {
        const counts = await queue.getJobCounts(...QUEUE_STATES);
        for (const s of QUEUE_STATES) this.set({ state: s }, counts[s] ?? 0);
      } catch (err) {
        warn('queue counts', err);
      } finally {
        await queue.close();
      }
    },
  });
  new Gauge({
    name: 'metacrawl_writer_lag',
    help: 'Results waiting in the stream for the store writer (not yet committed and acknowledged)',
    registers,
    async collect() {
      try {
        this.set(await writerLag(redis, prefix));
      } catch (err) {
        warn('writer lag', err);
      }
    },
  });
  new Gauge({
    name: 'metacrawl_crawl_urls',
    help: 'Per crawl: URLs submitted (queued after dedupe), stored (rows in the database), failed (rows with an error) and frontier (waiting, not yet in the queue)',
    labelNames: ['crawl', 'state'],
    registers,
    async collect() {
      try {
        this.reset();
        for (const crawl of await redis.smembers(k.crawls)) {
          const s = await readCrawlStats(redis, prefix, crawl);
          this.set({ crawl, state: 'submitted' }, s.submitted);
          this.set({ crawl, state: 'stored' }, s.stored);
          this.set({ crawl, state: 'failed' }, s.failed);
          this.set({ crawl, state: 'frontier' }, s.frontier);
        }
      } catch (err) {
        warn('crawl counters', err);
      }
    },
  });
  new Gauge({
    name: 'metacrawl_workers_live',
    help: `Workers whose heartbeat is less than ${WORKER_LIVE_MS / 1000} s old`,
    registers,
    async collect() {
      try {
        this.set((await liveWorkers(redis, prefix)).length);
      } catch (err) {
        warn('worker heartbeats', err);
      }
    },
  });
}
