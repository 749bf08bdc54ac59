/**
 * Interning: a repeated string (a link URL, a meta name, an anchor text) is stored once and referenced by id.
 * The writer remembers the ids of recently seen strings in two generations of bounded maps (an
 * approximate LRU), so repeated navigation links cost no database access at all.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';

export class Interner {
  private young = new Map<string, number>();
  private old = new Map<string, number>();

  /**
   * @param lookup the id already stored for a value, when the table keeps each value once (else null)
   * @param insert stores the value and returns its new id
   * @param capacity values per generation; at most twice as many are remembered
   * @param maxLength longer values bypass the memory (they are seldom repeated and would crowd it)
   */
  constructor(
    private readonly lookup: ((v: string) => number | undefined) | null,
    private readonly insert: (v: string) => number,
    private readonly capacity: number,
    private readonly maxLength = Number.POSITIVE_INFINITY,
  ) {}

  id(v: string): number {
    let id = this.young.get(v);
    if (id !== undefined) return id;
    id = this.old.get(v);
    if (id === undefined) {
      id = this.lookup?.(v) ?? this.insert(v);
      if (v.length > this.maxLength) return id;
    }
    this.young.set(v, id);
    if (this.young.size >= this.capacity) {
      this.old = this.young;
      this.young = new Map();
    }
    return id;
  }

  /** Forgets every id: after a rolled-back transaction, ids handed out in it may be given to other values. */
  clear(): void {
    this.young = new Map();
    this.old = new Map();
  }
}

/** URLs remembered per generation: a site's navigation links, for the thousands of sites a crawl interleaves. */
const URLS_REMEMBERED = 200_000;

/** Interners over the compact schema's dictionaries (migrations/005_compact.sql). */
export class Dictionaries {
  readonly urls: Interner;
  readonly strings: Interner;
  /** Meta names, one interner of keys per attribute (name, property, …): no key string to build per tag. */
  private readonly names = new Map<string, Interner>();
  private readonly nameId: Statement;
  private readonly addName: Statement;

  /**
   * Whether a URL missing from memory is looked up in `urls` before a new row is added: only while its index
   * is there (a small crawl). Without it, a URL forgotten and seen again gets a second id, never a lookup.
   */
  lookupUrls = true;

  constructor(db: Db) {
    const urlId = db.prepare('SELECT id FROM urls WHERE url = ?').pluck();
    const addUrl = db.prepare('INSERT INTO urls (url) VALUES (?)');
    const addString = db.prepare('INSERT INTO strings (s) VALUES (?)');
    this.nameId = db.prepare('SELECT id FROM meta_names WHERE key = ? AND attr = ?').pluck();
    this.addName = db.prepare('INSERT INTO meta_names (attr, key) VALUES (?, ?)');
    this.urls = new Interner(
      (u) => (this.lookupUrls ? (urlId.get(u) as number | undefined) : undefined),
      insertId(addUrl),
      URLS_REMEMBERED,
    );
    // Strings are not unique in the table: no lookup, a value forgotten and seen again is stored again.
    this.strings = new Interner(null, insertId(addString), 100_000, 200);
  }

  /** The id of a meta tag's (attr, key) name. */
  name(attr: string, key: string): number {
    let keys = this.names.get(attr);
    if (!keys) {
      keys = new Interner(
        (k) => this.nameId.get(k, attr) as number | undefined,
        (k) => Number(this.addName.run(attr, k).lastInsertRowid),
        10_000,
      );
      this.names.set(attr, keys);
    }
    return keys.id(key);
  }

  clear(): void {
    this.urls.clear();
    this.strings.clear();
    this.names.clear();
  }
}

function insertId(stmt: Statement): (v: string) => number {
  return (v) => Number(stmt.run(v).lastInsertRowid);
}

/** A link URL as [target, fragment]: the URL up to its first '#', and what follows it (null when none). */
export function splitFragment(url: string): [target: string, fragment: string | null] {
  const i = url.indexOf('#');
  return i < 0 ? [url, null] : [url.slice(0, i), url.slice(i + 1)];
}
