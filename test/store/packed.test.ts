import { readdirSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDb, schemaVersion } from '../../src/store/db.js';
import { finishWrites, linkTargetsBehind } from '../../src/store/indexes.js';
import { PageWriter } from '../../src/store/writer.js';
import type { PageRecord } from '../../src/types.js';
import { okRecord, tempDir } from './records.js';

const MIGRATIONS = new URL('../../migrations/', import.meta.url);

/** Queries over links and meta as the README and the explorer write them, and the audit views reading links. */
const QUERIES = {
  everyLink: 'SELECT page_id, position, url, text, rel, target FROM links ORDER BY page_id, position',
  everyMeta: 'SELECT page_id, position, attr, key, content FROM meta ORDER BY page_id, position',
  linkedFrom: `SELECT DISTINCT p.url FROM links l JOIN pages p ON p.id = l.page_id
WHERE l.target = 'https://example.com/p2' ORDER BY p.url`,
  mostLinked: 'SELECT target, count(*) AS n FROM links GROUP BY target ORDER BY n DESC, target',
  metaKey: `SELECT m.content, count(*) AS pages FROM meta m WHERE m.key = 'og:type' GROUP BY m.content ORDER BY 1`,
  childCounts: `SELECT p.url, (SELECT count(*) FROM meta m WHERE m.page_id = p.id) AS meta_n,
(SELECT count(*) FROM links l WHERE l.page_id = p.id) AS links_n FROM pages p ORDER BY p.url`,
  orphans: 'SELECT crawl_id, url, sitemap FROM audit_orphan_pages ORDER BY crawl_id, url',
  brokenLinks: 'SELECT crawl_id, url, target, anchor, status FROM audit_broken_links ORDER BY 1, 2, 3',
};

function all(db: Db, sql: string): unknown[] {
  return db.prepare(sql).raw(true).all();
}

/**
 * A schema-9 database written as the schema-9 writer wrote it: pages, link_rows and meta_rows through the
 * dictionaries of migration 005, two crawls, a page of the second sharing its rows with one of the first
 * (content_of, migration 006), failures without rows, orphan sitemap URLs and a broken link.
 */
function schema9Db(path: string): void {
  const raw = new Database(path);
  for (const f of readdirSync(MIGRATIONS)
    .filter((n) => /^00\d_.*\.sql$/.test(n))
    .sort())
    raw.exec(readFileSync(new URL(f, MIGRATIONS), 'utf8'));
  raw.pragma('user_version = 9');
  raw.exec(`INSERT INTO crawls (id, name, created_at) VALUES (1, 'w1', 't'), (2, 'w2', 't')`);
  const page = raw.prepare(
    `INSERT INTO pages (id, crawl_id, url, status, error, title, stored_at, depth, discovered_from, word_count, content_of)
     VALUES (?, ?, ?, ?, ?, ?, 't', ?, ?, ?, ?)`,
  );
  const url = raw.prepare('INSERT INTO urls (url) VALUES (?)');
  const str = raw.prepare('INSERT INTO strings (s) VALUES (?)');
  const name = raw.prepare('INSERT INTO meta_names (attr, key) VALUES (?, ?)');
  const link = raw.prepare(
    'INSERT INTO link_rows (page_id, position, url_id, fragment, text_id, rel) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const meta = raw.prepare(
    'INSERT INTO meta_rows (page_id, position, name_id, content_id) VALUES (?, ?, ?, ?)',
  );
  raw.transaction(() => {
    const urlIds = Array.from({ length: 12 }, (_, k) =>
      Number(url.run(`https://example.com/p${k}`).lastInsertRowid),
    );
    // The same URL twice: the writer's interning is approximate.
    urlIds.push(Number(url.run('https://example.com/p2').lastInsertRowid));
    const texts = ['', 'home', 'next ✓', 'read more'].map((t) => Number(str.run(t).lastInsertRowid));
    const names = [
      ['name', 'description'],
      ['property', 'og:type'],
      ['charset', 'utf-8'],
    ].map(([a, k]) => Number(name.run(a, k).lastInsertRowid));
    const contents = ['website', 'article'].map((t) => Number(str.run(t).lastInsertRowid));
    for (let i = 1; i <= 24; i++) {
      const crawl = i <= 12 ? 1 : 2;
      const failed = i % 7 === 0;
      const shares = i === 20 ? 3 : null; // crawl 2's p7 kept crawl 1's p2 metadata
      const n = (i - 1) % 12;
      page.run(
        i,
        crawl,
        `https://example.com/p${n}`,
        failed ? (i === 7 ? 404 : null) : 200,
        failed ? (i === 7 ? 'HTTP_4XX' : 'FETCH_TIMEOUT') : null,
        `T${i}`,
        n >= 10 ? 0 : 1,
        n >= 10 ? 'https://example.com/sitemap.xml' : null,
        failed ? null : 300,
        shares,
      );
      if (failed || shares !== null) continue;
      for (let k = 0; k < 6 + (i % 5); k++)
        link.run(
          i,
          k,
          urlIds[(i * 5 + k * 3) % urlIds.length],
          k % 4 === 1 ? `frag-${k}` : k % 4 === 2 ? '' : null,
          texts[k % texts.length],
          k % 3 === 2 ? 'nofollow' : null,
        );
      for (let k = 0; k < 3; k++)
        meta.run(
          i,
          k,
          names[k],
          k === 2 ? null : k === 1 ? contents[i % 2] : str.run(`about ${i}`).lastInsertRowid,
        );
    }
    // A sitemap URL no page links to.
    page.run(
      25,
      1,
      'https://example.com/orphan',
      200,
      null,
      'O',
      0,
      'https://example.com/sitemap.xml',
      300,
      null,
    );
  })();
  raw.close();
}

describe('packed links and meta tags (migration 011)', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => {
    t = tempDir();
  });
  afterEach(() => t.cleanup());

  it('upgrades a schema-9 database in place: rows intact, every query answers the same rows', () => {
    schema9Db(t.dbPath);
    const before = new Database(t.dbPath, { readonly: true });
    const expected = Object.fromEntries(Object.entries(QUERIES).map(([k, q]) => [k, all(before, q)]));
    before.close();
    expect(expected.everyLink.length).toBeGreaterThan(100);
    expect(expected.linkedFrom.length).toBeGreaterThan(2);
    expect(expected.orphans).toEqual([[1, 'https://example.com/orphan', 'https://example.com/sitemap.xml']]);
    expect(expected.brokenLinks.length).toBeGreaterThan(2);

    const told: string[] = [];
    const db = openDb(t.dbPath, { onMigration: (m) => told.push(m) });
    expect(told).toContain(`upgrading ${t.dbPath}: 011_packed.sql…`);
    expect(schemaVersion(db)).toBeGreaterThanOrEqual(11);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    expect(tables).not.toContain('link_rows');
    expect(tables).not.toContain('meta_rows');
    for (const [name, sql] of Object.entries(QUERIES)) expect(all(db, sql), name).toEqual(expected[name]);
    // Every element of a converted list is a number or an array, as the writer stores them (never JSON text).
    expect(
      all(db, 'SELECT DISTINCT j.type FROM link_lists l JOIN json_each(l.links) j ORDER BY 1').flat(),
    ).toEqual(['array', 'integer']);
    // "Who links to X" is indexed for every converted page, and answers as `links` does.
    expect(linkTargetsBehind(db)).toBe(false);
    expect(
      all(
        db,
        `SELECT DISTINCT p.url FROM link_sources l JOIN pages p ON (p.id = l.page_id OR p.content_of = l.page_id)
         WHERE l.target = 'https://example.com/p2' ORDER BY p.url`,
      ),
    ).toEqual(expected.linkedFrom);
    // The sharing page has its owner's links, as before.
    expect(all(db, 'SELECT url, text FROM links WHERE page_id = 20 ORDER BY position')).toEqual(
      all(db, 'SELECT url, text FROM links WHERE page_id = 3 ORDER BY position'),
    );
    db.close();
  });

  it('stores a link whose ids are too large to pack in one number as an array, with the same rows', () => {
    const db = openDb(t.dbPath);
    // The next URL and string ids are past what url_id * 2^27 + text_id can hold exactly.
    db.prepare('INSERT INTO urls (id, url) VALUES (?, ?)').run(2 ** 26 + 5, 'https://seed.example/');
    db.prepare('INSERT INTO strings (id, s) VALUES (?, ?)').run(2 ** 27 + 5, 'seed');
    const r = okRecord('c', 'https://big.example/', { links: 0 });
    r.meta!.links = [
      { url: 'https://x.example/a', text: 'plain', rel: null, tag: 'a' as const },
      { url: 'https://x.example/b#frag', text: '', rel: null, tag: 'a' as const },
      { url: 'https://x.example/c', text: 'rel', rel: 'nofollow', tag: 'a' as const },
      { url: 'https://x.example/d#', text: 'both', rel: 'ugc', tag: 'a' as const },
    ];
    new PageWriter(db).writeBatch([r]);
    expect(all(db, 'SELECT url, text, rel, target FROM links ORDER BY position')).toEqual(
      r.meta!.links.map((l) => [l.url, l.text, l.rel, l.url.split('#')[0]]),
    );
    expect(all(db, 'SELECT DISTINCT j.type FROM link_lists l JOIN json_each(l.links) j').flat()).toEqual([
      'array',
    ]);
    db.close();
  });

  it('keeps "who links to X" exact when a page it covers is written again, and during a crawl', () => {
    const db = openDb(t.dbPath);
    const writer = new PageWriter(db, { deferIndexesAfter: 2 });
    const page = (url: string, targets: string[]): PageRecord => {
      const r = okRecord('c', url, { links: 0 });
      r.meta!.links = targets.map((u, k) => ({ url: u, text: `t${k}`, rel: null, tag: 'a' as const }));
      return r;
    };
    const sources = (target: string) =>
      db
        .prepare(
          `SELECT DISTINCT p.url FROM link_sources l JOIN pages p ON (p.id = l.page_id OR p.content_of = l.page_id)
           WHERE l.target = ? ORDER BY p.url`,
        )
        .pluck()
        .all(target);
    const viaLinks = (target: string) =>
      db
        .prepare(
          'SELECT DISTINCT p.url FROM links l JOIN pages p ON p.id = l.page_id WHERE l.target = ? ORDER BY 1',
        )
        .pluck()
        .all(target);
    writer.writeBatch([page('https://a.example/', ['https://x.example/1', 'https://x.example/2#top'])]);
    expect(linkTargetsBehind(db)).toBe(false); // a small crawl keeps it up to date
    writer.writeBatch([page('https://b.example/', ['https://x.example/2'])]);
    // Past the threshold: the next pages are only in their link lists until the end of the crawl.
    writer.writeBatch([page('https://c.example/', ['https://x.example/2', 'https://x.example/3'])]);
    expect(linkTargetsBehind(db)).toBe(true);
    // a.example is written again (a refetch): it no longer links to x/2, now to x/3.
    writer.writeBatch([page('https://a.example/', ['https://x.example/1', 'https://x.example/3'])]);
    for (const target of ['https://x.example/1', 'https://x.example/2', 'https://x.example/3'])
      expect(sources(target), target).toEqual(viaLinks(target));
    expect(sources('https://x.example/2')).toEqual(['https://b.example/', 'https://c.example/']);
    expect(sources('https://x.example/3')).toEqual(['https://a.example/', 'https://c.example/']);
    finishWrites(db);
    expect(linkTargetsBehind(db)).toBe(false);
    expect(sources('https://x.example/2')).toEqual(['https://b.example/', 'https://c.example/']);
    expect(sources('https://x.example/3')).toEqual(['https://a.example/', 'https://c.example/']);
    // Exactly one entry per (target, page): nothing stale left by the rewrite.
    expect(
      db
        .prepare(
          `SELECT count(*) FROM link_targets t JOIN urls u ON u.id = t.url_id
           JOIN pages p ON p.id = t.page_id WHERE p.url = 'https://a.example/'`,
        )
        .pluck()
        .get(),
    ).toBe(2);
    db.close();
  });
});
