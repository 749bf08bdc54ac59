import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config.js';
import { submitSeeds } from '../../src/producer/index.js';
import { readCrawlStats } from '../../src/queue.js';
import { connectRedis } from '../../src/redis.js';
import { runStoreWriter } from '../../src/store/consumer.js';
import { openDb } from '../../src/store/db.js';
import { startCli } from '../helpers/cli.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';
import { type GraphSite, type GraphSpec, startGraphSite } from './graph.js';

// The hub links 50 pages; every one of them links the same target (and the hub, and a neighbour).
const SPEC: GraphSpec = { 'a:/': { links: Array.from({ length: 50 }, (_, i) => `a:/p${i}`) } };
for (let i = 0; i < 50; i++) {
  SPEC[`a:/p${i}`] = { links: ['a:/target', 'a:/', `a:/p${(i + 1) % 50}`, 'a:/target?utm_source=x'] };
}
SPEC['a:/target'] = { links: [] };

let site: GraphSite;
let dir: string;

beforeAll(async () => {
  // A little latency keeps many pages in flight at once across both workers.
  site = await startGraphSite(SPEC, { hosts: { a: '127.0.0.91' }, latencyMs: 20 });
  dir = mkdtempSync(join(tmpdir(), 'mc-discovery-fleet-'));
});
afterAll(async () => {
  await site?.close();
});

describe('fleet-wide dedupe', () => {
  it('two worker processes fetch a URL linked from 50 pages exactly once', async () => {
    const prefix = testPrefix();
    const common = ['--redis', testRedisUrl(), '--prefix', prefix, '--log-level', 'warn'];
    const workers = [1, 2].map(() =>
      startCli(['worker', '--allow-private', '--concurrency', '16', ...common]),
    );
    const redis = connectRedis(testRedisUrl());
    const db = openDb(join(dir, 'fleet.db'));
    const stop = new AbortController();
    const writerRedis = connectRedis(testRedisUrl());
    const writer = runStoreWriter({ redis: writerRedis, prefix, db, signal: stop.signal });
    try {
      // Both workers up (each registers a heartbeat as it starts) before there is any work to share.
      for (let i = 0; i < 300 && (await redis.hlen(`${prefix}:workers`)) < 2; i++)
        await new Promise((r) => setTimeout(r, 100));
      const seeds = join(dir, 'seeds.txt');
      writeFileSync(seeds, `${site.url('a:/')}\n`);
      const settings = {
        ...DEFAULTS.crawl,
        depth: 2,
        hostRate: Number.POSITIVE_INFINITY,
        hostConcurrency: 16,
      };
      await submitSeeds({ redis, prefix, crawl: 'hub', settings, sources: [seeds] });
      const deadline = Date.now() + 30_000;
      let stats = await readCrawlStats(redis, prefix, 'hub');
      while (Date.now() < deadline && !(stats.submitted === 52 && stats.stored >= 52)) {
        await new Promise((r) => setTimeout(r, 100));
        stats = await readCrawlStats(redis, prefix, 'hub');
      }
      expect(stats).toMatchObject({ submitted: 52, stored: 52 });
      // Both processes did part of the work (heartbeats carry their counts).
      const beats = Object.values(await redis.hgetall(`${prefix}:workers`)).map((v) => JSON.parse(v));
      expect(beats).toHaveLength(2);
    } finally {
      for (const p of workers) p.kill('SIGTERM');
      stop.abort();
      await writer;
      writerRedis.disconnect();
      redis.disconnect();
    }
    const results = await Promise.all(workers.map((p) => p.result));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    // The server saw the shared target once, every other page once.
    expect(site.hits('a:/target')).toBe(1);
    expect(site.hits('a:/target?utm_source=x')).toBe(0);
    for (let i = 0; i < 50; i++) expect(site.hits(`a:/p${i}`)).toBe(1);
    expect(site.hits('a:/')).toBe(1);
    try {
      const row = db
        .prepare('SELECT depth, discovered_from FROM pages WHERE url = ?')
        .get(site.url('a:/target')) as { depth: number; discovered_from: string };
      expect(row.depth).toBe(2);
      expect(row.discovered_from).toMatch(/\/p\d+$/);
      expect(db.prepare('SELECT count(*) FROM pages').pluck().get()).toBe(52);
    } finally {
      db.close();
    }
  }, 60_000);
});
