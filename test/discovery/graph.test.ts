import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScopeMode } from '../../src/url/scope.js';
import { type BfsOptions, bfs, type GraphSite, type GraphSpec, startGraphSite } from './graph.js';
import { type CrawlRun, runCrawl } from './run.js';

// Three hosts; cross-host links; URLs reachable at several depths; nofollow links and pages.
const SPEC: GraphSpec = {
  'a:/': {
    links: ['a:/1', 'a:/2', 'b:/', { to: 'a:/nf', rel: 'nofollow' }, 'a:/meta-nf', 'a:/#top'],
  },
  'a:/1': { links: ['a:/1/1', 'a:/2', 'a:/', 'c:/x', 'a:/xr'] },
  'a:/2': { links: ['a:/2/1', 'a:/1/1', 'a:/2?utm_source=mail', { to: 'a:/ugc', rel: 'ugc' }] },
  'a:/1/1': { links: ['a:/deep'] },
  'a:/2/1': { links: ['a:/1'] },
  'a:/deep': { links: ['a:/deeper'] },
  'a:/deeper': { links: [] },
  'a:/ugc': { links: [] },
  'a:/nf': { links: ['a:/nf-child'] },
  'a:/nf-child': { links: [] },
  'a:/meta-nf': { metaRobots: 'noindex, nofollow', links: ['a:/hidden'] },
  'a:/hidden': { links: [] },
  'a:/xr': { xRobots: 'nofollow', links: ['a:/hidden2'] },
  'a:/hidden2': { links: [] },
  'b:/': { links: ['b:/1', 'a:/1', 'c:/'] },
  'b:/1': { links: ['b:/2'] },
  'b:/2': { links: ['b:/3'] },
  'b:/3': { links: [] },
  'c:/': { links: ['c:/1'] },
  'c:/x': { links: ['c:/1'] },
  'c:/1': { links: [] },
};

let site: GraphSite;

beforeAll(async () => {
  site = await startGraphSite(SPEC, { hosts: { a: '127.0.0.71', b: '127.0.0.72', c: '127.0.0.73' } });
});
afterAll(async () => {
  await site?.close();
});

function check(run: CrawlRun, seeds: string[], o: BfsOptions) {
  const expected = bfs(site, SPEC, seeds, o);
  expect(run.code).toBe(0);
  const got = new Map(run.rows.map((r) => [site.node(r.url), r]));
  expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [node, e] of expected) {
    const row = got.get(node)!;
    expect(row.error, node).toBeNull();
    expect(row.depth, node).toBe(e.depth);
    if (e.depth === 0) expect(row.discovered_from, node).toBeNull();
    else
      expect(
        [...e.parents].map((p) => site.url(p)),
        node,
      ).toContain(row.discovered_from);
  }
  // Crawled once: one request per stored page (robots.txt aside) in this run.
  return expected;
}

describe.concurrent('link discovery against a known graph', () => {
  const seeds = ['a:/', 'b:/'];
  const cases: Array<[number, ScopeMode]> = [];
  for (const depth of [0, 1, 2])
    for (const scope of ['host', 'domain', 'any'] as const) cases.push([depth, scope]);

  it('stores exactly the BFS set, each URL once at its first depth, for depth 0-2 and every scope', async () => {
    const runs = await Promise.all(
      cases.map(([depth, scope]) =>
        runCrawl({ seeds: seeds.map((s) => site.url(s)), settings: { depth, scope } }),
      ),
    );
    cases.forEach(([depth, scope], i) => {
      const expected = check(runs[i], seeds, { depth, scope });
      expect(expected.size).toBeGreaterThan(depth === 0 ? 1 : 4);
    });
    // Spot checks of the oracle itself, so a wrong BFS cannot make the test pass.
    const any2 = bfs(site, SPEC, seeds, { depth: 2, scope: 'any' });
    expect(any2.get('a:/2')?.depth).toBe(1);
    expect(any2.get('b:/')?.depth).toBe(0);
    expect(any2.get('c:/1')?.depth).toBe(2);
    expect(any2.has('a:/nf')).toBe(false);
    expect(any2.has('a:/hidden')).toBe(false);
    expect(any2.has('a:/hidden2')).toBe(false);
    expect(any2.has('a:/deeper')).toBe(false);
    const host2 = bfs(site, SPEC, seeds, { depth: 2, scope: 'host' });
    expect([...host2.keys()].filter((k) => k.startsWith('c:'))).toEqual([]);
    expect(host2.get('b:/2')?.depth).toBe(2);
  }, 30_000);

  it('follows nofollow links and pages with --follow-nofollow', async () => {
    const run = await runCrawl({
      seeds: [site.url('a:/')],
      settings: { depth: 3, scope: 'host', followNofollow: true },
    });
    const expected = check(run, ['a:/'], { depth: 3, scope: 'host', followNofollow: true });
    for (const n of ['a:/nf', 'a:/nf-child', 'a:/hidden', 'a:/hidden2'])
      expect(expected.has(n), n).toBe(true);
  });

  it('applies --include/--exclude to discovered links only, never to seeds', async () => {
    const include = ['/1', '/2$'];
    const exclude = ['/1/1$', '^http://127\\.0\\.0\\.72'];
    const seedNodes = ['a:/', 'b:/', 'a:/1/1'];
    const run = await runCrawl({
      seeds: seedNodes.map((s) => site.url(s)),
      settings: { depth: 2, scope: 'any', include, exclude },
    });
    const expected = check(run, seedNodes, {
      depth: 2,
      scope: 'any',
      include: include.map((r) => new RegExp(r)),
      exclude: exclude.map((r) => new RegExp(r)),
    });
    // Excluded by pattern, kept as seeds.
    expect(expected.get('a:/1/1')?.depth).toBe(0);
    expect(expected.get('b:/')?.depth).toBe(0);
    expect(expected.has('b:/1')).toBe(false);
    expect(expected.has('a:/1')).toBe(true);
  });
});
