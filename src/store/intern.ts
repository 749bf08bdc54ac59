/**
 * Interning: a repeated string (a link URL, a meta name, an anchor text) is stored once and referenced by id.
 * The writer remembers the ids of recently seen strings in two generations of bounded maps (an
 * approximate LRU), so repeated navigation links cost no database access at all.
 *
 * New URLs and strings get their ids here, in the writer's transaction (the next id after the table's
 * largest, read when the batch starts under the write lock), and are inserted many rows per statement
 * (`AppendTable`): one statement per value was most of the cost of a page whose links are new.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';

export class Interner<K extends string = string> {
  private young = new Map<K, number>();
  private old = new Map<K, number>();
  /** Whether a value was ever forgotten (dropped with an old generation, or by `clear()`). */
  forgot = false;

  /**
   * @param lookup the id already stored for a value, when the table keeps each value once (else null)
   * @param insert stores the value and returns its new id
   * @param capacity values per generation; at most twice as many are remembered
   * @param maxLength longer values bypass the memory (they are seldom repeated and would crowd it)
   */
  constructor(
    private readonly lookup: ((v: K) => number | undefined) | null,
    private readonly insert: (v: K) => number,
    private readonly capacity: number,
    private readonly maxLength = Number.POSITIVE_INFINITY,
  ) {}

  id(v: K): number {
    // Not remembered: no hashing of a long text for a lookup that cannot hit.
    if (v.length > this.maxLength) return this.insert(v);
    let id = this.young.get(v);
    if (id !== undefined) return id;
    id = this.old.get(v);
    if (id === undefined) {
      id = (this.lookup === null ? undefined : this.lookup(v)) ?? this.insert(v);
    }
    this.young.set(v, id);
    if (this.young.size >= this.capacity) {
      if (this.old.size > 0) this.forgot = true;
      this.old = this.young;
      this.young = new Map();
    }
    return id;
  }

  /** Forgets every id: after a rolled-back transaction, ids handed out in it may be given to other values. */
  clear(): void {
    if (this.young.size > 0 || this.old.size > 0) this.forgot = true;
    this.young = new Map();
    this.old = new Map();
  }
}

/** A site's part of the URL memory (UrlInterner): its URLs remembered in the current and the previous generation. */
interface Site {
  gen: number;
  young: Map<string, number>;
  old: Map<string, number>;
}

/** The `old` of a site not seen in the previous generation: never written to. */
const NONE: ReadonlyMap<string, number> = new Map();

/**
 * The Interner's memory (two generations of `capacity` values, the same ids for the same calls), kept per site
 * (scheme and host): the ~150 links of a page mostly share a few sites, whose small maps stay in the CPU's cache
 * for the whole page, where one map of hundreds of thousands of URLs cost a few cache misses per link. A site's
 * generations turn over when it is next seen (as the meta tags' in `Dictionaries.tag`); sites left out of two
 * generations are dropped at each turn, so memory stays bounded as the Interner's.
 */
export class UrlInterner {
  private readonly sites = new Map<string, Site>();
  /** The site of the last URL (most links of a page share their page's site) and its prefix. */
  private last: Site | null = null;
  private lastPrefix = '';
  private gen = 0;
  /** URLs remembered in the current generation, and in the previous one. */
  private young = 0;
  private old = 0;
  /** Whether a value was ever forgotten (dropped with an old generation, or by `clear()`). */
  forgot = false;

  constructor(
    private readonly lookup: ((v: string) => number | undefined) | null,
    private readonly insert: (v: string) => number,
    private readonly capacity: number,
  ) {}

  id(v: string): number {
    const site = this.site(v);
    if (site.gen !== this.gen) {
      site.old = site.gen === this.gen - 1 ? site.young : (NONE as Map<string, number>);
      site.young = new Map();
      site.gen = this.gen;
    }
    let id = site.young.get(v);
    if (id !== undefined) return id;
    id = site.old.get(v);
    if (id === undefined) {
      id = (this.lookup === null ? undefined : this.lookup(v)) ?? this.insert(v);
    }
    site.young.set(v, id);
    if (++this.young >= this.capacity) {
      if (this.old > 0) this.forgot = true;
      this.old = this.young;
      this.young = 0;
      this.gen++;
      // Sites seen in neither of the two generations now remembered hold nothing to remember.
      for (const [prefix, s] of this.sites) if (s.gen < this.gen - 1) this.sites.delete(prefix);
      this.last = null;
    }
    return id;
  }

  /** Forgets every id: after a rolled-back transaction, ids handed out in it may be given to other values. */
  clear(): void {
    if (this.young > 0 || this.old > 0) this.forgot = true;
    this.sites.clear();
    this.last = null;
    this.young = 0;
    this.old = 0;
  }

  /** The site of `v`: what precedes the first '/' after its '//' ('' when it has none). */
  private site(v: string): Site {
    const start = v.indexOf('//');
    const end = start < 0 ? -1 : v.indexOf('/', start + 2);
    const prefix = this.lastPrefix;
    if (this.last !== null && end === prefix.length && v.startsWith(prefix)) return this.last;
    const key = end < 0 ? '' : v.slice(0, end);
    let site = this.sites.get(key);
    if (site === undefined) {
      site = { gen: this.gen, young: new Map(), old: NONE as Map<string, number> };
      this.sites.set(key, site);
    }
    this.last = site;
    this.lastPrefix = key;
    return site;
  }
}

/** Rows per multi-row INSERT of new dictionary values. */
const APPEND_CHUNK = 256;

type Cell = string | number | null;

/**
 * A dictionary table `(id INTEGER PRIMARY KEY, <columns>)` that only grows: new values are given the next
 * ids and kept until `flush()` (or a full chunk) inserts them, `APPEND_CHUNK` rows per statement. Ids are
 * handed out only between `begin()` and `flush()`, inside one write transaction.
 *
 * What is left at a flush goes in statements of a power of two rows (137 rows: 128 + 8 + 1), so a table has at
 * most nine statements: one per row count was hundreds in a crawl (its batches of a few dozen pages leave any
 * count). A `first + k` expression per row made compilation grow with the square of the rows (each batch
 * compiled its statements again while the writer toggled `PRAGMA foreign_keys`); the ids are bound as values.
 */
export class AppendTable {
  private next = 0;
  /** The next id expected at the next `begin()`: null before the first. */
  private expected: number | null = null;
  /**
   * Whether every row of the table was added by this object, from an empty table (checked at each `begin()`:
   * the largest id is the last one it handed out), and none was discarded.
   */
  onlyOwnRows = true;
  /** Each row's id, then its columns. */
  private pending: Cell[] = [];
  private readonly maxId: Statement;
  private readonly stmts = new Map<number, Statement>();
  private readonly columns: string[];
  /** Cells per pending row: the id and the columns. */
  private readonly width: number;

  constructor(
    private readonly db: Db,
    private readonly table: string,
    columns: string | string[],
  ) {
    this.columns = typeof columns === 'string' ? [columns] : columns;
    this.width = this.columns.length + 1;
    this.maxId = db.prepare(`SELECT max(id) FROM ${table}`).pluck();
  }

  /** Starts handing out ids after the table's largest (call inside the write transaction). */
  begin(): void {
    this.pending = [];
    this.next = ((this.maxId.get() as number | null) ?? 0) + 1;
    if (this.next !== (this.expected ?? 1)) this.onlyOwnRows = false;
  }

  /** The id `v` (one value per column) will have once flushed. */
  add(...v: Cell[]): number {
    const id = this.next++;
    this.pending.push(id);
    for (const x of v) this.pending.push(x);
    if (this.pending.length >= APPEND_CHUNK * this.width) this.flush();
    return id;
  }

  /** Inserts every value given an id since the last flush. */
  flush(): void {
    const all = this.pending;
    if (all.length === 0) return;
    for (let at = 0; at < all.length; ) {
      let n = APPEND_CHUNK;
      while (n * this.width > all.length - at) n >>= 1;
      const end = at + n * this.width;
      this.stmt(n).run(at === 0 && end === all.length ? all : all.slice(at, end));
      at = end;
    }
    this.pending = [];
    this.expected = this.next;
  }

  private stmt(rows: number): Statement {
    let s = this.stmts.get(rows);
    if (!s) {
      const tuple = `(${new Array(this.width).fill('?').join(',')})`;
      s = this.db.prepare(
        `INSERT INTO ${this.table} (id, ${this.columns.join(', ')}) VALUES ${new Array(rows).fill(tuple).join(',')}`,
      );
      this.stmts.set(rows, s);
    }
    return s;
  }

  /** Drops what was not flushed (the transaction it belonged to was rolled back). */
  discard(): void {
    this.pending = [];
    this.onlyOwnRows = false;
  }
}

/** URLs remembered per generation: a site's navigation links, for the thousands of sites a crawl interleaves. */
const URLS_REMEMBERED = 200_000;

/** Distinct meta tags remembered per generation. */
const TAGS_REMEMBERED = 100_000;

/** Meta names remembered per attribute. */
const NAMES_REMEMBERED = 20_000;

/** Longest string remembered: longer ones are seldom repeated and would crowd the memory. */
const STRING_MAX_REMEMBERED = 200;

/**
 * A meta tag name (attr, key) and the meta tags of that name remembered by their content, in two generations
 * (the dictionaries' generation, see `Dictionaries.tag`): one lookup by the content string finds a repeated tag,
 * with no content id to look up first and no composite key to build.
 */
interface MetaName {
  id: number;
  /** The tag without content, once stored. */
  bare: number | undefined;
  gen: number;
  young: Map<string, number>;
  old: Map<string, number>;
}

/** Interners over the compact schema's dictionaries (migrations 005 and 011). */
export class Dictionaries {
  readonly urls: UrlInterner;
  readonly strings: Interner;
  private readonly urlRows: AppendTable;
  private readonly stringRows: AppendTable;
  private readonly tagRows: AppendTable;
  /** Meta names by attribute (name, property, …), then by key: no key string to build per tag. */
  private readonly names = new Map<string, Map<string, MetaName>>();
  /** Names' count of tags remembered in the current generation, and the generation. */
  private tagsYoung = 0;
  private tagGen = 0;
  private readonly nameId: Statement;
  private readonly addName: Statement;

  /**
   * Whether a URL missing from memory is looked up in `urls` before a new row is added: only while its index
   * is there (a small crawl). Without it, a URL forgotten and seen again gets a second id, never a lookup.
   */
  lookupUrls = true;

  constructor(db: Db) {
    const urlId = db.prepare('SELECT id FROM urls WHERE url = ?').pluck();
    this.urlRows = new AppendTable(db, 'urls', 'url');
    this.stringRows = new AppendTable(db, 'strings', 's');
    this.tagRows = new AppendTable(db, 'meta_tags', ['name_id', 'content_id']);
    this.nameId = db.prepare('SELECT id FROM meta_names WHERE key = ? AND attr = ?').pluck();
    this.addName = db.prepare('INSERT INTO meta_names (attr, key) VALUES (?, ?)');
    this.urls = new UrlInterner(
      // A URL the memory lacks is not in the table either while the table holds only the URLs this writer added
      // (since it was empty) and the memory forgot none of them: a fresh database's first crawl asks nothing.
      (u) =>
        this.lookupUrls && !(this.urlRows.onlyOwnRows && !this.urls.forgot)
          ? (urlId.get(u) as number | undefined)
          : undefined,
      (u) => this.urlRows.add(u),
      URLS_REMEMBERED,
    );
    // Strings are not unique in the table: no lookup, a value forgotten and seen again is stored again.
    this.strings = new Interner(null, (s) => this.stringRows.add(s), 100_000, STRING_MAX_REMEMBERED);
  }

  /**
   * The id of a meta tag: its (attr, key) name and its content (null when it had none). Not unique in its
   * table: a tag forgotten and seen again is stored again.
   */
  tag(attr: string, key: string, content: string | null): number {
    const n = this.name(attr, key);
    if (content === null) {
      if (n.bare === undefined) n.bare = this.tagRows.add(n.id, null);
      return n.bare;
    }
    if (content.length > STRING_MAX_REMEMBERED) return this.tagRows.add(n.id, this.strings.id(content));
    if (n.gen !== this.tagGen) {
      // The generation changed since this name was last seen: its young tags are old now, older ones forgotten.
      n.old = n.gen === this.tagGen - 1 ? n.young : new Map();
      n.young = new Map();
      n.gen = this.tagGen;
    }
    let id = n.young.get(content);
    if (id !== undefined) return id;
    id = n.old.get(content) ?? this.tagRows.add(n.id, this.strings.id(content));
    n.young.set(content, id);
    if (++this.tagsYoung >= TAGS_REMEMBERED) {
      this.tagsYoung = 0;
      this.tagGen++;
    }
    return id;
  }

  /** Call at the start of a write transaction, before any id is asked for. */
  begin(): void {
    this.urlRows.begin();
    this.stringRows.begin();
    this.tagRows.begin();
  }

  /** Call before the transaction commits: stores the values given ids since `begin()`. */
  flush(): void {
    this.urlRows.flush();
    this.stringRows.flush();
    this.tagRows.flush();
  }

  /** A meta tag's (attr, key) name, with its remembered tags. */
  private name(attr: string, key: string): MetaName {
    let keys = this.names.get(attr);
    if (!keys) {
      keys = new Map();
      this.names.set(attr, keys);
    }
    let n = keys.get(key);
    if (!n) {
      // Bounded: a name forgotten is looked up again (meta_names keeps each name once).
      if (keys.size >= NAMES_REMEMBERED) keys.clear();
      const id =
        (this.nameId.get(key, attr) as number | undefined) ??
        Number(this.addName.run(attr, key).lastInsertRowid);
      n = { id, bare: undefined, gen: this.tagGen, young: new Map(), old: new Map() };
      keys.set(key, n);
    }
    return n;
  }

  /** Forgets every id (after a rollback). */
  clear(): void {
    this.urls.clear();
    this.strings.clear();
    this.names.clear();
    this.tagsYoung = 0;
    this.urlRows.discard();
    this.stringRows.discard();
    this.tagRows.discard();
  }
}

/** A link URL as [target, fragment]: the URL up to its first '#', and what follows it (null when none). */
export function splitFragment(url: string): [target: string, fragment: string | null] {
  const i = url.indexOf('#');
  return i < 0 ? [url, null] : [url.slice(0, i), url.slice(i + 1)];
}
