/**
 * Discovery with the frontier bound in force: a window of 4 ready jobs, 120 pages found link by link. Every
 * discovered page waits in the frontier until a feeder moves it to the queue, and is fetched exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Site, startSite } from '../../tools/site.js';
import { runCrawl } from './run.js';

const HOSTS = 3;
const PAGES = 40;
const LINKS = 3;
let site: Site;

beforeAll(async () => {
  site = await startSite({ hosts: HOSTS, pagesPerHost: PAGES, firstOctet: 151, linksPerPage: LINKS });
});
afterAll(async () => {
  await site?.close();
});

describe('discovery past the queue window', () => {
  it('fetches every discovered page once, at its shortest depth', async () => {
    const seeds = site.hosts.map((h) => `${h.origin}/page/0`);
    const run = await runCrawl({ seeds, settings: { depth: 100 }, queueWindow: 4 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.rows.map((r) => r.url).sort()).toEqual([...site.urls].sort());
    for (const r of run.rows) {
      expect(r.error, r.url).toBeNull();
      // Page i links to pages i+1..i+3 of its host: it is ceil(i / 3) clicks from page 0.
      const i = Number(/\/page\/(\d+)$/.exec(r.url)?.[1]);
      expect(r.depth, r.url).toBe(Math.ceil(i / LINKS));
    }
    const pages = site.log.filter((e) => e.path.startsWith('/page/'));
    expect(pages).toHaveLength(HOSTS * PAGES);
  }, 120_000);
});
