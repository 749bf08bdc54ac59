/**
 * A crawl's settings and counters in Redis, and its job ids: shared by the producer, workers and status. No
 * BullMQ here, so `submit` does not load it (src/queue.ts re-exports all of this with the queue itself).
 */
import type { Redis } from 'ioredis';
import type { CrawlSettings } from './config.js';
import { keys } from './keys.js';

/** BullMQ custom ids may not contain ':'; crawl names are validated, hashes are hex. */
export function jobId(crawl: string, urlHashHex: string): string {
  return `${crawl}~${urlHashHex}`;
}

export async function saveCrawlSettings(
  redis: Redis,
  prefix: string,
  crawl: string,
  s: CrawlSettings,
): Promise<void> {
  const k = keys(prefix);
  const json = JSON.stringify(s, (_k, v) => (v === Number.POSITIVE_INFINITY ? 'Infinity' : v));
  await redis
    .multi()
    .sadd(k.crawls, crawl)
    .hset(k.crawlSettings(crawl), 'settings', json)
    .hsetnx(k.crawlStats(crawl), 'startedAt', String(Date.now()))
    .exec();
}

export async function loadCrawlSettings(
  redis: Redis,
  prefix: string,
  crawl: string,
): Promise<CrawlSettings | null> {
  const json = await redis.hget(keys(prefix).crawlSettings(crawl), 'settings');
  if (!json) return null;
  return JSON.parse(json, (_k, v) => (v === 'Infinity' ? Number.POSITIVE_INFINITY : v)) as CrawlSettings;
}

export interface CrawlStats {
  submitted: number;
  duplicates: number;
  invalid: number;
  stored: number;
  failed: number;
  startedAt: number | null;
  /** The crawl's first and last fetched_at in the database (epoch ms), kept by the store writer. */
  firstFetchedAt: number | null;
  lastFetchedAt: number | null;
  submitDone: boolean;
  /** 'max-pages' once --max-pages refused a discovered link (discovery stopped), else null. */
  budgetHit: string | null;
  /** The last host key whose --max-pages-per-host refused a discovered link, else null. */
  budgetHitHost: string | null;
  /** Discovered links refused by a budget. */
  overBudget: number;
  /** URLs waiting in the crawl's frontier, not yet in the queue (src/frontier). */
  frontier: number;
}

export async function readCrawlStats(redis: Redis, prefix: string, crawl: string): Promise<CrawlStats> {
  const h = await redis.hgetall(keys(prefix).crawlStats(crawl));
  const n = (k: string) => Number(h[k] ?? 0);
  return {
    submitted: n('submitted'),
    duplicates: n('duplicates'),
    invalid: n('invalid'),
    stored: n('stored'),
    failed: n('failed'),
    startedAt: h.startedAt ? Number(h.startedAt) : null,
    firstFetchedAt: h.firstFetchedAt ? Number(h.firstFetchedAt) : null,
    lastFetchedAt: h.lastFetchedAt ? Number(h.lastFetchedAt) : null,
    submitDone: h.submitDone === '1',
    budgetHit: h.budgetHit ?? null,
    budgetHitHost: h.budgetHitHost ?? null,
    overBudget: n('overBudget'),
    frontier: n('frontier'),
  };
}
