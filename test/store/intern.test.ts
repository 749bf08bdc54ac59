/**
 * The writer's dictionaries: a URL missing from the writer's memory is looked up in `urls` unless the table holds
 * only URLs this writer added (from empty) and it forgot none; the same ids either way.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDb } from '../../src/store/db.js';
import { Interner } from '../../src/store/intern.js';
import { PageWriter } from '../../src/store/writer.js';
import { okRecord, tempDir } from './records.js';

function page(url: string, links: string[]) {
  const r = okRecord('c', url, { links: 0 });
  r.meta!.links = links.map((u) => ({ url: u, text: 't', rel: null, tag: 'a' as const }));
  return r;
}

describe('Interner', () => {
  it('says it forgot a value once an old generation with values is dropped, or on clear()', () => {
    let next = 1;
    const ids = new Interner<string>(null, () => next++, 2);
    ids.id('a');
    ids.id('b'); // young full: it becomes old (the empty old one is dropped: nothing forgotten)
    expect(ids.forgot).toBe(false);
    expect(ids.id('a')).toBe(1);
    ids.id('c'); // young full again: the old {a, b} is dropped; a was kept in young, b is forgotten
    expect(ids.forgot).toBe(true);
    expect(ids.id('b')).toBe(4);
    const again = new Interner<string>(null, () => next++, 10);
    again.clear();
    expect(again.forgot).toBe(false);
    again.id('x');
    again.clear();
    expect(again.forgot).toBe(true);
  });
});

describe('URL ids', () => {
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

  const urlRows = (url: string) => db.prepare('SELECT count(*) FROM urls WHERE url = ?').pluck().get(url);

  it('are reused from a database another writer filled', () => {
    new PageWriter(db).writeBatch([page('https://a.example/', ['https://x.example/'])]);
    new PageWriter(db).writeBatch([page('https://b.example/', ['https://x.example/'])]);
    expect(urlRows('https://x.example/')).toBe(1);
  });

  it('are reused when another writer added URLs between two batches', () => {
    const first = new PageWriter(db);
    first.writeBatch([page('https://a.example/', ['https://x.example/'])]);
    new PageWriter(db).writeBatch([page('https://b.example/', ['https://y.example/'])]);
    first.writeBatch([page('https://c.example/', ['https://y.example/', 'https://x.example/'])]);
    expect(urlRows('https://y.example/')).toBe(1);
    expect(urlRows('https://x.example/')).toBe(1);
  });

  it('are given once per URL by a lone writer of a new database', () => {
    const w = new PageWriter(db);
    w.writeBatch([page('https://a.example/', ['https://x.example/', 'https://y.example/'])]);
    w.writeBatch([page('https://b.example/', ['https://y.example/', 'https://z.example/'])]);
    expect(db.prepare('SELECT url FROM urls ORDER BY id').pluck().all()).toEqual([
      'https://x.example/',
      'https://y.example/',
      'https://z.example/',
    ]);
  });
});
