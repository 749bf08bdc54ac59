/**
 * A worker's concurrency: --concurrency pages in flight at once, never more, with its queue refilled as soon as
 * it is told URLs are waiting (RunningWorker.feed).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config.js';
import { keys } from '../../src/keys.js';
import { silentLogger } from '../../src/log.js';
import { submitSeeds } from '../../src/producer/index.js';
import { connectRedis } from '../../src/redis.js';
import { sleep } from '../../src/sleep.js';
import { type RunningWorker, startWorker } from '../../src/worker/index.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';

let redis: Redis;
let server: Server;
let port: number;
let dir: string;
/** Page requests being answered now, and the most at once. */
const pages = { now: 0, most: 0, total: 0 };

beforeAll(async () => {
  redis = connectRedis(testRedisUrl());
  dir = mkdtempSync(join(tmpdir(), 'mc-concurrency-'));
  // Each page is held 300 ms: the requests of a full worker overlap.
  server = createServer((req, res) => {
    if (req.url === '/robots.txt') {
      res.writeHead(404).end();
      return;
    }
    pages.now++;
    pages.total++;
    pages.most = Math.max(pages.most, pages.now);
    setTimeout(() => {
      pages.now--;
      res.writeHead(200, { 'content-type': 'text/html' }).end('<title>t</title>');
    }, 300);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  redis.disconnect();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('a worker with --concurrency 8', () => {
  it('has 8 pages in flight at once, never more', async () => {
    const prefix = testPrefix();
    const seeds = join(dir, 'seeds.txt');
    writeFileSync(
      seeds,
      `${Array.from({ length: 40 }, (_, i) => `http://127.0.0.1:${port}/p/${i}`).join('\n')}\n`,
    );
    const settings = { ...DEFAULTS.crawl, hostRate: 0, hostConcurrency: 64 };
    await submitSeeds({ redis, prefix, crawl: 'c8', settings, sources: [seeds], report: () => {} });
    let worker: RunningWorker | null = null;
    try {
      worker = await startWorker({
        redisUrl: testRedisUrl(),
        prefix,
        concurrency: 8,
        fetch: { ...DEFAULTS.fetch, allowPrivate: true },
        defaults: settings,
        logger: silentLogger,
      });
      worker.feed();
      const deadline = Date.now() + 30_000;
      while ((await redis.xlen(keys(prefix).results)) < 40 && Date.now() < deadline) await sleep(50);
      expect(await redis.xlen(keys(prefix).results)).toBe(40);
      expect(pages.total).toBe(40);
      expect(pages.most).toBe(8);
    } finally {
      await worker?.close(1000);
    }
  }, 60_000);
});
