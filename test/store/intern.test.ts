/**
 * The writer's dictionaries: a URL missing from the writer's memory is looked up in `urls` unless the table holds
 * only URLs this writer added (from empty) and it forgot none; the same ids either way.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDb } from '../../src/store/db.js';
import { Interner, UrlInterner } from '../../src/store/intern.js';
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

describe('UrlInterner', () => {
  it('gives the ids and says it forgot exactly as an Interner of the same capacity, through turnovers and clear()', () => {
    // A deterministic mix: a few busy sites and many rare ones, URLs with and without a path, repeats near and far.
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const url = () => {
      const k = rand(10);
      if (k === 0) return ['mailto:a@b', '', '#top', 'https://host-only.example', '//x'][rand(5)];
      const host = k < 6 ? `https://s${rand(3)}.example` : `http://h${rand(400)}.example:8080`;
      return `${host}/${rand(k < 6 ? 60 : 5)}`;
    };
    for (const capacity of [1, 2, 7, 50, 300]) {
      let a = 1;
      let b = 1;
      // The lookup answers for a tenth of the values, as `urls` would for URLs another writer stored.
      const lookup = (v: string) => (v.length % 10 === 3 ? 1_000_000 + v.length : undefined);
      const plain = new Interner<string>(lookup, () => a++, capacity);
      const sites = new UrlInterner(lookup, () => b++, capacity);
      const got: [number, boolean][] = [];
      const want: [number, boolean][] = [];
      const idsOf = new Map<string, Set<number>>();
      for (let i = 0; i < 5000; i++) {
        if (rand(1000) === 0) {
          plain.clear();
          sites.clear();
        }
        const v = url();
        want.push([plain.id(v), plain.forgot]);
        got.push([sites.id(v), sites.forgot]);
        idsOf.set(v, (idsOf.get(v) ?? new Set()).add(want[i][0]));
      }
      expect(got).toEqual(want);
      // Values were forgotten and given new ids (the memory turned over), not merely remembered.
      expect([...idsOf.values()].some((ids) => ids.size > 1)).toBe(true);
    }
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
