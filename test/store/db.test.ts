import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, schemaVersion } from '../../src/store/db.js';
import { tempDir } from './records.js';

const migrationFiles = readdirSync(new URL('../../migrations/', import.meta.url)).filter((f) =>
  /^\d{3}_.*\.sql$/.test(f),
);
const lastNumber = Math.max(...migrationFiles.map((f) => Number(f.slice(0, 3))));

describe('openDb and migrations', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => {
    t = tempDir();
  });
  afterEach(() => t.cleanup());

  it('applies every migration to a fresh file and sets user_version to the last file number', () => {
    const db = openDb(t.dbPath);
    expect(lastNumber).toBeGreaterThanOrEqual(2);
    expect(schemaVersion(db)).toBe(lastNumber);
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .pluck()
      .all();
    expect(tables).toEqual([
      'audit_checks',
      'audit_counts',
      'audit_settings',
      'crawl_archives',
      'crawls',
      'extracts',
      'jsonld_rows',
      'jsonld_type_rows',
      'link_lists',
      'link_targets',
      'link_targets_upto',
      'meta_lists',
      'meta_names',
      'meta_tags',
      'microdata',
      'pages',
      'pages_version_deferred',
      'strings',
      'urls',
    ]);
    const views = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name")
      .pluck()
      .all();
    expect(views.filter((v) => !String(v).startsWith('audit_'))).toEqual([
      'jsonld',
      'link_sources',
      'links',
      'meta',
      'page_jsonld_types',
      'page_pairs',
      'page_status',
    ]);
    // The audit: one view per check, and the two they share.
    const checkViews = db.prepare('SELECT view FROM audit_checks ORDER BY view').pluck().all();
    expect(views.filter((v) => String(v).startsWith('audit_'))).toEqual(
      ['audit_links', 'audit_pages', ...checkViews].sort(),
    );
    const pageCols = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('pages');
    expect(pageCols).toEqual(
      expect.arrayContaining(['url', 'final_url', 'error', 'og_site_name', 'best_title', 'jsonld_types']),
    );
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    db.close();
  });

  it('does not re-apply migrations on reopen and keeps the data', () => {
    const db = openDb(t.dbPath);
    db.prepare("INSERT INTO crawls (name, created_at) VALUES ('c', 'now')").run();
    db.close();
    const again = openDb(t.dbPath); // a re-applied 001 would fail with "table crawls already exists"
    expect(schemaVersion(again)).toBe(lastNumber);
    expect(again.prepare('SELECT count(*) FROM crawls').pluck().get()).toBe(1);
    again.close();
  });

  it('upgrades a database left at an older version by applying only the newer migrations', () => {
    const raw = new Database(t.dbPath);
    raw.exec(readFileSql('001_init.sql'));
    raw.pragma('user_version = 1');
    raw.prepare("INSERT INTO crawls (name, created_at) VALUES ('old', 'then')").run();
    raw.close();
    const db = openDb(t.dbPath);
    expect(schemaVersion(db)).toBe(lastNumber);
    expect(db.prepare('SELECT name FROM crawls').pluck().all()).toEqual(['old']);
    db.close();
  });

  it('read-only mode refuses a missing file, a non-SQLite file and a foreign database clearly', () => {
    expect(() => openDb(join(t.dir, 'missing.db'), { readonly: true })).toThrow(
      /database not found: .*missing\.db/,
    );
    const junk = join(t.dir, 'junk.db');
    writeFileSync(
      junk,
      'this is not sqlite at all, just some text that is long enough to have a header'.repeat(10),
    );
    expect(() => openDb(junk, { readonly: true })).toThrow(/not a metacrawl database/);
    expect(() => openDb(junk)).toThrow(/not a SQLite database/);
    const other = join(t.dir, 'other.db');
    const raw = new Database(other);
    raw.exec('CREATE TABLE x (a)');
    raw.close();
    expect(() => openDb(other, { readonly: true })).toThrow(/not a metacrawl database/);
    expect(() => openDb(other)).toThrow(/not a metacrawl database/);
  });

  it('read-only mode opens an existing database without migrating or writing', () => {
    openDb(t.dbPath).close();
    const ro = openDb(t.dbPath, { readonly: true });
    expect(schemaVersion(ro)).toBe(lastNumber);
    expect(() => ro.prepare("INSERT INTO crawls (name, created_at) VALUES ('c', 'x')").run()).toThrow(
      /readonly/,
    );
    ro.close();
  });

  it('refuses a database from a newer metacrawl', () => {
    const db = openDb(t.dbPath);
    db.pragma(`user_version = ${lastNumber + 1}`);
    db.close();
    expect(() => openDb(t.dbPath)).toThrow(/newer than this metacrawl/);
  });
});

function readFileSql(name: string): string {
  return readFileSync(new URL(`../../migrations/${name}`, import.meta.url), 'utf8');
}
