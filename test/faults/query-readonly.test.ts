/**
 * `metacrawl query` cannot modify the database: every write is refused with a clear one-line error and a
 * non-zero exit, and the file is byte-for-byte unchanged afterwards.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/store/db.js';
import { PageWriter } from '../../src/store/writer.js';
import { okRecord } from '../store/records.js';
import { cleanup, runCli, tempDir } from './helpers.js';

let dir: string;
let db: string;
let before: Buffer;

beforeAll(() => {
  dir = tempDir('query');
  db = `${dir}/q.db`;
  const d = openDb(db);
  new PageWriter(d).writeBatch([
    okRecord('q', 'https://example.com/a'),
    okRecord('q', 'https://example.com/b'),
  ]);
  d.pragma('wal_checkpoint(TRUNCATE)');
  d.close();
  before = readFileSync(db);
});

// One of each kind: a data change, a schema/pragma change, and a new file beside the database.
afterAll(cleanup);

const writes = ['DELETE FROM pages', 'PRAGMA user_version = 99', "ATTACH DATABASE 'EVIL' AS evil"];

describe('metacrawl query is read-only', () => {
  it('refuses every kind of write with one clear line and exit 1, leaving the file unchanged', async () => {
    const results = await Promise.all(writes.map((sql) => runCli(['query', sql, '--db', db], { cwd: dir })));
    for (const [i, res] of results.entries()) {
      expect(res.code, `${writes[i]}: ${res.stderr}`).toBe(1);
      const lines = res.stderr.trim().split('\n');
      expect(lines, writes[i]).toHaveLength(1);
      expect(lines[0]).toMatch(/^metacrawl: (query is read-only|query failed): /);
      expect(res.stdout).toBe('');
    }
    expect(results[0].stderr).toContain('query is read-only: DELETE FROM pages');
    expect(existsSync(`${dir}/EVIL`)).toBe(false);
    expect(readFileSync(db).equals(before)).toBe(true);
  });

  it('leaves no -wal or -shm file behind on a database whose writer closed cleanly', async () => {
    expect(existsSync(`${db}-wal`) || existsSync(`${db}-shm`)).toBe(false);
    const res = await runCli(['query', 'SELECT count(*) AS n FROM pages', '--db', db, '--format', 'json']);
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual([{ n: 2 }]);
    expect(existsSync(`${db}-wal`)).toBe(false);
    expect(existsSync(`${db}-shm`)).toBe(false);
    expect(readFileSync(db).equals(before)).toBe(true);
  });

  it('leaves the side files of a writer still open alone, and sees its committed rows', async () => {
    const writer = openDb(db);
    try {
      new PageWriter(writer).writeBatch([okRecord('q', 'https://example.com/c')]);
      const res = await runCli(['query', 'SELECT count(*) AS n FROM pages', '--db', db, '--format', 'json']);
      expect(res.code, res.stderr).toBe(0);
      expect(JSON.parse(res.stdout)).toEqual([{ n: 3 }]);
      expect(existsSync(`${db}-wal`)).toBe(true);
      new PageWriter(writer).writeBatch([okRecord('q', 'https://example.com/d')]);
      expect(writer.prepare('SELECT count(*) FROM pages').pluck().get()).toBe(4);
    } finally {
      writer.close();
    }
    expect(existsSync(`${db}-wal`)).toBe(false);
  });
});
