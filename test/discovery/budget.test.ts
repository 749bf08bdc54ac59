import { afterAll, beforeAll, describe, it } from 'vitest';
import { collectStatus } from '../../src/cli/status.js';
import { connectRedis } from '../../src/redis.js';
import { testRedisUrl } from '../helpers/redis.js';
import { bfs, type GraphSite, type GraphSpec, startGraphSite } from './graph.js';
import { runCrawl } from './run.js';

// A wide tree: each host's home links 8 pages of its own host and the next host's home; each page links 3 more.
const SPEC: GraphSpec = {};
const HOSTS = ['a', 'b', 'c'];
for (const [i, h] of HOSTS.entries()) {
  SPEC[`${h}:/`] = {
    links: [...Array.from({ length: 8 }, (_, j) => `${h}:/p${j}`), `${HOSTS[(i + 1) % 3]}:/`],
  };
  for (let j = 0; j < 8; j++) {
    SPEC[`${h}:/p${j}`] = { links: Array.from({ length: 3 }, (_, k) => `${h}:/p${j}/${k}`) };
    for (let k = 0; k < 3; k++) SPEC[`${h}:/p${j}/${k}`] = { links: [] };
  }
}

let site: GraphSite;

beforeAll(async () => {
  site = await startGraphSite(SPEC, { hosts: { a: '127.0.0.81', b: '127.0.0.82', c: '127.0.0.83' } });
});
afterAll(async () => {
  await site?.close();
});

const hostOf = (url: string) => site.node(url).split(':')[0];

describe.concurrent('discovery budgets', () => {
  it('--max-pages stops discovery at the exact count and the summary and status say so', async ({
    expect,
  }) => {
    const all = bfs(site, SPEC, ['a:/'], { depth: 2, scope: 'any' });
    expect(all.size).toBeGreaterThan(40);
    const run = await runCrawl({
      seeds: [site.url('a:/')],
      settings: { depth: 2, scope: 'any', maxPages: 17 },
    });
    expect(run.rows).toHaveLength(17);
    for (const r of run.rows) {
      expect(all.has(site.node(r.url)), r.url).toBe(true);
      expect(r.error).toBeNull();
    }
    expect(run.stdout).toMatch(
      /budget\s+--max-pages 17 reached: discovery stopped, \d+ discovered links not followed/,
    );
    const redis = connectRedis(testRedisUrl());
    try {
      const status = await collectStatus(redis, run.prefix, 'graph', testRedisUrl());
      expect(status.crawls[0]).toMatchObject({ budgetHit: 'max-pages', submitted: 17, stored: 17 });
      expect(status.crawls[0].overBudget).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
  });

  it('--max-pages-per-host caps every host key at the exact count', async ({ expect }) => {
    const run = await runCrawl({
      seeds: [site.url('a:/')],
      settings: { depth: 3, scope: 'any', maxPagesPerHost: 5 },
    });
    const per = new Map<string, number>();
    for (const r of run.rows) per.set(hostOf(r.url), (per.get(hostOf(r.url)) ?? 0) + 1);
    expect(Object.fromEntries(per)).toEqual({ a: 5, b: 5, c: 5 });
    expect(run.stdout).toMatch(/--max-pages-per-host 5 reached \(last on 127\.0\.0\.8[123]\)/);
  });

  it('counts seeds towards the budget but never drops one', async ({ expect }) => {
    const seeds = ['a:/', 'a:/p0', 'a:/p1', 'b:/'].map((n) => site.url(n));
    const run = await runCrawl({ seeds, settings: { depth: 2, scope: 'any', maxPages: 3 } });
    expect(run.rows.map((r) => r.url).sort()).toEqual([...seeds].sort());
    expect(run.rows.every((r) => r.depth === 0)).toBe(true);
    expect(run.stdout).toMatch(/--max-pages 3 reached/);
  });

  it('says nothing about budgets when none was reached', async ({ expect }) => {
    const run = await runCrawl({
      seeds: [site.url('c:/')],
      settings: { depth: 1, scope: 'host', maxPages: 100 },
    });
    expect(run.rows).toHaveLength(9);
    expect(run.stdout).not.toMatch(/budget/);
  });
});
