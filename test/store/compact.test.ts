import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExplorerReader, openReadOnly } from '../../src/serve/reader.js';
import { type Db, openDb, schemaVersion } from '../../src/store/db.js';
import { finishWrites, hasIndex, linkTargetsBehind } from '../../src/store/indexes.js';
import { PageWriter } from '../../src/store/writer.js';
import type { PageRecord } from '../../src/types.js';
import { okRecord, tempDir } from './records.js';

/** The README's example queries over links and meta (and the explorer's SQL box examples), verbatim. */
const README_QUERIES = {
  mostLinkedInCrawl: `SELECT l.url, count(*) AS inlinks FROM links l JOIN pages p ON p.id = l.page_id
JOIN crawls c ON c.id = p.crawl_id WHERE c.name = 'mycrawl' GROUP BY l.url ORDER BY inlinks DESC LIMIT 20`,
  metaOfOnePage: `SELECT m.attr, m.key, m.content FROM meta m JOIN pages p ON p.id = m.page_id
WHERE p.url = 'https://example.com/' ORDER BY m.position`,
  noindex: `SELECT url, robots FROM pages WHERE robots LIKE '%noindex%'`,
  jsonldValues: `SELECT p.url, json_extract(j.json, '$.headline') AS headline FROM jsonld j JOIN pages p ON p.id = j.page_id
WHERE j.valid = 1 AND j.type LIKE '%Article%'`,
  mostLinked: 'SELECT url, count(*) AS inlinks FROM links GROUP BY url ORDER BY inlinks DESC LIMIT 50',
  metaAcrossPages: `SELECT m.content AS og_type, count(*) AS pages FROM meta m
WHERE m.key = 'og:type' GROUP BY m.content ORDER BY pages DESC`,
  everyLink: 'SELECT page_id, position, url, text, rel FROM links ORDER BY page_id, position',
  everyMeta: 'SELECT page_id, position, attr, key, content FROM meta ORDER BY page_id, position',
  childCounts: `SELECT p.url, (SELECT count(*) FROM meta m WHERE m.page_id = p.id) AS meta_n,
(SELECT count(*) FROM links l WHERE l.page_id = p.id) AS links_n FROM pages p ORDER BY p.url`,
  linkOfPage: 'SELECT url, text, rel FROM links WHERE page_id = 3 ORDER BY position',
  linkedFromExact: `SELECT DISTINCT p.url FROM links l JOIN pages p ON p.id = l.page_id
WHERE l.url = 'https://example.com/p2' ORDER BY p.url`,
};

/** Link URLs as pages write them: fragments (empty ones too), a '#' inside a fragment, odd schemes. */
function linkUrl(i: number, k: number): string {
  const target = `https://example.com/p${(i * 7 + k * 3) % 11}`;
  if (k % 5 === 1) return `${target}#section-${k}`;
  if (k % 5 === 2) return `${target}#`;
  if (k === 7) return `${target}#a#b`;
  if (k === 8) return 'javascript:void(0)';
  if (k === 9) return `https://ünïcode.example/路径?q=${i % 3}`;
  return target;
}

/** The schema-3 database, rows written as the schema-3 writer wrote them. */
function schema3Db(path: string): void {
  const raw = new Database(path);
  for (const f of ['001_init.sql', '002_resolved.sql', '003_explorer_indexes.sql'])
    raw.exec(readFileSync(new URL(`../../migrations/${f}`, import.meta.url), 'utf8'));
  raw.pragma('user_version = 3');
  raw.exec(`INSERT INTO crawls (id, name, created_at) VALUES (1, 'mycrawl', 't'), (2, 'other', 't')`);
  const page = raw.prepare(
    `INSERT INTO pages (id, crawl_id, url, status, error, title, robots, stored_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, 't')`,
  );
  const link = raw.prepare('INSERT INTO links (page_id, position, url, text, rel) VALUES (?, ?, ?, ?, ?)');
  const meta = raw.prepare('INSERT INTO meta (page_id, position, attr, key, content) VALUES (?, ?, ?, ?, ?)');
  const jsonld = raw.prepare(
    'INSERT INTO jsonld (page_id, position, type, json, valid) VALUES (?, ?, ?, ?, ?)',
  );
  raw.transaction(() => {
    for (let i = 1; i <= 40; i++) {
      const url = i === 1 ? 'https://example.com/' : `https://example.com/p${i}`;
      const failed = i % 13 === 0;
      page.run(
        i,
        i <= 30 ? 1 : 2,
        url,
        failed ? null : 200,
        failed ? 'FETCH_TIMEOUT' : null,
        `T${i}`,
        i % 4 === 0 ? 'noindex' : null,
      );
      if (failed) continue;
      for (let k = 0; k < 10 + (i % 6); k++)
        link.run(i, k, linkUrl(i, k), k % 3 === 0 ? '' : `text ${k % 4} ✓`, k % 4 === 3 ? 'nofollow' : null);
      const tags: [string, string, string | null][] = [
        ['charset', 'utf-8', null],
        ['name', 'description', `About page ${i}`],
        ['property', 'og:type', i % 3 === 0 ? 'article' : 'website'],
        ['name', 'og:type', 'misused name attribute'],
        ['http-equiv', 'refresh', i % 5 === 0 ? '' : null],
        ['name', 'viewport', 'width=device-width'],
      ];
      for (const [k, [attr, key, content]] of tags.entries()) meta.run(i, k, attr, key, content);
      if (i % 2 === 0) jsonld.run(i, 0, 'Article', `{"@type":"Article","headline":"H${i}"}`, 1);
    }
  })();
  raw.close();
}

/** Rows ordered by a count (last column): the set of rows above the last row's count, and that count. */
function untied(rows: unknown[]): { above: Set<string>; last: unknown } {
  const count = (r: unknown) => (r as unknown[]).at(-1);
  const last = count(rows.at(-1));
  return { above: new Set(rows.filter((r) => count(r) !== last).map((r) => JSON.stringify(r))), last };
}

function all(db: Db, sql: string): unknown[] {
  return db.prepare(sql).raw(true).all();
}

describe('the compact schema (migration 005)', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => {
    t = tempDir();
  });
  afterEach(() => t.cleanup());

  it('upgrades a schema-3 database in place: every README query answers the same rows', () => {
    schema3Db(t.dbPath);
    const before = new Database(t.dbPath, { readonly: true });
    const expected = Object.fromEntries(Object.entries(README_QUERIES).map(([k, q]) => [k, all(before, q)]));
    const links = before.prepare('SELECT count(*) FROM links').pluck().get();
    const targets = before
      .prepare(
        "SELECT count(DISTINCT CASE WHEN instr(url, '#') > 0 THEN substr(url, 1, instr(url, '#') - 1) ELSE url END) FROM links",
      )
      .pluck()
      .get();
    before.close();
    expect(links).toBeGreaterThan(400);
    expect(expected.everyMeta.length).toBeGreaterThan(200);

    const told: string[] = [];
    const db = openDb(t.dbPath, { onMigration: (m) => told.push(m) });
    expect(told).toContain(`upgrading ${t.dbPath}: 005_compact.sql…`);
    expect(schemaVersion(db)).toBeGreaterThanOrEqual(5);
    expect(db.prepare("SELECT type FROM sqlite_master WHERE name = 'links'").pluck().get()).toBe('view');
    for (const [name, sql] of Object.entries(README_QUERIES)) {
      const got = all(db, sql);
      if (/ORDER BY (inlinks|pages) DESC/.test(sql)) {
        // Rows tied on the count come in no particular order, and LIMIT may cut a tie anywhere.
        expect(got.length, name).toBe(expected[name].length);
        expect(untied(got), name).toEqual(untied(expected[name]));
      } else if (!/ORDER BY/.test(sql)) {
        // Without ORDER BY, rows come in no particular order (later schemas' views may change it).
        const sorted = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).sort();
        expect(sorted(got), name).toEqual(sorted(expected[name]));
      } else expect(got, name).toEqual(expected[name]);
    }
    // Each URL is stored once, without its fragment.
    expect(db.prepare("SELECT count(*) FROM urls WHERE url LIKE '%#%'").pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM urls').pluck().get()).toBe(targets);
    db.close();
  });

  it('counts links by their target, the URL without its #fragment (issue 12, item 10)', () => {
    schema3Db(t.dbPath);
    const db = openDb(t.dbPath);
    const top = db
      .prepare(
        `SELECT l.target, count(*) AS inlinks FROM links l JOIN pages p ON p.id = l.page_id
         JOIN crawls c ON c.id = p.crawl_id WHERE c.name = 'mycrawl' GROUP BY l.target ORDER BY inlinks DESC LIMIT 20`,
      )
      .all() as { target: string; inlinks: number }[];
    expect(top.some((r) => r.target.includes('#'))).toBe(false);
    const p2 = db
      .prepare(
        `SELECT count(*) FROM links l JOIN pages p ON p.id = l.page_id
         WHERE p.crawl_id = 1 AND (l.url = 'https://example.com/p2' OR l.url LIKE 'https://example.com/p2#%')`,
      )
      .pluck()
      .get();
    expect(top.find((r) => r.target === 'https://example.com/p2')?.inlinks).toBe(p2);
    db.close();
  });

  it('stores what the writer is given exactly, through the views', () => {
    const db = openDb(t.dbPath);
    const rec = okRecord('c', 'https://example.com/a', { links: 6, meta: 3 });
    rec.meta!.links = Array.from({ length: 12 }, (_, k) => ({
      url: linkUrl(1, k),
      text: k % 3 === 0 ? '' : `t${k}`,
      rel: k % 4 === 3 ? 'nofollow' : null,
      tag: 'a' as const,
    }));
    rec.meta!.meta.push(['name', 'key-0', null], ['property', 'key-0', 'same key, other attr']);
    new PageWriter(db).writeBatch([rec]);
    expect(all(db, 'SELECT url, text, rel FROM links ORDER BY position')).toEqual(
      rec.meta!.links.map((l) => [l.url, l.text, l.rel]),
    );
    expect(all(db, 'SELECT target FROM links ORDER BY position')).toEqual(
      rec.meta!.links.map((l) => [l.url.split('#')[0]]),
    );
    expect(all(db, 'SELECT attr, key, content FROM meta ORDER BY position')).toEqual(rec.meta!.meta);
    db.close();
  });

  it('forgets the ids of a rolled-back batch: a later batch never points at another value', () => {
    const db = openDb(t.dbPath);
    const writer = new PageWriter(db);
    const withLinks = (url: string, targets: string[]): PageRecord => {
      const r = okRecord('c', url, { links: 0, meta: 0 });
      r.meta!.links = targets.map((u) => ({ url: u, text: `to ${u}`, rel: null, tag: 'a' as const }));
      r.meta!.meta = [['name', `k ${url}`, `v ${url}`]];
      return r;
    };
    const broken = { ...okRecord('c', 'https://example.com/broken'), url: null } as unknown as PageRecord;
    const a = withLinks('https://example.com/a', ['https://x.example/1', 'https://x.example/2']);
    expect(() => writer.writeBatch([a, broken])).toThrow();
    // The rolled-back rows' ids are free again: new values take them.
    writer.writeBatch([
      withLinks('https://example.com/b', ['https://y.example/1', 'https://y.example/2']),
      a,
    ]);
    const rows = all(
      db,
      'SELECT p.url, l.url, l.text FROM links l JOIN pages p ON p.id = l.page_id ORDER BY p.url, l.position',
    );
    expect(rows).toEqual([
      ['https://example.com/a', 'https://x.example/1', 'to https://x.example/1'],
      ['https://example.com/a', 'https://x.example/2', 'to https://x.example/2'],
      ['https://example.com/b', 'https://y.example/1', 'to https://y.example/1'],
      ['https://example.com/b', 'https://y.example/2', 'to https://y.example/2'],
    ]);
    expect(
      all(db, 'SELECT p.url, m.key FROM meta m JOIN pages p ON p.id = m.page_id ORDER BY p.url'),
    ).toEqual([
      ['https://example.com/a', 'k https://example.com/a'],
      ['https://example.com/b', 'k https://example.com/b'],
    ]);
    db.close();
  });

  it('answers queries during a crawl, before the deferred index is built, with the rows it has after', async () => {
    const db = openDb(t.dbPath);
    const writer = new PageWriter(db, { deferIndexesAfter: 3 });
    const records = Array.from({ length: 12 }, (_, i) => {
      const r = okRecord('live', `https://example.com/p${i}`, { links: 0 });
      r.meta!.links = Array.from({ length: 8 }, (_, k) => ({
        url: linkUrl(i, k),
        text: `t${k}`,
        rel: null,
        tag: 'a' as const,
      }));
      return r;
    });
    for (let i = 0; i < 6; i += 2) writer.writeBatch(records.slice(i, i + 2));
    // A writer started afresh remembers no URL and, without the index, looks none up: it adds them again.
    const again = new PageWriter(db, { deferIndexesAfter: 3 });
    for (let i = 6; i < records.length; i += 2) again.writeBatch(records.slice(i, i + 2));
    expect(linkTargetsBehind(db)).toBe(true);
    expect(hasIndex(db, 'urls_url')).toBe(false);
    expect(db.prepare('SELECT count(*) > count(DISTINCT url) FROM urls').pluck().get()).toBe(1);
    const inlinks = new Map<string, number>();
    for (const r of records)
      for (const l of r.meta!.links) {
        const target = l.url.split('#')[0];
        inlinks.set(target, (inlinks.get(target) ?? 0) + 1);
      }

    const linkedFrom = `SELECT DISTINCT p.url FROM links l JOIN pages p ON p.id = l.page_id
      WHERE l.target = 'https://example.com/p2' ORDER BY p.url`;
    const mostLinked = 'SELECT target, count(*) AS n FROM links GROUP BY target ORDER BY n DESC, target';
    const sources = `SELECT DISTINCT p.url FROM link_sources l JOIN pages p ON (p.id = l.page_id OR p.content_of = l.page_id)
      WHERE l.target = 'https://example.com/p2' ORDER BY p.url`;
    const during = {
      linkedFrom: all(db, linkedFrom),
      mostLinked: all(db, mostLinked),
      sources: all(db, sources),
    };
    // Part of the pages are in link_targets (the first batches), the rest only in their link lists.
    expect(db.prepare('SELECT count(*) FROM link_targets').pluck().get()).toBeGreaterThan(0);
    expect(during.sources).toEqual(during.linkedFrom);
    expect(new Map(during.mostLinked as [string, number][])).toEqual(inlinks);
    const reader = new ExplorerReader(openReadOnly(t.dbPath));
    const crawlId = reader.crawlByName('live')!.id;
    const explorerDuring = reader.linkedFrom(crawlId, ['https://example.com/p2']);
    reader.close();

    finishWrites(db);
    expect(linkTargetsBehind(db)).toBe(false);
    expect(during.linkedFrom.length).toBeGreaterThan(2);
    expect(all(db, linkedFrom)).toEqual(during.linkedFrom);
    expect(all(db, sources)).toEqual(during.linkedFrom);
    expect(all(db, mostLinked)).toEqual(during.mostLinked);
    const after = new ExplorerReader(openReadOnly(t.dbPath));
    expect(after.linkedFrom(crawlId, ['https://example.com/p2'])).toEqual(explorerDuring);
    expect(explorerDuring?.map((r) => r.url)).toEqual(during.linkedFrom.map((r) => (r as string[])[0]));
    after.close();
    db.close();
  });

  it('keeps the deferred index for a small crawl and drops it once a writer has stored many pages', () => {
    const db = openDb(t.dbPath);
    const writer = new PageWriter(db, { deferIndexesAfter: 4 });
    writer.writeBatch([1, 2, 3, 4].map((i) => okRecord('c', `https://example.com/${i}`)));
    expect(hasIndex(db, 'urls_url')).toBe(true);
    expect(linkTargetsBehind(db)).toBe(false);
    writer.writeBatch([okRecord('c', 'https://example.com/5')]);
    expect(hasIndex(db, 'urls_url')).toBe(false);
    expect(linkTargetsBehind(db)).toBe(true);
    expect(finishWrites(db).map((b) => b.name)).toEqual(['urls_url', 'link_targets', 'page_lists']);
    writer.restartSession();
    writer.writeBatch([okRecord('c', 'https://example.com/6')]);
    expect(hasIndex(db, 'urls_url')).toBe(true);
    expect(linkTargetsBehind(db)).toBe(false);
    db.close();
  });
});
