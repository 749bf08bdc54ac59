/**
 * `crawls.pages_version` (schema 12) as schema 13 keeps it: the store writer adds each crawl's inserted pages once
 * per batch (its uncommitted marker row keeps the insert trigger quiet meanwhile), every other insert is counted by
 * the trigger as before, and a database of schema 12 is upgraded in place with its rows and versions intact.
 */
import { readdirSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDb, schemaVersion } from '../../src/store/db.js';
import { runAudit, storeAuditCounts } from '../../src/store/index.js';
import { PageWriter } from '../../src/store/writer.js';
import { failRecord, okRecord, tempDir } from './records.js';

const MIGRATIONS = new URL('../../migrations/', import.meta.url);

const version = (db: Db, name: string) =>
  db.prepare('SELECT pages_version FROM crawls WHERE name = ?').pluck().get(name) as number;
const markers = (db: Db) => db.prepare('SELECT count(*) FROM pages_version_deferred').pluck().get();

function insertPage(db: Db, crawl: string, url: string): void {
  db.prepare(
    `INSERT INTO pages (crawl_id, url, stored_at) VALUES ((SELECT id FROM crawls WHERE name = ?), ?, 'now')`,
  ).run(crawl, url);
}

describe('pages_version with the per-batch bump (schema 13)', () => {
  let t: ReturnType<typeof tempDir>;
  let db: Db;
  let writer: PageWriter;
  beforeEach(() => {
    t = tempDir();
    db = openDb(t.dbPath);
    writer = new PageWriter(db);
  });
  afterEach(() => {
    db.close();
    t.cleanup();
  });

  it('grows by the pages each batch inserted in each crawl, as the per-row trigger made it', () => {
    writer.writeBatch([okRecord('a', 'https://e.com/1'), okRecord('a', 'https://e.com/2')]);
    expect(version(db, 'a')).toBe(2);
    writer.writeBatch([
      okRecord('a', 'https://e.com/3'),
      okRecord('b', 'https://e.com/1'),
      failRecord('b', 'https://e.com/2'),
    ]);
    expect(version(db, 'a')).toBe(3);
    expect(version(db, 'b')).toBe(2);
    expect(markers(db)).toBe(0);
  });

  it('still changes when a page is rewritten, and not for a skipped failure', () => {
    writer.writeBatch([okRecord('a', 'https://e.com/1')]);
    const v = version(db, 'a');
    // A replay rewrites the row: the update trigger bumps it.
    writer.writeBatch([okRecord('a', 'https://e.com/1', { title: 'new' })]);
    expect(version(db, 'a')).toBeGreaterThan(v);
    const w = version(db, 'a');
    // A failure never replaces a success: nothing written, nothing bumped.
    expect(writer.writeBatch([failRecord('a', 'https://e.com/1')]).skipped).toBe(1);
    expect(version(db, 'a')).toBe(w);
  });

  it('counts inserts by any other path with the trigger, the marker never outliving a batch', () => {
    writer.writeBatch([okRecord('a', 'https://e.com/1')]);
    const v = version(db, 'a');
    insertPage(db, 'a', 'https://e.com/by-hand');
    expect(version(db, 'a')).toBe(v + 1);
    // A batch that fails rolls its marker back with everything else.
    expect(() =>
      writer.writeBatch([
        okRecord('a', 'https://e.com/2'),
        {
          read: () => {
            throw new Error('unreadable');
          },
        },
      ]),
    ).toThrow('unreadable');
    expect(db.prepare("SELECT count(*) FROM pages WHERE url = 'https://e.com/2'").pluck().get()).toBe(0);
    expect(markers(db)).toBe(0);
    expect(version(db, 'a')).toBe(v + 1);
    insertPage(db, 'a', 'https://e.com/by-hand-2');
    expect(version(db, 'a')).toBe(v + 2);
  });

  it('makes stored audit counts stale when the writer adds a page', () => {
    writer.writeBatch([okRecord('a', 'https://e.com/1'), okRecord('a', 'https://e.com/2')]);
    expect(storeAuditCounts(db)).toEqual(['a']);
    db.prepare('UPDATE audit_counts SET count = 77').run();
    const counts = () => runAudit(db, 'a', { limit: 0 }).checks.map((c) => c.count);
    expect(new Set(counts())).toEqual(new Set([77]));
    writer.writeBatch([okRecord('a', 'https://e.com/3')]);
    expect(counts()).not.toContain(77);
  });
});

describe('migration 013', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => {
    t = tempDir();
  });
  afterEach(() => t.cleanup());

  it('upgrades a schema-12 database in place: rows and versions kept, both insert paths counted after', () => {
    const raw = new Database(t.dbPath);
    for (const f of readdirSync(MIGRATIONS)
      .filter((n) => /^0(0\d|1[0-2])_.*\.sql$/.test(n))
      .sort())
      raw.exec(readFileSync(new URL(f, MIGRATIONS), 'utf8'));
    raw.pragma('user_version = 12');
    raw.exec(`INSERT INTO crawls (id, name, created_at) VALUES (1, 'old', 't')`);
    for (let i = 0; i < 5; i++)
      raw
        .prepare(`INSERT INTO pages (crawl_id, url, title, stored_at) VALUES (1, ?, ?, 't')`)
        .run(`u${i}`, `T${i}`);
    expect(raw.prepare('SELECT pages_version FROM crawls').pluck().get()).toBe(5);
    raw.close();

    const db = openDb(t.dbPath);
    try {
      expect(schemaVersion(db)).toBe(13);
      expect(db.prepare('SELECT url, title FROM pages ORDER BY id').raw().all()).toEqual(
        Array.from({ length: 5 }, (_, i) => [`u${i}`, `T${i}`]),
      );
      expect(version(db, 'old')).toBe(5);
      insertPage(db, 'old', 'u5');
      expect(version(db, 'old')).toBe(6);
      new PageWriter(db).writeBatch([okRecord('old', 'https://e.com/1'), okRecord('old', 'https://e.com/2')]);
      expect(version(db, 'old')).toBe(8);
      expect(markers(db)).toBe(0);
    } finally {
      db.close();
    }
  });
});
