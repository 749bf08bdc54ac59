/** The crawl queue (BullMQ) and crawl settings shared by producer and workers. */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CrawlSettings } from './config.js';
import { keys, QUEUE_NAME } from './keys.js';
import type { CrawlJobData } from './types.js';

export function openQueue(connection: Redis, prefix: string): Queue<CrawlJobData> {
  return new Queue<CrawlJobData>(QUEUE_NAME, { connection, prefix: keys(prefix).bullPrefix });
}

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
    submitDone: h.submitDone === '1',
    budgetHit: h.budgetHit ?? null,
    budgetHitHost: h.budgetHitHost ?? null,
    overBudget: n('overBudget'),
    frontier: n('frontier'),
  };
}
