/**
 * Empties a crawl's frontier (cancel): every waiting URL is taken out a batch at a time, whatever the crawl's
 * state and its hosts' politeness. Each batch goes through a lease like a feeder's, so a drain that dies
 * half-way leaves its batch to the feeders, whose workers then record the cancelled crawl's URLs themselves.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import type { CrawlJobData } from '../types.js';
import { entryJobData } from './entry.js';
import { FrontierStore } from './store.js';

const BATCH = 1000;

/**
 * Calls `each` with every waiting URL's job data, a batch at a time, and a MULTI: what `each` queues on it runs
 * together with the release of the batch's lease. Returns the URLs taken.
 */
export async function drainFrontier(
  redis: Redis,
  prefix: string,
  crawl: string,
  each: (jobs: CrawlJobData[], multi: ChainableCommander) => void,
): Promise<number> {
  const store = new FrontierStore(redis, prefix);
  let total = 0;
  for (;;) {
    const r = await store.take('drain', crawl, {
      n: BATCH,
      window: 0,
      cap: 0,
      horizonMs: 0,
      leaseMs: 60_000,
    });
    if (r.status !== 'taken') return total;
    if (r.entries.length === 0) {
      // Only superseded entries this time (nothing was leased), or nothing left at all.
      if (!(await store.hasWaiting(crawl))) return total;
      continue;
    }
    const now = Date.now();
    const multi = redis.multi();
    each(
      r.entries.map((e) => entryJobData(crawl, e, now)),
      multi,
    );
    store.release(multi, r.token);
    const res = await multi.exec();
    const bad = res?.find(([err]) => err);
    if (bad?.[0]) throw bad[0];
    total += r.entries.length;
  }
}
