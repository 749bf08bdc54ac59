import { describe, expect, it } from 'vitest';
import { type Db, openDb } from '../../src/store/db.js';
import { PageWriter } from '../../src/store/writer.js';
import type { MetaTag } from '../../src/types.js';
import { failRecord, okRecord, storePerTest } from './records.js';

describe('PageWriter', () => {
  let db: Db;
  let writer: PageWriter;
  storePerTest((d, w) => {
    db = d;
    writer = w;
  });
  const count = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

  it('stores the page row, its meta, links and JSON-LD rows exactly, in document order', () => {
    const rec = okRecord('c1', 'https://example.com/a', { links: 150, meta: 70 });
    const res = writer.writeBatch([rec]);
    expect(res).toMatchObject({ inserted: 1, updated: 0, skipped: 0, failed: 0, byError: {} });
    const page = db.prepare('SELECT * FROM pages').get() as Record<string, unknown>;
    expect(page).toMatchObject({
      url: 'https://example.com/a',
      final_url: 'https://example.com/a?final',
      status: 200,
      error: null,
      attempts: 1,
      truncated: 0,
      title: 'Title of https://example.com/a',
      og_title: 'og Title of https://example.com/a',
      og_site_name: 'Example',
      og_type: 'article',
      twitter_card: 'summary',
      links_count: 160,
      links_truncated: 1,
      jsonld_count: 3,
      jsonld_invalid: 1,
      depth: 1,
      discovered_from: 'https://example.com/',
      best_title: 'og Title of https://example.com/a',
      author: 'Ann Author',
      jsonld_types: 'Article WebPage Organization Brand',
    });
    expect(JSON.parse(page.redirects as string)).toEqual([{ url: 'https://example.com/a?r', status: 301 }]);
    expect(JSON.parse(page.headers as string)).toEqual(rec.headers);
    expect(JSON.parse(page.feeds as string)).toEqual(['https://example.com/feed.xml']);
    expect(JSON.parse(page.hreflang as string)).toEqual([{ lang: 'de', url: 'https://example.com/de' }]);
    expect(db.prepare('SELECT name FROM crawls WHERE id = ?').pluck().get(page.crawl_id)).toBe('c1');

    const links = db
      .prepare('SELECT position, url, text, rel FROM links WHERE page_id = ? ORDER BY position')
      .all(page.id);
    expect(links).toEqual(
      rec.meta!.links.map((l, i) => ({ position: i, url: l.url, text: l.text, rel: l.rel })),
    );
    const meta = db
      .prepare('SELECT position, attr, key, content FROM meta WHERE page_id = ? ORDER BY position')
      .all(page.id);
    expect(meta).toEqual(
      rec.meta!.meta.map(([attr, key, content], i) => ({ position: i, attr, key, content })),
    );
    const jsonld = db.prepare('SELECT position, type, json, valid FROM jsonld ORDER BY position').all();
    expect(jsonld).toEqual([
      { position: 0, type: 'Article', json: rec.meta!.jsonld[0].raw, valid: 1 },
      { position: 1, type: '', json: '{broken', valid: 0 },
      { position: 2, type: 'WebPage Organization Brand', json: rec.meta!.jsonld[2].raw, valid: 1 },
    ]);
    const byType = db
      .prepare('SELECT p.url FROM pages p JOIN page_jsonld_types t ON t.page_id = p.id WHERE t.type = ?')
      .pluck()
      .all('Organization');
    expect(byType).toEqual(['https://example.com/a']);
  });

  it('stores a failure as a row with its error code and no children', () => {
    const res = writer.writeBatch([failRecord('c1', 'https://x.test/', 'DNS_NOT_FOUND')]);
    expect(res).toMatchObject({ inserted: 1, failed: 1, byError: { DNS_NOT_FOUND: 1 } });
    expect(db.prepare('SELECT error, attempts, lastmod, title, links_count FROM pages').get()).toEqual({
      error: 'DNS_NOT_FOUND',
      attempts: 3,
      lastmod: '2024-11-01',
      title: null,
      links_count: null,
    });
    expect(count('links') + count('meta') + count('jsonld') + count('page_jsonld_types')).toBe(0);
  });

  it('makes a replayed batch harmless: no duplicate rows and inserted is 0', () => {
    const batch = [
      okRecord('c1', 'https://example.com/a', { links: 130, meta: 65 }),
      okRecord('c1', 'https://example.com/b'),
      failRecord('c1', 'https://example.com/c', 'HTTP_5XX', 503),
    ];
    const first = writer.writeBatch(batch);
    expect(first).toMatchObject({ inserted: 3, updated: 0, failed: 1, byError: { HTTP_5XX: 1 } });
    const counts = ['pages', 'meta', 'links', 'jsonld', 'page_jsonld_types', 'crawls'].map(count);
    const replay = writer.writeBatch(batch);
    expect(replay).toMatchObject({ inserted: 0, updated: 3, skipped: 0, failed: 0, byError: {} });
    expect(['pages', 'meta', 'links', 'jsonld', 'page_jsonld_types', 'crawls'].map(count)).toEqual(counts);
    expect(counts).toEqual([3, 65 + 2, 130 + 3, 6, 8, 1]);
    // A fresh writer (a restarted process) agrees.
    expect(new PageWriter(db).writeBatch(batch)).toMatchObject({ inserted: 0, updated: 3 });
  });

  it('stores a batch of many new URLs and texts (ids given in bulk) exactly, and a writer started later continues', () => {
    // Each page: 120 links to URLs no page linked to before, 40 to shared ones, unique and shared texts.
    const page = (i: number, crawl = 'c1') => {
      const r = okRecord(crawl, `https://example.com/p${i}`, { links: 0, meta: 0 });
      r.meta!.links = Array.from({ length: 160 }, (_, k) => ({
        url: k < 120 ? `https://site${i}.example/${k}#f${k % 3}` : `https://shared.example/${k}`,
        text: k % 2 === 0 ? `text ${i}/${k}` : `shared ${k % 7}`,
        rel: null,
        tag: 'a' as const,
      }));
      r.meta!.meta = Array.from({ length: 30 }, (_, k) => ['name', `k${k % 9}`, `v ${i}/${k}`] as MetaTag);
      return r;
    };
    const linksOf = (url: string) =>
      db
        .prepare(
          'SELECT l.url, l.text, l.rel FROM links l JOIN pages p ON p.id = l.page_id WHERE p.url = ? ORDER BY l.position',
        )
        .all(url);
    const metaOf = (url: string) =>
      db
        .prepare(
          'SELECT m.attr, m.key, m.content FROM meta m JOIN pages p ON p.id = m.page_id WHERE p.url = ? ORDER BY m.position',
        )
        .raw(true)
        .all(url);
    // Page 0 twice in the batch: its second record replaces the first's rows.
    const first = [0, 1, 2, 3, 4, 5].map((i) => page(i));
    const again = page(0);
    again.meta!.links.reverse();
    expect(writer.writeBatch([...first, again])).toMatchObject({ inserted: 6, updated: 1 });
    // A later writer (a restarted process) knows none of the ids and hands out new ones after them.
    const later = [6, 7, 8].map((i) => page(i));
    expect(new PageWriter(db).writeBatch(later)).toMatchObject({ inserted: 3 });
    for (const r of [again, ...first.slice(1), ...later]) {
      expect(linksOf(r.url)).toEqual(r.meta!.links.map((l) => ({ url: l.url, text: l.text, rel: l.rel })));
      expect(metaOf(r.url)).toEqual(r.meta!.meta);
    }
    expect(count('pages')).toBe(9);
    expect(count('links')).toBe(9 * 160);
  });

  it('stores every JSON-LD type of a page with more of them than one statement takes (256)', () => {
    const r = okRecord('c', 'https://example.com/many-types');
    const types = Array.from({ length: 600 }, (_, k) => `Type${k}`);
    r.meta!.resolved!.jsonldTypes = types;
    writer.writeBatch([r, okRecord('c', 'https://example.com/few-types')]);
    const typesOf = (url: string) =>
      db
        .prepare(
          'SELECT t.type FROM page_jsonld_types t JOIN pages p ON p.id = t.page_id WHERE p.url = ? ORDER BY t.type',
        )
        .pluck()
        .all(url);
    expect(typesOf(r.url)).toEqual([...types].sort());
    expect(typesOf('https://example.com/few-types')).toEqual(['Article', 'Brand', 'Organization', 'WebPage']);
  });

  it('never lets a later failure replace an earlier success', () => {
    writer.writeBatch([okRecord('c1', 'https://example.com/a', { links: 5 })]);
    const res = writer.writeBatch([failRecord('c1', 'https://example.com/a', 'FETCH_TIMEOUT')]);
    expect(res).toMatchObject({ inserted: 0, updated: 0, skipped: 1, failed: 0, byError: {} });
    expect(db.prepare('SELECT error, status, title FROM pages').get()).toEqual({
      error: null,
      status: 200,
      title: 'Title of https://example.com/a',
    });
    expect(count('links')).toBe(5);
  });

  it('lets a success replace a failure and reports the net change in failures', () => {
    writer.writeBatch([failRecord('c1', 'https://example.com/a', 'HTTP_5XX', 500)]);
    const res = writer.writeBatch([okRecord('c1', 'https://example.com/a', { links: 4 })]);
    expect(res).toMatchObject({ inserted: 0, updated: 1, failed: -1, byError: { HTTP_5XX: -1 } });
    expect(db.prepare('SELECT error, status FROM pages').get()).toEqual({ error: null, status: 200 });
    expect(count('links')).toBe(4);
    // The latest of two failures wins.
    writer.writeBatch([failRecord('c1', 'https://example.com/b', 'HTTP_5XX', 500)]);
    const again = writer.writeBatch([failRecord('c1', 'https://example.com/b', 'HTTP_4XX', 404)]);
    expect(again).toMatchObject({ updated: 1, failed: 0, byError: { HTTP_5XX: -1, HTTP_4XX: 1 } });
  });

  it('keeps the same URL apart in different crawls and reports per crawl', () => {
    const res = writer.writeBatch([
      okRecord('c1', 'https://example.com/a'),
      okRecord('c2', 'https://example.com/a'),
      failRecord('c2', 'https://example.com/z', 'TLS_ERROR'),
    ]);
    expect(res.inserted).toBe(3);
    expect(res.byCrawl.c1).toMatchObject({ inserted: 1, failed: 0 });
    expect(res.byCrawl.c2).toMatchObject({ inserted: 2, failed: 1, byError: { TLS_ERROR: 1 } });
    expect(count('crawls')).toBe(2);
  });

  it('rolls back the whole batch when one record cannot be written', () => {
    const bad = { ...okRecord('c1', 'https://example.com/bad'), url: null } as unknown as ReturnType<
      typeof okRecord
    >;
    expect(() => writer.writeBatch([okRecord('c1', 'https://example.com/a'), bad])).toThrow();
    expect(count('pages')).toBe(0);
    expect(count('crawls')).toBe(0);
    // The writer still works afterwards (its crawl id cache was reset with the rollback).
    expect(writer.writeBatch([okRecord('c1', 'https://example.com/a')]).inserted).toBe(1);
  });

  it('deletes a crawl with all its rows (ON DELETE CASCADE) through any other connection', () => {
    writer.writeBatch([okRecord('c1', 'https://example.com/a', { links: 10, meta: 5 })]);
    // The writer's own connection leaves foreign keys off (see PageWriter); every other one enforces them.
    expect(db.pragma('foreign_keys', { simple: true })).toBe(0);
    const other = openDb(db.name);
    try {
      expect(other.pragma('foreign_keys', { simple: true })).toBe(1);
      other.prepare("DELETE FROM crawls WHERE name = 'c1'").run();
    } finally {
      other.close();
    }
    expect(['pages', 'meta', 'links', 'jsonld', 'page_jsonld_types', 'crawls'].map(count)).toEqual([
      0, 0, 0, 0, 0, 0,
    ]);
    // The writer notices the crawl is gone and creates it again.
    expect(writer.writeBatch([okRecord('c1', 'https://example.com/b')]).inserted).toBe(1);
    expect(
      db.prepare('SELECT count(*) FROM pages JOIN crawls ON crawls.id = pages.crawl_id').pluck().get(),
    ).toBe(1);
    expect(db.pragma('foreign_key_check')).toEqual([]);
  });

  it('compiles no SQL after its first batch: each statement is prepared once, never expired per batch', () => {
    const batch = (k: number) =>
      [0, 1, 2].map((i) => okRecord('c1', `https://example.com/${k}/${i}`, { links: 40, meta: 6 }));
    writer.writeBatch(batch(0));
    // Every prepare, exec and pragma (better-sqlite3 prepares a pragma too) of the connection from now on.
    const compiled: string[] = [];
    const spied = db as unknown as Record<
      'prepare' | 'exec' | 'pragma',
      (sql: string, ...rest: unknown[]) => unknown
    >;
    for (const m of ['prepare', 'exec', 'pragma'] as const) {
      const original = spied[m].bind(db);
      spied[m] = (sql, ...rest) => {
        compiled.push(`${m} ${sql}`);
        return original(sql, ...rest);
      };
    }
    for (let k = 1; k <= 3; k++) writer.writeBatch(batch(k));
    expect(compiled).toEqual([]);
    expect(count('pages')).toBe(12);
    expect(db.pragma('foreign_key_check')).toEqual([]);
  });

  it('records crawl settings', () => {
    writer.setCrawlSettings('c9', '{"hostRate":2}');
    expect(db.prepare('SELECT settings FROM crawls WHERE name = ?').pluck().get('c9')).toBe('{"hostRate":2}');
  });
});
