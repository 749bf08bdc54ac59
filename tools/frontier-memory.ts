/**
 * Measures what waiting URLs cost in Redis: `urls` URLs over `hosts` hosts are queued on a private redis-server
 * (no worker runs, so they all wait) and INFO used_memory is compared before and after. Everything the crawl
 * adds counts: the frontier (per-host lists and ring), the seen set, per-host counts, stats. As seeds, through
 * the real `submit` path (seed file, normalization, reserve.lua), or as links discovered on pages of 50 links
 * (Submitter.addDiscovered, as workers call it). For the benchmark and the README. Not used by the crawler.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { type CrawlSettings, DEFAULTS } from '#metacrawl/config.js';
import { saveCrawlSettings } from '#metacrawl/crawls.js';
import { Submitter, submitSeeds } from '#metacrawl/producer/index.js';
import { connectRedis, startPrivateRedis } from '#metacrawl/redis.js';

export interface FrontierMemoryReport {
  urls: number;
  hosts: number;
  /** 'seeds': submitted as a seed list; 'links': discovered, 50 per page, each with its parent page. */
  as: 'seeds' | 'links';
  redisVersion: string;
  /** Mean length of the URLs queued, in bytes (the bytes per URL follow it). */
  urlBytes: number;
  usedMemory: number;
  perUrl: number;
  /** Bytes by key kind (MEMORY USAGE), largest first. */
  byKind: Record<string, number>;
  elapsedMs: number;
}

export interface FrontierMemoryOptions {
  urls: number;
  hosts: number;
  as?: 'seeds' | 'links';
  /** Temp folder for the redis-server and the seed file. */
  dir: string;
  log?: (line: string) => void;
}

const PREFIX = 'fm';
const LINKS_PER_PAGE = 50;

/** URL i of a synthetic crawl: like the benchmark's seed list (~70 bytes, a path and a query). */
export function syntheticUrl(i: number, hosts: number): string {
  return urlOn(i % hosts, i);
}

function urlOn(host: number, i: number): string {
  return `https://www.site${host}.example/articles/${(i * 7919) % 100000}/item-${i}?ref=list&page=${i % 37}`;
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}

function kind(key: string): string {
  return key
    .replace(/:crawl:[^:]+:/, ':crawl:<crawl>:')
    .replace(/:seen:[0-9a-f]{4}$/, ':seen:<hex>')
    .replace(/:pq:.*/, ':pq:<host>');
}

async function keyBytes(redis: Redis): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 1000);
    cursor = next;
    const pipe = redis.pipeline();
    for (const key of batch) pipe.memory('USAGE', key, 'SAMPLES', 0);
    const sizes = (await pipe.exec()) ?? [];
    batch.forEach((key, i) => {
      if (key.includes(':crawl:warmup:')) return;
      const k = kind(key);
      out[k] = (out[k] ?? 0) + Number(sizes[i]?.[1] ?? 0);
    });
  } while (cursor !== '0');
  return Object.fromEntries(Object.entries(out).sort((a, b) => b[1] - a[1]));
}

const SETTINGS: CrawlSettings = { ...DEFAULTS.crawl, depth: 1 };

async function queueSeeds(redis: Redis, dir: string, crawl: string, urls: number, hosts: number) {
  const file = join(dir, `${crawl}.txt`);
  const lines: string[] = [];
  for (let i = 0; i < urls; i++) lines.push(syntheticUrl(i, hosts));
  writeFileSync(file, `${lines.join('\n')}\n`);
  await submitSeeds({ redis, prefix: PREFIX, crawl, settings: SETTINGS, sources: [file], report: () => {} });
}

async function queueLinks(redis: Redis, crawl: string, urls: number, hosts: number) {
  await saveCrawlSettings(redis, PREFIX, crawl, SETTINGS);
  const sub = new Submitter(redis, PREFIX, crawl, SETTINGS);
  // Page p of host h links to 50 URLs of host h: the children of one page share its host, as on most sites.
  for (let first = 0; first < urls; first += LINKS_PER_PAGE) {
    const host = (first / LINKS_PER_PAGE) % hosts;
    const parent = `https://www.site${host}.example/articles/index-${first}.html`;
    const items = [];
    for (let i = first; i < Math.min(urls, first + LINKS_PER_PAGE); i++) {
      items.push({ url: urlOn(host, i), depth: 1, from: parent, seed: parent });
    }
    await sub.addDiscovered(items);
  }
}

export async function measureFrontierMemory(opts: FrontierMemoryOptions): Promise<FrontierMemoryReport> {
  const started = Date.now();
  const as = opts.as ?? 'seeds';
  const log = opts.log ?? (() => {});
  const server = await startPrivateRedis(join(opts.dir, 'redis'), { appendonly: false });
  const redis = connectRedis(server.url);
  try {
    const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
    // A warm-up loads the scripts and creates the constant keys, so the delta holds what grows with the crawl.
    if (as === 'seeds') await queueSeeds(redis, opts.dir, 'warmup', 20, 2);
    else await queueLinks(redis, 'warmup', 20, 2);
    const baseline = await usedMemory(redis);
    log(`queueing ${opts.urls} URLs over ${opts.hosts} hosts as ${as}`);
    if (as === 'seeds') await queueSeeds(redis, opts.dir, 'measured', opts.urls, opts.hosts);
    else await queueLinks(redis, 'measured', opts.urls, opts.hosts);
    const used = (await usedMemory(redis)) - baseline;
    const byKind = await keyBytes(redis);
    let urlBytes = 0;
    for (let i = 0; i < 1000; i++) urlBytes += syntheticUrl(i, opts.hosts).length;
    return {
      urls: opts.urls,
      hosts: opts.hosts,
      as,
      redisVersion,
      urlBytes: Math.round(urlBytes / 1000),
      usedMemory: used,
      perUrl: Math.round((used / opts.urls) * 10) / 10,
      byKind,
      elapsedMs: Date.now() - started,
    };
  } finally {
    redis.disconnect();
    await server.stop();
  }
}
