/**
 * The explorer's cached aggregates while crawls write to the database: a crawl that appears is listed at
 * once, and counts catch up with the database without waiting for a second visit.
 */
import * as cheerio from 'cheerio';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExplorerReader, openReadOnly } from '../../src/serve/reader.js';
import { startExplorer } from '../../src/serve/server.js';
import { openDb } from '../../src/store/db.js';
import { PageWriter } from '../../src/store/writer.js';
import { okRecord } from '../store/records.js';
import { type FixtureDb, fixtureDb } from './fixture.js';

let fx: FixtureDb;
beforeEach(async () => {
  fx = await fixtureDb(50);
});
afterEach(() => fx.cleanup());

/** Writes `n` pages of `crawl` from another connection, as a running crawl's store writer does. */
function write(crawl: string, n: number, from = 0): void {
  const db = openDb(fx.dbPath);
  try {
    new PageWriter(db).writeBatch(
      Array.from({ length: n }, (_, i) => okRecord(crawl, `https://new.example/${from + i}`)),
    );
  } finally {
    db.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the crawls list', () => {
  it('shows a crawl finished while the explorer runs on the next request, and its page answers', async () => {
    const e = await startExplorer({ dbPath: fx.dbPath, port: 0 });
    try {
      const names = async () => {
        const res = await fetch(new URL('/', e.url));
        expect(res.status).toBe(200);
        const $ = cheerio.load(await res.text());
        return $('#crawls tbody tr td:first-child')
          .map((_, td) => $(td).text())
          .get();
      };
      expect(await names()).toEqual(['fixture']);
      write('just-finished', 7);
      expect(await names()).toEqual(['just-finished', 'fixture']);
      const res = await fetch(new URL('/crawl/just-finished', e.url));
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('7 pages');
    } finally {
      await e.close();
    }
  });

  it('counts a crawl that kept writing after it was shown, on the first request once the cache is stale', async () => {
    const reader = new ExplorerReader(openReadOnly(fx.dbPath), 100);
    try {
      write('live', 3);
      expect(reader.crawlByName('live')?.pages).toBe(3);
      write('live', 4, 3);
      // Within the stale window the cached count may be served...
      expect([3, 7]).toContain(reader.crawlByName('live')?.pages);
      await sleep(150);
      // ...but not after it, even on the first request.
      expect(reader.crawlByName('live')?.pages).toBe(7);
    } finally {
      reader.close();
    }
  });

  it('refreshes the charts in the background once stale, without waiting for another request', async () => {
    const reader = new ExplorerReader(openReadOnly(fx.dbPath), 100);
    try {
      write('charts', 2);
      const id = reader.crawlByName('charts')?.id ?? -1;
      const hosts = () => reader.breakdown(id).topHosts.reduce((sum, [, n]) => sum + n, 0);
      expect(hosts()).toBe(2);
      write('charts', 5, 2);
      expect(hosts()).toBe(2); // served from the cache, a refresh set for when it is stale
      await sleep(250);
      expect(hosts()).toBe(7);
    } finally {
      reader.close();
    }
  });
});
