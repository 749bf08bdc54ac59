/**
 * `status` names why a crawl's jobs wait at a host: its own limit, or the host's pause, and never a
 * cancelled crawl's leftovers. Gate state is made by the real gate on the test Redis; status is `main`.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectStatus } from '../../src/cli/status.js';
import { DEFAULTS } from '../../src/config.js';
import { keys } from '../../src/keys.js';
import { saveCrawlSettings } from '../../src/queue.js';
import { connectRedis } from '../../src/redis.js';
import { PolitenessGate } from '../../src/worker/politeness/gate.js';
import { runMain } from '../fleet/helpers.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';

let redis: Redis;
beforeAll(() => {
  redis = connectRedis(testRedisUrl());
});
afterAll(async () => {
  await redis.quit();
});

async function book(gate: PolitenessGate, crawl: string, host: string, rate: number): Promise<void> {
  const limits = { ratePerSec: rate, concurrency: 0 };
  for (let i = 0; i < 10; i++) await gate.acquire(crawl, host, limits, `${crawl}${i}`, 'book');
}

describe('status: why jobs wait', () => {
  it("names the crawl and its own limit, or the host's pause, and skips cancelled crawls", async () => {
    const prefix = testPrefix();
    const gate = new PolitenessGate(redis, prefix);
    for (const c of ['news', 'shop', 'old']) await saveCrawlSettings(redis, prefix, c, DEFAULTS.crawl);
    await book(gate, 'news', 'a.example', 1);
    await book(gate, 'shop', 'a.example', 4);
    await book(gate, 'shop', 'b.example', 0.5);
    await book(gate, 'old', 'a.example', 0.1);
    await redis.set(keys(prefix).crawlState('old'), 'cancelled');
    await gate.recordHostEvent('b.example', 'throttled', 30_000);

    const s = await collectStatus(redis, prefix, null, testRedisUrl());
    expect(s.delayedHostsTotal).toBe(3);
    const by = (crawl: string, host: string) =>
      s.delayedHosts.find((d) => d.crawl === crawl && d.host === host);
    expect(by('news', 'a.example')?.reason).toBe('rate 1/s');
    expect(by('shop', 'a.example')?.reason).toBe('rate 4/s');
    expect(by('shop', 'b.example')?.reason).toMatch(
      /^host paused until \d{4}-\d\d-\d\dT[\d:.]+Z: throttled, Retry-After 30s$/,
    );
    expect(s.delayedHosts.filter((d) => d.crawl === 'old')).toEqual([]);

    const text = await runMain(['status', '--redis', testRedisUrl(), '--prefix', prefix]);
    expect(text.code, text.err).toBe(0);
    expect(text.out).toMatch(/a\.example {2}~\d+ s of turns booked by crawl news {2}\(rate 1\/s\)/);
    expect(text.out).toMatch(
      /b\.example {2}~\d+ s of turns booked by crawl shop {2}\(host paused until .*Retry-After 30s\)/,
    );
    expect(text.out).not.toMatch(/by crawl old/);
  });
});
