/**
 * The `jsonld` table's promise, `valid = 1 ⇒ json_valid(json) = 1`, as the writer keeps it and as migration 004
 * restores it in a database written before (wrapped blocks stored with their wrapper while marked valid).
 */
import { readdirSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extract } from '../../src/extract/index.js';
import { parseJsonLd } from '../../src/extract/jsonld.js';
import { type Db, openDb, schemaVersion } from '../../src/store/db.js';
import { PageWriter } from '../../src/store/writer.js';
import type { JsonLdBlock } from '../../src/types.js';
import { okRecord, tempDir } from './records.js';

const migrations = new URL('../../migrations/', import.meta.url);
const corpus = new URL('../fixtures/corpus/', import.meta.url);

/** The README's "Values inside JSON-LD" query: it failed with "malformed JSON" on wrapped blocks. */
const HEADLINES = `SELECT p.url, json_extract(j.json, '$.headline') AS headline FROM jsonld j JOIN pages p ON p.id = j.page_id
WHERE j.valid = 1 AND j.type LIKE '%Article%'`;
const BROKEN_PROMISES = 'SELECT count(*) FROM jsonld WHERE valid = 1 AND NOT json_valid(json)';

interface JsonldRow {
  json: string;
  valid: number;
  raw: string | null;
}

let corpusCache: { name: string; blocks: JsonLdBlock[] }[] | undefined;

/** Every corpus page's JSON-LD blocks, as the extractor returns them. */
function corpusPages(): { name: string; blocks: JsonLdBlock[] }[] {
  corpusCache ??= readdirSync(new URL('expected/', corpus))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const e = JSON.parse(readFileSync(new URL(`expected/${f}`, corpus), 'utf8'));
      const html = new TextDecoder(e.encoding_used).decode(
        readFileSync(new URL(`pages/${f.slice(0, -5)}.html`, corpus)),
      );
      return { name: f.slice(0, -5), blocks: extract(html, e.base_url).jsonld };
    });
  return corpusCache;
}

/** What this build stores for a block found as `raw`. */
function expectedRow(raw: string): JsonldRow {
  const b = parseJsonLd(raw);
  return {
    json: b.unwrapped ?? b.raw,
    valid: b.valid ? 1 : 0,
    raw: b.unwrapped === undefined ? null : b.raw,
  };
}

describe('the writer keeps valid = 1 ⇒ json_valid(json) = 1', () => {
  let t: ReturnType<typeof tempDir>;
  let db: Db;
  beforeEach(() => {
    t = tempDir();
    db = openDb(t.dbPath);
  });
  afterEach(() => {
    db.close();
    t.cleanup();
  });
  const rows = () =>
    db.prepare('SELECT json, valid, raw FROM jsonld ORDER BY page_id, position').all() as JsonldRow[];

  it('stores the unwrapped JSON of a CDATA/comment block, and the text as found in `raw` only then', () => {
    const found = [
      '<![CDATA[\n {"@type":"NewsArticle","headline":"H"}\n]]>',
      ' {"@type":"Thing"} ',
      '{broken',
    ];
    const rec = okRecord('c', 'https://example.com/a');
    rec.meta!.jsonld = found.map(parseJsonLd);
    new PageWriter(db).writeBatch([rec]);
    expect(rows()).toEqual([
      { json: '{"@type":"NewsArticle","headline":"H"}', valid: 1, raw: found[0] },
      { json: ' {"@type":"Thing"} ', valid: 1, raw: null },
      { json: '{broken', valid: 0, raw: null },
    ]);
    expect(db.prepare('SELECT coalesce(raw, json) FROM jsonld ORDER BY position').pluck().all()).toEqual(
      found,
    );
    expect(db.prepare(HEADLINES).all()).toEqual([{ url: 'https://example.com/a', headline: 'H' }]);
  });

  it('marks invalid, and counts in pages.jsonld_invalid, a block claimed valid that SQLite rejects (an older worker)', () => {
    const rec = okRecord('c', 'https://example.com/a');
    rec.meta!.jsonld = [
      // What workers before schema 4 sent for a wrapped block: valid, the wrapper still in `raw`.
      { raw: '<!-- {"@type":"Event"} -->', valid: true, value: { '@type': 'Event' }, types: ['Event'] },
      { raw: `${'['.repeat(1001)}${']'.repeat(1001)}`, valid: true, value: [], types: [] },
      { raw: '{"@type":"Thing"}', valid: true, value: { '@type': 'Thing' }, types: ['Thing'] },
    ];
    new PageWriter(db).writeBatch([rec]);
    expect(rows().map((r) => r.valid)).toEqual([0, 0, 1]);
    expect(db.prepare('SELECT jsonld_count, jsonld_invalid FROM pages').get()).toEqual({
      jsonld_count: 3,
      jsonld_invalid: 2,
    });
    expect(db.prepare(BROKEN_PROMISES).pluck().get()).toBe(0);
    expect(() => db.prepare(HEADLINES).all()).not.toThrow();
  });

  it('stores every corpus block so that json_extract works on every valid row', () => {
    const writer = new PageWriter(db);
    const pages = corpusPages();
    writer.writeBatch(
      pages.map(({ name, blocks }) => {
        const rec = okRecord('corpus', `https://corpus.test/${name}`);
        rec.meta!.jsonld = blocks;
        return rec;
      }),
    );
    const n = (sql: string) => db.prepare(sql).pluck().get() as number;
    expect(n('SELECT count(*) FROM jsonld WHERE valid = 1')).toBe(
      pages.flatMap((p) => p.blocks).filter((b) => b.valid).length,
    );
    expect(n('SELECT count(*) FROM jsonld WHERE raw IS NOT NULL')).toBeGreaterThanOrEqual(10);
    expect(n(BROKEN_PROMISES)).toBe(0);
    expect(db.prepare(HEADLINES).all().length).toBeGreaterThan(0);
  });
});

describe('migration 004 repairs a schema-3 database in place', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => {
    t = tempDir();
  });
  afterEach(() => t.cleanup());

  /** A database as metacrawl wrote it at schema 3: blocks stored as found, wrapped ones marked valid. */
  function schema3Db(pages: { url: string; blocks: { raw: string; valid: boolean; types: string[] }[] }[]) {
    const raw = new Database(t.dbPath);
    for (const f of ['001_init.sql', '002_resolved.sql', '003_explorer_indexes.sql']) {
      raw.exec(readFileSync(new URL(f, migrations), 'utf8'));
    }
    raw.pragma('user_version = 3');
    raw.prepare("INSERT INTO crawls (id, name, created_at) VALUES (1, 'old', 'then')").run();
    const page = raw.prepare(
      "INSERT INTO pages (crawl_id, url, jsonld_count, jsonld_invalid, stored_at) VALUES (1, ?, ?, ?, 'then')",
    );
    const block = raw.prepare(
      'INSERT INTO jsonld (page_id, position, type, json, valid) VALUES (?, ?, ?, ?, ?)',
    );
    for (const p of pages) {
      const invalid = p.blocks.filter((b) => !b.valid).length;
      const id = page.run(p.url, p.blocks.length, invalid).lastInsertRowid;
      p.blocks.forEach((b, i) => {
        block.run(id, i, b.types.join(' '), b.raw, b.valid ? 1 : 0);
      });
    }
    // The defect being repaired: the README's JSON-LD query fails on this database.
    expect(() => raw.prepare(HEADLINES).all()).toThrow(/malformed JSON/);
    raw.close();
  }

  const counts = (db: Database.Database) =>
    ['crawls', 'pages', 'jsonld', 'meta', 'links', 'page_jsonld_types'].map(
      (tb) => db.prepare(`SELECT count(*) FROM ${tb}`).pluck().get() as number,
    );

  it('unwraps stored wrapped blocks as the extractor does, keeps them in `raw`, and keeps every row', () => {
    const deep = `${'{"a":'.repeat(1001)}1${'}'.repeat(1001)}`;
    const handmade = [
      '<!-- {"@type":"NewsArticle","headline":"E"} -->',
      '\n//<![CDATA[\n{"@type":"Place"}\n//]]>\n',
      '/*<![CDATA[*/ [{"@type":"A"}] /*]]>*/',
      ' /* <!-- */ {"x":"-->"} /* --> */ ',
      '// <!--\n{"x":"]]>"}\n// -->',
      '\t<![CDATA[{"a":1}]]>\t',
      '<!--{"a":1}-->',
    ];
    const pages = corpusPages().map(({ name, blocks }) => ({
      url: `https://corpus.test/${name}`,
      blocks: blocks.map((b) => ({ raw: b.raw, valid: b.valid, types: b.types })),
    }));
    pages.push({
      url: 'https://example.com/handmade',
      blocks: [
        ...handmade.map((raw, i) => ({ raw, valid: true, types: i === 0 ? ['NewsArticle'] : [] })),
        // Marked valid before, though SQLite never accepted them: too deep, and a wrapper SQL cannot undo.
        { raw: deep, valid: true, types: [] },
        { raw: '<!-- {"a":1} --> trailing', valid: true, types: [] },
        { raw: '{broken', valid: false, types: [] },
      ],
    });
    schema3Db(pages);
    const before = (() => {
      const raw = new Database(t.dbPath, { readonly: true });
      const c = counts(raw);
      raw.close();
      return c;
    })();

    const db = openDb(t.dbPath);
    try {
      expect(schemaVersion(db)).toBeGreaterThanOrEqual(4);
      expect(counts(db)).toEqual(before);
      const got = db
        .prepare(
          `SELECT p.url, j.position, j.json, j.valid, j.raw FROM jsonld j JOIN pages p ON p.id = j.page_id
           ORDER BY p.url, j.position`,
        )
        .all() as (JsonldRow & { url: string; position: number })[];
      const want = pages
        .flatMap((p) => p.blocks.map((b, position) => ({ url: p.url, position, ...expectedRow(b.raw) })))
        .sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : a.position - b.position));
      // The trailing-text case is not a wrapper to the extractor either: it stays as found, now invalid.
      expect(got).toEqual(want);
      expect(got.filter((r) => r.raw !== null).length).toBeGreaterThanOrEqual(10 + handmade.length);
      expect(db.prepare(BROKEN_PROMISES).pluck().get()).toBe(0);
      const mismatched = db
        .prepare(
          `SELECT count(*) FROM pages p WHERE jsonld_invalid <>
             (SELECT count(*) FROM jsonld j WHERE j.page_id = p.id AND j.valid = 0)`,
        )
        .pluck()
        .get();
      expect(mismatched).toBe(0);
      expect(db.prepare(HEADLINES).all()).toContainEqual({
        url: 'https://example.com/handmade',
        headline: 'E',
      });
    } finally {
      db.close();
    }
  });
});
