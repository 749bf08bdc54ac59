/**
 * Measures what a crawl costs in Redis memory, per URL: once its URLs are queued (no worker yet, so all of
 * them wait in the crawl's frontier), and once they are finished (fetched by a real worker from a local site, stored by the real store writer). Runs on a private
 * redis-server so INFO used_memory deltas belong to the measurement alone, and attributes the bytes to key
 * kinds (MEMORY USAGE). For the benchmark, the README figures and a bound test. Not used by the crawler.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { type CrawlSettings, DEFAULTS } from '#metacrawl/config.js';
import { silentLogger } from '#metacrawl/log.js';
import { submitSeeds } from '#metacrawl/producer/index.js';
import { connectRedis, startPrivateRedis } from '#metacrawl/redis.js';
import { sleep } from '#metacrawl/sleep.js';
import { crawlSummary, openDb, runStoreWriter } from '#metacrawl/store/index.js';
import { startWorker } from '#metacrawl/worker/index.js';
import { startSite } from './site.js';

export interface MemoryPhase {
  /** INFO used_memory minus the baseline, bytes. */
  usedMemory: number;
  perUrl: number;
  /** Bytes by key kind (`<crawl>`, `<job>`, `<hex>` stand for the variable parts), largest first. */
  byKind: Record<string, number>;
  /** BullMQ's events stream: capped (MAXLEN ~10,000 entries), so a constant, not a per-URL cost. */
  eventsStream: number;
  /** (usedMemory - eventsStream) / urls: what grows with the crawl. */
  perUrlWithoutEvents: number;
}

export interface RedisMemoryReport {
  urls: number;
  hosts: number;
  redisVersion: string;
  baseline: number;
  queued: MemoryPhase;
  finished: MemoryPhase;
  elapsedMs: number;
}

export interface MeasureOptions {
  urls: number;
  /** Temp folder for the redis-server, seeds and the database. */
  dir: string;
  hosts?: number;
  /** First loopback address of the local site is 127.0.0.<firstOctet>. */
  firstOctet?: number;
  concurrency?: number;
  /** Progress lines (the 100,000-URL run takes a few minutes). */
  log?: (line: string) => void;
}

const PREFIX = 'mem';

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}

/** Collapses the variable parts of a key so keys group by kind. */
function kind(key: string, crawl: string): string {
  return key
    .split(crawl)
    .join('<crawl>')
    .replace(/<crawl>~[0-9a-f]+/, '<job>')
    .replace(/:pq:.*/, ':pq:<host>')
    .replace(/:lease:.*/, ':lease:<token>')
    .replace(/:[0-9a-f]{4}$/, ':<hex>')
    .replace(/:(host|robots|robots-lock):.*/, ':$1:<host>');
}

async function keyBytes(redis: Redis, crawl: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 1000);
    cursor = next;
    const pipe = redis.pipeline();
    for (const key of batch) pipe.memory('USAGE', key, 'SAMPLES', 0);
    const sizes = (await pipe.exec()) ?? [];
    batch.forEach((key, i) => {
      const k = kind(key, crawl);
      out[k] = (out[k] ?? 0) + Number(sizes[i]?.[1] ?? 0);
    });
  } while (cursor !== '0');
  return Object.fromEntries(Object.entries(out).sort((a, b) => b[1] - a[1]));
}

async function phase(redis: Redis, baseline: number, urls: number, crawl: string): Promise<MemoryPhase> {
  const used = (await usedMemory(redis)) - baseline;
  const byKind = await keyBytes(redis, crawl);
  const eventsStream = byKind[`${PREFIX}:crawl:events`] ?? 0;
  return {
    usedMemory: used,
    perUrl: Math.round((used / urls) * 10) / 10,
    byKind,
    eventsStream,
    perUrlWithoutEvents: Math.round(((used - eventsStream) / urls) * 10) / 10,
  };
}

async function queueAll(redis: Redis, dir: string, crawl: string, seeds: string[]): Promise<void> {
  const settings: CrawlSettings = {
    ...DEFAULTS.crawl,
    hostRate: Number.POSITIVE_INFINITY,
    hostConcurrency: 0,
    ignoreRobots: true,
  };
  const file = join(dir, `${crawl}.txt`);
  writeFileSync(file, `${seeds.join('\n')}\n`);
  await submitSeeds({ redis, prefix: PREFIX, crawl, settings, sources: [file], report: () => {} });
}

async function finishAll(url: string, dir: string, crawl: string, urls: number, concurrency: number) {
  const db = openDb(join(dir, 'memory.db'));
  const writerRedis = connectRedis(url);
  const stop = new AbortController();
  const writer = runStoreWriter({
    redis: writerRedis,
    prefix: PREFIX,
    db,
    signal: stop.signal,
    batchSize: 1000,
  });
  const worker = await startWorker({
    redisUrl: url,
    prefix: PREFIX,
    concurrency,
    fetch: { ...DEFAULTS.fetch, allowPrivate: true },
    defaults: DEFAULTS.crawl,
    logger: silentLogger,
  });
  try {
    while (crawlSummary(db, crawl).pages < urls) await sleep(100);
  } finally {
    await worker.close(1000);
    stop.abort();
    await writer;
    writerRedis.disconnect();
    db.close();
  }
}

/** Queues `urls` URLs of a local site, measures, crawls them all, measures again. */
export async function measureRedisMemory(opts: MeasureOptions): Promise<RedisMemoryReport> {
  const started = Date.now();
  const hosts = opts.hosts ?? 10;
  const concurrency = opts.concurrency ?? 64;
  const log = opts.log ?? (() => {});
  const server = await startPrivateRedis(join(opts.dir, 'redis'), { appendonly: false });
  const site = await startSite({
    hosts,
    pagesPerHost: Math.ceil(opts.urls / hosts),
    firstOctet: opts.firstOctet ?? 110,
    linksPerPage: 1,
  });
  const redis = connectRedis(server.url);
  try {
    const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
    // A small warm-up crawl loads the Lua scripts and creates the stream, group and queue keys first, so
    // the baseline holds every constant cost and the deltas only what grows with the crawl.
    await queueAll(redis, opts.dir, 'warmup', site.urls.slice(0, 20));
    await finishAll(server.url, opts.dir, 'warmup', 20, concurrency);
    const baseline = await usedMemory(redis);
    const crawl = 'measured';
    const urls = site.urls.slice(0, opts.urls);
    log(`queueing ${urls.length} URLs`);
    await queueAll(redis, opts.dir, crawl, urls);
    const queued = await phase(redis, baseline, urls.length, crawl);
    log(`queued: ${queued.perUrl} bytes/URL; crawling`);
    await finishAll(server.url, opts.dir, crawl, urls.length, concurrency);
    const finished = await phase(redis, baseline, urls.length, crawl);
    log(`finished: ${finished.perUrl} bytes/URL`);
    return {
      urls: urls.length,
      hosts,
      redisVersion,
      baseline,
      queued,
      finished,
      elapsedMs: Date.now() - started,
    };
  } finally {
    redis.disconnect();
    await site.close();
    await server.stop();
  }
}
