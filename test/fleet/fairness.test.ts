/** The queue order the fair-share priorities produce (src/control/fairness.ts), read from BullMQ itself. */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config.js';
import { classFirstPriority, LEVELS } from '../../src/control/fairness.js';
import { Submitter } from '../../src/producer/submit.js';
import { loadCrawlSettings, openQueue, saveCrawlSettings } from '../../src/queue.js';
import { connectRedis } from '../../src/redis.js';
import type { CrawlJobData } from '../../src/types.js';
import { Feeder } from '../../src/worker/feeder.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';

let redis: Redis;
let queue: Queue<CrawlJobData>;
let prefix: string;

beforeAll(() => {
  process.env.METACRAWL_FAIR_TURN = '10';
  redis = connectRedis(testRedisUrl());
  prefix = testPrefix();
  queue = openQueue(redis, prefix);
});
afterAll(async () => {
  delete process.env.METACRAWL_FAIR_TURN;
  await queue.close();
  redis.disconnect();
});

async function submit(crawl: string, n: number, priority = 0): Promise<void> {
  // No politeness limit: the feeders then move a crawl's whole frontier at once, and the queue order is all there is.
  const settings = { ...DEFAULTS.crawl, priority, hostRate: Number.POSITIVE_INFINITY };
  await saveCrawlSettings(redis, prefix, crawl, settings);
  const sub = new Submitter(redis, prefix, crawl, settings);
  const items = Array.from({ length: n }, (_, i) => {
    const url = `https://${crawl}.example/${i}`;
    return { url, depth: 0, from: null, seed: url };
  });
  await sub.addSeeds(items);
  // The workers' feeders move the frontier into the queue; priorities are given then.
  const feeder = new Feeder({
    redis,
    prefix,
    queue,
    window: 10_000,
    settings: async (c) => (await loadCrawlSettings(redis, prefix, c)) ?? DEFAULTS.crawl,
  });
  while ((await feeder.feedOnce()) > 0);
}

/** The crawl of each job in the order workers will take them. */
async function order(): Promise<string[]> {
  const jobs = await queue.getPrioritized(0, -1);
  return jobs.sort((a, b) => a.priority - b.priority).map((j) => j.data.crawl);
}

function runs(list: string[]): string[] {
  const out: string[] = [];
  for (const c of list)
    if (out.at(-1)?.split('x')[0] !== c) out.push(`${c}x1`);
    else out[out.length - 1] = `${c}x${Number(out.at(-1)?.split('x')[1]) + 1}`;
  return out;
}

describe('fair sharing of the queue', () => {
  it('serves crawls of a class in turns, a later crawl joining at the turn being served', async () => {
    await submit('a', 50);
    expect(runs(await order())).toEqual(['ax50']);
    await submit('b', 25);
    expect(runs(await order())).toEqual(['ax10', 'bx10', 'ax10', 'bx10', 'ax10', 'bx5', 'ax20']);
    // The fleet serves the first 30 jobs; a crawl submitted now starts at the turn then in service.
    const first = (await queue.getPrioritized(0, -1)).sort((x, y) => x.priority - y.priority).slice(0, 30);
    for (const j of first) expect(await queue.remove(j.id as string)).toBe(1);
    await submit('c', 15);
    expect(runs(await order())).toEqual(['bx10', 'cx10', 'ax10', 'bx5', 'cx5', 'ax20']);
    // A class 1 crawl goes before all of them; class 9 after.
    await submit('urgent', 3, 1);
    await submit('later', 3, 9);
    const o = runs(await order());
    expect(o[0]).toBe('urgentx3');
    expect(o.at(-1)).toBe('laterx3');
    const urgent = (await queue.getPrioritized(0, -1)).find((j) => j.data.crawl === 'urgent');
    expect(urgent?.priority).toBe(classFirstPriority(1));
    expect(classFirstPriority(9) + LEVELS - 1).toBeLessThanOrEqual(2_097_152);
  });
});
