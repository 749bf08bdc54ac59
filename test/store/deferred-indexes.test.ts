/**
 * The explorer's page-list indexes a writer leaves off while storing a large crawl (store/indexes.ts
 * PAGE_LIST_INDEXES): queries during the crawl answer the same rows as once the end of the crawl built them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseTableQuery } from '../../src/serve/filters.js';
import { ExplorerReader, openReadOnly } from '../../src/serve/reader.js';
import { runAudit } from '../../src/store/audit.js';
import { type Db, openDb } from '../../src/store/db.js';
import { finishWrites, hasIndex, PAGE_LIST_INDEXES } from '../../src/store/indexes.js';
import { DEFER_INDEXES_AFTER, PageWriter } from '../../src/store/writer.js';
import type { PageRecord } from '../../src/types.js';
import { failRecord, okRecord, tempDir } from './records.js';

const NAMES = Object.keys(PAGE_LIST_INDEXES);

/** Pages over 4 hosts, some lacking a title, an og:image, a description or JSON-LD, some failed, some redirected. */
function records(): PageRecord[] {
  return Array.from({ length: 48 }, (_, i) => {
    const url = `https://h${i % 4}.example.com/p${(i * 37) % 48}`;
    if (i % 11 === 10) return failRecord('c', url, 'HTTP_5XX', 503);
    const r = okRecord('c', url, { title: `T${(i * 13) % 7}` });
    const m = r.meta!;
    if (i % 3 === 0) m.title = null;
    if (i % 4 === 1) delete m.og['og:image'];
    if (i % 5 === 2) m.description = null;
    if (i % 6 === 3) m.jsonld = [];
    // Two requested URLs ending at the same document (the audit groups pages by it).
    r.finalUrl = i % 8 === 0 ? 'https://h0.example.com/landing' : null;
    return r;
  });
}

/** What the explorer and the audit show of the crawl. */
function views(path: string, db: Db) {
  const reader = new ExplorerReader(openReadOnly(path));
  try {
    const crawlId = reader.crawlByName('c')!.id;
    const table = (qs: string) => {
      const t = parseTableQuery(new URLSearchParams(qs));
      return { rows: reader.pages(crawlId, t).rows, count: reader.count(crawlId, t) };
    };
    return {
      breakdown: reader.breakdown(crawlId),
      byTitle: table('sort=title&per=200'),
      byTitleDesc: table('sort=title&dir=desc&per=200'),
      lacksTitle: table('lacks=title&per=200'),
      lacksImage: table('lacks=og_image&per=200'),
      lacksJsonld: table('lacks=jsonld&sort=title&per=200'),
      host: table('host=h2.example.com&per=200'),
      audit: runAudit(db, 'c'),
    };
  } finally {
    reader.close();
  }
}

describe('deferred page-list indexes', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => {
    t = tempDir();
  });
  afterEach(() => t.cleanup());

  it('answers the explorer and the audit with the same rows during a crawl as after the end builds them', () => {
    const db = openDb(t.dbPath);
    const fresh = Object.fromEntries(
      db
        .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'pages'`)
        .all()
        .map((r) => [(r as { name: string }).name, (r as { sql: string }).sql]),
    );
    const writer = new PageWriter(db, { deferIndexesAfter: 8 });
    const recs = records();
    for (let i = 0; i < recs.length; i += 6) writer.writeBatch(recs.slice(i, i + 6));
    for (const name of NAMES) expect(hasIndex(db, name), name).toBe(false);
    // Those the progress line and the narrow filters read during a crawl are kept, and the audit's document lookup.
    for (const name of ['pages_crawl_error', 'pages_crawl_fetched', 'pages_crawl_status', 'pages_crawl_doc'])
      expect(hasIndex(db, name), name).toBe(true);
    const during = views(t.dbPath, db);
    expect(during.lacksTitle.rows.length).toBeGreaterThan(5);
    expect(during.lacksImage.rows.length).toBeGreaterThan(5);
    expect(during.breakdown.hosts).toBe(4);
    expect(during.host.count).toBe(12);

    const built = finishWrites(db).map((b) => b.name);
    expect(built).toContain('page_lists');
    // Built again as the migrations made them.
    for (const name of NAMES) {
      expect(hasIndex(db, name), name).toBe(true);
      const sql = db.prepare('SELECT sql FROM sqlite_master WHERE name = ?').pluck().get(name) as string;
      expect(sql.replace(' IF NOT EXISTS', '')).toBe(fresh[name]);
    }
    expect(views(t.dbPath, db)).toEqual(during);
    db.close();
  });

  it('are kept by a default writer for its first DEFER_INDEXES_AFTER pages, dropped after', () => {
    const db = openDb(t.dbPath);
    const writer = new PageWriter(db);
    const page = (i: number) => failRecord('c', `https://h.example.com/p${i}`, 'HTTP_5XX', 503);
    const batch = (from: number, n: number) => Array.from({ length: n }, (_, k) => page(from + k));
    writer.writeBatch(batch(0, DEFER_INDEXES_AFTER));
    for (const name of [...NAMES, 'urls_url']) expect(hasIndex(db, name), name).toBe(true);
    writer.writeBatch(batch(DEFER_INDEXES_AFTER, 1));
    for (const name of [...NAMES, 'urls_url']) expect(hasIndex(db, name), name).toBe(false);
    expect(finishWrites(db).map((b) => b.name)).toEqual(['urls_url', 'page_lists']);
    db.close();
  });

  it('keeps them for a small crawl', () => {
    const db = openDb(t.dbPath);
    const writer = new PageWriter(db, { deferIndexesAfter: 100 });
    writer.writeBatch(records());
    for (const name of NAMES) expect(hasIndex(db, name), name).toBe(true);
    expect(finishWrites(db)).toEqual([]);
    db.close();
  });
});
