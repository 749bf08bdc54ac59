/**
 * The explorer's read-only view of the database: one connection with `query_only`, statements prepared
 * once, and crawl-level aggregates cached until another connection commits (PRAGMA data_version), at
 * most a few seconds stale while a crawl is being written; a new crawl shows at once.
 */
import type { Statement } from 'better-sqlite3';
import {
  type AuditFinding,
  type AuditMemo,
  type CrawlDiff,
  closeReadOnlyDb,
  type Db,
  diffCrawls,
  type FieldChange,
  latestSchemaVersion,
  openDb,
  openReadOnlyDb,
  pageComparer,
  schemaVersion,
  splitFragment,
} from '../store/index.js';
import { pagesPerSecond } from '../throughput.js';
import {
  filterConditions,
  hasFilters,
  LACKS,
  type LacksKey,
  type NarrowIndex,
  narrowCandidate,
  searchCondition,
  type TableQuery,
  tableSql,
} from './filters.js';

export interface CrawlInfo {
  id: number;
  name: string;
  createdAt: string;
  settings: string | null;
  pages: number;
  ok: number;
  failed: number;
  byError: [string, number][];
  firstFetchedAt: string | null;
  lastFetchedAt: string | null;
  /** pages/s as src/throughput.ts defines it; null when unknown. */
  rate: number | null;
}

/** One crawl's row of a URL, for a page's history. */
export interface HistoryRow {
  id: number;
  crawl: string;
  status: number | null;
  fetched_at: string | null;
  error: string | null;
  unchanged: number | null;
  unchanged_reason: string | null;
}

export interface Bucket {
  label: string;
  from: number;
  to: number | null;
  n: number;
}

/** A crawl's charts on its explorer page (aggregates over its rows; not the Redis counters of queue.ts). */
export interface CrawlBreakdown {
  byStatus: [number | null, number][];
  topHosts: [string, number][];
  hosts: number;
  histogram: Bucket[];
  /** Fetched pages (no error) lacking each field. */
  lacking: Record<LacksKey, number>;
}

export interface PageListRow {
  id: number;
  url: string;
  status: number | null;
  error: string | null;
  title: string | null;
  elapsed_ms: number | null;
  jsonld_types: string | null;
  og_image: string | null;
}

export type PageRow = Record<string, string | number | null>;

/** A crawl's audit results as the database was at `version` (PRAGMA data_version). */
interface AuditEntry {
  version: number;
  counts: Map<string, number>;
  rows: Map<string, AuditFinding[]>;
}

const EDGES = [0, 50, 100, 200, 500, 1000, 2000, 5000, 10000];
/** While a crawl is being written, aggregates are recomputed at most this often (in the background). */
const CACHE_STALE_MS = 5000;
export const COUNT_CAP = 10_000;
/** Up to this many matching rows, a status or error filter reads its own index and sorts them (see narrowIndex). */
const NARROW_CAP = 2_000;
/** Rows of the crawl (in URL order) one search request scans; the page offers to continue after them. */
export const SEARCH_WINDOW = 20_000;
/** Without the links-by-target index, "linked from" reads every link: fine up to this many pages (~2M links). */
const SCAN_LINKS_UP_TO_PAGES = 20_000;

/** Opens read-only; when the file's schema is older than this build, migrates once read-write first. */
export function openReadOnly(path: string): Db {
  let db = openReadOnlyDb(path);
  if (schemaVersion(db) < latestSchemaVersion()) {
    db.close();
    openDb(path).close();
    db = openReadOnlyDb(path);
  }
  db.pragma('query_only = ON');
  return db;
}

interface Cached<T> {
  version: number;
  /** What the value was computed for (the crawl ids, for the crawl list); a different one is a miss. */
  sig: string;
  at: number;
  value: T;
  refreshing?: boolean;
}

interface CacheOptions {
  sig?: () => string;
  /** Recompute on the request once the value is older than staleMs (else refresh in the background). */
  fresh?: boolean;
}

export interface SearchPage {
  rows: PageListRow[];
  /** Where the next search request continues (the last row shown, or the end of the scanned window). */
  next: string | null;
  /** True when the window ended before a full page of matches was found. */
  windowEnded: boolean;
}

export class ExplorerReader {
  private readonly stmts = new Map<string, Statement>();
  private readonly cache = new Map<string, Cached<unknown>>();
  private readonly audit = new Map<number, AuditEntry>();

  /** `staleMs`: how stale a cached aggregate may get while the database changes (tests shorten it). */
  constructor(
    readonly db: Db,
    private readonly staleMs = CACHE_STALE_MS,
  ) {}

  close(): void {
    closeReadOnlyDb(this.db);
  }

  private stmt(sql: string): Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  /**
   * Computes once, then serves the cached value. Once a request sees that another connection committed, a
   * background refresh is set for when the value is `staleMs` old (the old value is served until then), so
   * it ends fresh without a second request. With `fresh`, a request finding it older recomputes at once.
   */
  private cached<T>(key: string, compute: () => T, opts: CacheOptions = {}): T {
    const version = this.dataVersion();
    const sig = opts.sig?.() ?? '';
    const hit = this.cache.get(key) as Cached<T> | undefined;
    if (hit && hit.sig === sig) {
      if (hit.version === version) return hit.value;
      const age = Date.now() - hit.at;
      if (age < this.staleMs || !opts.fresh) {
        this.refreshLater(key, hit, compute, opts, Math.max(0, this.staleMs - age));
        return hit.value;
      }
    }
    const value = compute();
    this.cache.set(key, { version, sig, at: Date.now(), value });
    return value;
  }

  private refreshLater<T>(key: string, hit: Cached<T>, compute: () => T, opts: CacheOptions, ms: number) {
    if (hit.refreshing) return;
    hit.refreshing = true;
    setTimeout(() => {
      if (!this.db.open) return;
      try {
        const version = this.dataVersion();
        const sig = opts.sig?.() ?? '';
        this.cache.set(key, { version, sig, at: Date.now(), value: compute() });
      } catch {
        // Keep serving the old value; the next request tries again.
        hit.refreshing = false;
      }
    }, ms).unref();
  }

  /**
   * The crawl's audit results remembered while the database is unchanged: check counts and computed rows (the
   * near-duplicate pairs). Any commit by another connection (a page stored, `audit --set`) drops them, so they
   * are never stale: during a crawl every request computes again.
   */
  auditMemo(crawlId: number): AuditMemo & { remember(check: string, count: number): void } {
    const version = this.dataVersion();
    let entry = this.audit.get(crawlId);
    if (!entry || entry.version !== version) {
      entry = { version, counts: new Map(), rows: new Map() };
      this.audit.set(crawlId, entry);
    }
    const e = entry;
    return {
      count: (check) => e.counts.get(check),
      rows: (check, compute) => {
        let rows = e.rows.get(check);
        if (!rows) {
          rows = compute();
          e.rows.set(check, rows);
        }
        return rows;
      },
      remember: (check, count) => {
        e.counts.set(check, count);
      },
    };
  }

  private dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  /** Computes the crawl list and every crawl's charts, so the first visitor does not wait for them. */
  warm(): void {
    for (const c of this.crawls()) this.breakdown(c.id);
  }

  /** A crawl that appears (or goes) is shown at once; counts are at most staleMs old. */
  crawls(): CrawlInfo[] {
    const sig = () =>
      this.stmt('SELECT group_concat(id) FROM (SELECT id FROM crawls ORDER BY id)').pluck().get();
    return this.cached(
      'crawls',
      () => {
        const rows = this.stmt(
          'SELECT id, name, created_at, settings FROM crawls ORDER BY id DESC',
        ).all() as {
          id: number;
          name: string;
          created_at: string;
          settings: string | null;
        }[];
        return rows.map((r) => this.crawlInfo(r));
      },
      { sig: () => String(sig() ?? ''), fresh: true },
    );
  }

  crawlByName(name: string): CrawlInfo | null {
    return this.crawls().find((c) => c.name === name) ?? null;
  }

  private crawlInfo(r: { id: number; name: string; created_at: string; settings: string | null }): CrawlInfo {
    const pages = this.total(r.id);
    // Failures are a minority: skip-scan the distinct codes, count each, and derive ok as the rest.
    const byError: [string, number][] = [];
    const next = this.stmt('SELECT min(error) FROM pages WHERE crawl_id = ? AND error > ?').pluck();
    const countCode = this.stmt('SELECT count(*) FROM pages WHERE crawl_id = ? AND error = ?').pluck();
    for (
      let code = next.get(r.id, '') as string | null;
      code !== null;
      code = next.get(r.id, code) as string | null
    ) {
      byError.push([code, countCode.get(r.id, code) as number]);
    }
    byError.sort((a, b) => b[1] - a[1]);
    const ok = pages - byError.reduce((sum, [, n]) => sum + n, 0);
    const first = this.stmt('SELECT min(fetched_at) FROM pages WHERE crawl_id = ?').pluck().get(r.id) as
      | string
      | null;
    const last = this.stmt('SELECT max(fetched_at) FROM pages WHERE crawl_id = ?').pluck().get(r.id) as
      | string
      | null;
    return {
      id: r.id,
      name: r.name,
      createdAt: r.created_at,
      settings: r.settings,
      pages,
      ok,
      failed: pages - ok,
      byError,
      firstFetchedAt: first,
      lastFetchedAt: last,
      rate: pagesPerSecond(pages, first, last),
    };
  }

  /** Whether an index exists: a writer storing a large crawl leaves some off until its end (store/indexes.ts). */
  private readonly hasIndex = (name: string): boolean =>
    this.stmt("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?").get(name) !== undefined;

  /** ` INDEXED BY name` when the index exists; without it the query answers the same rows, reading more. */
  private indexedBy(name: string): string {
    return this.hasIndex(name) ? ` INDEXED BY ${name}` : '';
  }

  /** Rows of a crawl; with a single crawl in the file, SQLite's whole-table count is far cheaper. */
  private total(crawlId: number): number {
    const crawls = this.stmt('SELECT count(*) FROM crawls').pluck().get() as number;
    if (crawls === 1) return this.stmt('SELECT count(*) FROM pages').pluck().get() as number;
    return this.stmt('SELECT count(*) FROM pages WHERE crawl_id = ?').pluck().get(crawlId) as number;
  }

  /** Charts of one crawl: each is one pass over a narrow index (or a small partial index). */
  breakdown(crawlId: number): CrawlBreakdown {
    return this.cached(`breakdown:${crawlId}`, () => {
      const byStatus = (
        this.stmt(
          'SELECT status, count(*) AS n FROM pages INDEXED BY pages_crawl_status WHERE crawl_id = ? GROUP BY status',
        ).all(crawlId) as { status: number | null; n: number }[]
      ).map((r): [number | null, number] => [r.status, r.n]);
      const hostRows = this.stmt(
        `SELECT host, count(*) AS n FROM pages${this.indexedBy('pages_crawl_host')} WHERE crawl_id = ? GROUP BY host ORDER BY n DESC, host`,
      ).all(crawlId) as { host: string; n: number }[];
      const histogram: Bucket[] = EDGES.map((from, i) => {
        const to = i + 1 < EDGES.length ? EDGES[i + 1] : null;
        const n = (
          to === null
            ? this.stmt('SELECT count(*) FROM pages WHERE crawl_id = ? AND elapsed_ms >= ?')
                .pluck()
                .get(crawlId, from)
            : this.stmt(
                'SELECT count(*) FROM pages WHERE crawl_id = ? AND elapsed_ms >= ? AND elapsed_ms < ?',
              )
                .pluck()
                .get(crawlId, from, to)
        ) as number;
        return { label: bucketLabel(from, to), from, to, n };
      });
      const lacking = {} as Record<LacksKey, number>;
      for (const [key, def] of Object.entries(LACKS) as [LacksKey, (typeof LACKS)[LacksKey]][]) {
        lacking[key] = this.stmt(
          `SELECT count(*) FROM pages${this.indexedBy(def.index)} WHERE crawl_id = ? AND ${def.sql}`,
        )
          .pluck()
          .get(crawlId) as number;
      }
      return {
        byStatus: byStatus.sort((a, b) => b[1] - a[1]),
        topHosts: hostRows.slice(0, 20).map((r) => [r.host, r.n]),
        hosts: hostRows.length,
        histogram,
        lacking,
      };
    });
  }

  /** One page of the crawl table; `more` tells whether a next page exists. */
  pages(crawlId: number, t: TableQuery): { rows: PageListRow[]; more: boolean } {
    const { from, orderBy, params } = tableSql(crawlId, t, this.narrowIndex(crawlId, t), this.hasIndex);
    const rows = this.stmt(
      `SELECT id, url, status, error, title, elapsed_ms, jsonld_types, og_image ${from} ${orderBy} LIMIT ? OFFSET ?`,
    ).all(...params, t.per + 1, (t.page - 1) * t.per) as PageListRow[];
    const more = rows.length > t.per;
    return { rows: more ? rows.slice(0, t.per) : rows, more };
  }

  /**
   * A search page: the next SEARCH_WINDOW rows of the crawl in URL order after `t.after`, filtered, so a
   * request never scans the whole crawl; the page offers to continue where the window ended.
   */
  search(crawlId: number, t: TableQuery): SearchPage {
    const f = filterConditions(t);
    const s = searchCondition(t.q);
    const where = [...f.where, s.sql];
    const rows = this.stmt(
      `SELECT id, url, status, error, title, elapsed_ms, jsonld_types, og_image FROM (
         SELECT * FROM pages WHERE crawl_id = ? AND url > ? ORDER BY url LIMIT ${SEARCH_WINDOW}
       ) WHERE ${where.join(' AND ')} ORDER BY url LIMIT ?`,
    ).all(crawlId, t.after, ...f.params, ...s.params, t.per + 1) as PageListRow[];
    if (rows.length > t.per)
      return { rows: rows.slice(0, t.per), next: rows[t.per - 1].url, windowEnded: false };
    const end = this.stmt(
      `SELECT url FROM pages WHERE crawl_id = ? AND url > ? ORDER BY url LIMIT 1 OFFSET ${SEARCH_WINDOW - 1}`,
    )
      .pluck()
      .get(crawlId, t.after) as string | undefined;
    return { rows, next: end ?? null, windowEnded: end !== undefined };
  }

  /**
   * The status or error index when fewer than NARROW_CAP rows match: those rows are read and sorted (milliseconds),
   * where reading the crawl in sort order for them takes seconds on a million pages. Counting them is one bounded
   * pass over the index.
   */
  private narrowIndex(crawlId: number, t: TableQuery): NarrowIndex | undefined {
    const c = narrowCandidate(t);
    if (!c) return undefined;
    const n = this.stmt(
      `SELECT count(*) FROM (SELECT 1 FROM pages INDEXED BY ${c.index} WHERE crawl_id = ? AND ${c.where} LIMIT ${NARROW_CAP})`,
    )
      .pluck()
      .get(crawlId, ...c.params) as number;
    return n < NARROW_CAP ? c.index : undefined;
  }

  /** Rows matching the filters, counted up to COUNT_CAP + 1 (so "10,000+" needs no full scan). */
  count(crawlId: number, t: TableQuery): number {
    if (!hasFilters(t)) return this.crawls().find((c) => c.id === crawlId)?.pages ?? 0;
    const { from, params } = tableSql(crawlId, t, undefined, this.hasIndex);
    return this.stmt(`SELECT count(*) FROM (SELECT 1 ${from} LIMIT ${COUNT_CAP + 1})`)
      .pluck()
      .get(...params) as number;
  }

  /** Whether the database can compare crawls (the re-crawl schema: page_pairs and friends). */
  canCompare(): boolean {
    return this.stmt("SELECT count(*) FROM sqlite_master WHERE name = 'page_pairs'").pluck().get() === 1;
  }

  /** The URL's row in every crawl of the database (by crawl id: one indexed lookup each), oldest crawl first. */
  history(url: string): HistoryRow[] {
    const crawls = this.stmt('SELECT id, name FROM crawls ORDER BY id').all() as {
      id: number;
      name: string;
    }[];
    const one = this.stmt(
      `SELECT id, status, fetched_at, error, ${this.canCompare() ? 'unchanged, unchanged_reason' : 'NULL AS unchanged, NULL AS unchanged_reason'}
       FROM pages WHERE crawl_id = ? AND url = ?`,
    );
    const out: HistoryRow[] = [];
    for (const c of crawls) {
      const r = one.get(c.id, url) as Omit<HistoryRow, 'crawl'> | undefined;
      if (r) out.push({ ...r, crawl: c.name });
    }
    return out;
  }

  private comparer: ((a: number, b: number) => Record<string, FieldChange>) | null = null;

  /** Field changes from page a to page b (see store/diff.ts). */
  comparePages(a: number, b: number): Record<string, FieldChange> {
    this.comparer ??= pageComparer(this.db);
    return this.comparer(a, b);
  }

  /** `metacrawl diff` of two crawls. */
  compare(from: string, to: string): CrawlDiff {
    return diffCrawls(this.db, from, to);
  }

  pageId(crawlId: number, url: string): number | null {
    return (
      (this.stmt('SELECT id FROM pages WHERE crawl_id = ? AND url = ?').pluck().get(crawlId, url) as
        | number
        | undefined) ?? null
    );
  }

  page(id: number): PageRow | null {
    return (this.stmt('SELECT * FROM pages WHERE id = ?').get(id) as PageRow | undefined) ?? null;
  }

  crawlName(crawlId: number): string | null {
    return (
      (this.stmt('SELECT name FROM crawls WHERE id = ?').pluck().get(crawlId) as string | undefined) ?? null
    );
  }

  meta(pageId: number): { attr: string; key: string; content: string | null }[] {
    return this.stmt('SELECT attr, key, content FROM meta WHERE page_id = ? ORDER BY position').all(
      pageId,
    ) as {
      attr: string;
      key: string;
      content: string | null;
    }[];
  }

  links(pageId: number): { url: string; text: string; rel: string | null }[] {
    return this.stmt('SELECT url, text, rel FROM links WHERE page_id = ? ORDER BY position').all(pageId) as {
      url: string;
      text: string;
      rel: string | null;
    }[];
  }

  jsonld(pageId: number): { type: string; json: string; valid: number }[] {
    return this.stmt('SELECT type, json, valid FROM jsonld WHERE page_id = ? ORDER BY position').all(
      pageId,
    ) as { type: string; json: string; valid: number }[];
  }

  /** The page's custom rule values (the crawl's `--extract` rules), by rule name then match order. */
  extracts(pageId: number): { rule: string; value: string | null }[] {
    return this.stmt('SELECT rule, value FROM extracts WHERE page_id = ? ORDER BY rule, position').all(
      pageId,
    ) as { rule: string; value: string | null }[];
  }

  /** The page's top-level microdata items, in document order. */
  microdata(pageId: number): { type: string; json: string }[] {
    return this.stmt('SELECT type, json FROM microdata WHERE page_id = ? ORDER BY position').all(pageId) as {
      type: string;
      json: string;
    }[];
  }

  /**
   * Pages of the same crawl whose links point at any of `urls` (the submitted and the final URL), with or
   * without a #fragment, and the first of their anchor texts to it. Null while a large crawl is being written
   * and "who links to X" is far behind (brought up to date at the end of the crawl): finding them would mean
   * reading the links of every page written since.
   */
  linkedFrom(
    crawlId: number,
    urls: string[],
    limit = 200,
  ): { id: number; url: string; title: string | null; text: string }[] | null {
    const unique = [...new Set(urls.filter(Boolean).map((u) => splitFragment(u)[0]))];
    if (unique.length === 0) return [];
    if (this.linksToScan() > SCAN_LINKS_UP_TO_PAGES) return null;
    // The join order is spelled out: target URL, the pages linking to it (link_sources), their rows.
    return this.stmt(
      `SELECT p.id, p.url, p.title,
              (SELECT min(x.text) FROM links x WHERE x.page_id = k.page_id
               AND x.target IN (${unique.map(() => '?').join(', ')})) AS text
       FROM (SELECT DISTINCT page_id FROM link_sources WHERE target IN (${unique.map(() => '?').join(', ')})) k
       CROSS JOIN pages p ON (p.id = k.page_id OR p.content_of = k.page_id)
       WHERE p.crawl_id = ?
       GROUP BY p.id ORDER BY p.url LIMIT ?`,
    ).all(...unique, ...unique, crawlId, limit) as {
      id: number;
      url: string;
      title: string | null;
      text: string;
    }[];
  }

  /** Pages whose links a "linked from" lookup reads one by one: all without `urls_url`, else those after link_targets. */
  private linksToScan(): number {
    const last = (this.stmt('SELECT max(id) FROM pages').pluck().get() as number | null) ?? 0;
    if (
      this.stmt("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'urls_url'")
        .pluck()
        .get() === 0
    )
      return last;
    const upto = this.stmt('SELECT max(page_id) FROM link_targets_upto').pluck().get() as number;
    return last - upto;
  }
}

function bucketLabel(from: number, to: number | null): string {
  if (to === null) return `≥ ${from / 1000} s`;
  if (from === 0) return `< ${to} ms`;
  return to >= 1000 ? `${from / 1000}–${to / 1000} s` : `${from}–${to}`;
}
