/**
 * Query-time indexes the writer may leave off while it stores many pages and build once at the end: an index
 * whose inserts land all over its B-tree makes every page cost more as the database grows, while building it
 * from scratch is one sort. Queries answer the same rows without it, only slower.
 *
 * Three of them: `urls_url` (a link URL's ids), a plain index dropped and created again; the explorer's page
 * lists (PAGE_LIST_INDEXES: the indexes of `pages` keyed on its URL, title or host, whose keys arrive in no
 * order), dropped and created again; and `link_targets` ("who links to X", migrations/011_packed.sql), a table
 * that covers the pages up to `link_targets_upto` and is brought up to date by adding the pages written since
 * (read through the `link_sources` view, which scans those pages' link lists meanwhile, so a query during a
 * crawl answers the same rows).
 * The indexes of `pages` keyed on what grows with the crawl or takes few values (crawl and error, fetch time,
 * status, elapsed time; the small partial ones) are kept: their inserts append, and the progress line, the
 * explorer's crawl list and its narrow filters read them during a crawl. So is `pages_crawl_doc` (by document
 * URL): the audit's `audit_pages` looks a redirected row's document up in it, and without it would read the crawl
 * once per redirected row.
 */
import type { Statement } from 'better-sqlite3';
import { AUDIT_COUNTS_MIN_PAGES, storeAuditCounts } from './audit.js';
import type { Db } from './db.js';

export interface DeferredIndex {
  name: string;
  /** What the index serves, as said in progress output. */
  what: string;
  /** Whether it lacks something (absent, or behind the pages written). */
  missing(db: Db): boolean;
  /** Builds it or brings it up to date. */
  build(db: Db): void;
  /** What the writer does when it defers it (nothing for link_targets: it simply stops advancing it). */
  drop?(db: Db): void;
}

/** The URL id of a link list element `j` (json_each): see link_lists in migrations/011_packed.sql. */
export const LINK_URL_ID =
  "CASE WHEN j.type = 'integer' THEN j.value >> 27 ELSE json_extract(j.value, '$[0]') END";

/**
 * The entries of every page after the watermark (the distinct targets of its link list), in key order: GROUP BY
 * sorts (DISTINCT would not), so the B-tree is appended to rather than split all over.
 */
const ADVANCE_LINK_TARGETS = `INSERT OR IGNORE INTO link_targets (url_id, page_id)
  SELECT ${LINK_URL_ID}, l.page_id
  FROM link_lists l JOIN json_each(l.links) j
  WHERE l.page_id > (SELECT max(page_id) FROM link_targets_upto)
  GROUP BY 1, 2`;

/**
 * The same rows unsorted, for a small database: while link_targets fits in the page cache many times over
 * (~100 entries of ~15 bytes per page: 10,000 pages ≈ 15 MB, the cache is 64 MB), inserting in page order costs
 * less than sorting first (5,000 pages: 0.36 s instead of 0.45 s). INSERT OR IGNORE drops the repeats.
 */
const ADVANCE_LINK_TARGETS_UNSORTED = `INSERT OR IGNORE INTO link_targets (url_id, page_id)
  SELECT ${LINK_URL_ID}, l.page_id
  FROM link_lists l JOIN json_each(l.links) j
  WHERE l.page_id > (SELECT max(page_id) FROM link_targets_upto)`;

/** Up to this many pages in the database, link_targets is brought up to date unsorted (above). */
export const UNSORTED_ADVANCE_MAX_PAGES = 10_000;

const LAST_PAGE = 'SELECT max(id) FROM pages';
const UPTO = 'SELECT max(page_id) FROM link_targets_upto';
const SET_UPTO = 'UPDATE link_targets_upto SET page_id = ?';

/**
 * Adds the link targets of every page written since link_targets was last brought up to date, and moves its
 * watermark to the last page. Pages are only ever added after the largest id, so each page is added once.
 * Sorted or not (default: by the database's size), the rows are the same.
 */
export function advanceLinkTargets(db: Db, sorted?: boolean): void {
  const lastPage = db.prepare(LAST_PAGE).pluck();
  const small = ((lastPage.get() as number | null) ?? 0) <= UNSORTED_ADVANCE_MAX_PAGES;
  sorted ??= !small;
  advance(
    lastPage,
    db.prepare(UPTO).pluck(),
    db.prepare(sorted ? ADVANCE_LINK_TARGETS : ADVANCE_LINK_TARGETS_UNSORTED),
    db.prepare(SET_UPTO),
  );
}

function advance(lastPage: Statement, readUpto: Statement, add: Statement, setUpto: Statement): void {
  const last = (lastPage.get() as number | null) ?? 0;
  const upto = readUpto.get() as number;
  if (last <= upto) return;
  add.run();
  setUpto.run(last);
}

export function linkTargetsBehind(db: Db): boolean {
  return (
    db
      .prepare(
        'SELECT 1 FROM link_lists WHERE page_id > (SELECT max(page_id) FROM link_targets_upto) LIMIT 1',
      )
      .get() !== undefined
  );
}

/**
 * The indexes of `pages` a writer leaves off (as migration 003 creates them): a page's URL, title and host land
 * anywhere in them, so each insert reads and dirties a leaf of its own. Without them the explorer's host chart,
 * "lacks a field" filters and title order (and the audit's duplicate titles) read and sort the crawl's rows
 * instead: the same rows, slower, never a scan per row. The explorer writes `INDEXED BY` only for an index that
 * exists (serve/reader.ts).
 */
export const PAGE_LIST_INDEXES: Readonly<Record<string, string>> = {
  pages_crawl_host: 'pages (crawl_id, host, url)',
  pages_crawl_title: 'pages (crawl_id, title)',
  pages_lacks_title: 'pages (crawl_id, url) WHERE error IS NULL AND title IS NULL',
  pages_lacks_description: 'pages (crawl_id, url) WHERE error IS NULL AND description IS NULL',
  pages_lacks_og_title: 'pages (crawl_id, url) WHERE error IS NULL AND og_title IS NULL',
  pages_lacks_og_image: 'pages (crawl_id, url) WHERE error IS NULL AND og_image IS NULL',
  pages_lacks_twitter_card: 'pages (crawl_id, url) WHERE error IS NULL AND twitter_card IS NULL',
  pages_lacks_canonical: 'pages (crawl_id, url) WHERE error IS NULL AND canonical IS NULL',
  pages_lacks_jsonld: 'pages (crawl_id, url) WHERE error IS NULL AND jsonld_count = 0',
  pages_noindex: "pages (crawl_id, url) WHERE error IS NULL AND instr(lower(robots), 'noindex') > 0",
};

const PAGE_LIST_NAMES = Object.keys(PAGE_LIST_INDEXES);

/** A row per index of PAGE_LIST_INDEXES that exists. */
export const PAGE_LISTS_PRESENT = `SELECT name FROM sqlite_master WHERE type = 'index' AND name IN (${PAGE_LIST_NAMES.map((n) => `'${n}'`).join(', ')})`;

export const DEFERRED_INDEXES: readonly DeferredIndex[] = [
  {
    name: 'urls_url',
    what: 'link target URLs',
    missing: (db) => !hasIndex(db, 'urls_url'),
    build: (db) => db.exec('CREATE INDEX IF NOT EXISTS urls_url ON urls (url)'),
    drop: (db) => db.exec('DROP INDEX IF EXISTS urls_url'),
  },
  {
    name: 'link_targets',
    what: 'links by target URL',
    missing: linkTargetsBehind,
    build: (db) => db.transaction(() => advanceLinkTargets(db)).immediate(),
  },
  {
    name: 'page_lists',
    what: 'pages by host, title and missing field',
    missing: (db) => db.prepare(PAGE_LISTS_PRESENT).all().length < PAGE_LIST_NAMES.length,
    build: (db) => {
      for (const [name, on] of Object.entries(PAGE_LIST_INDEXES))
        db.exec(`CREATE INDEX IF NOT EXISTS ${name} ON ${on}`);
    },
    drop: (db) => {
      for (const name of PAGE_LIST_NAMES) db.exec(`DROP INDEX IF EXISTS ${name}`);
    },
  },
];

/**
 * Keeps link_targets exact for the pages it covers when the writer rewrites one of them: the page's entries
 * are deleted with its old link list (`forget`) and made again from the new one once the batch's
 * dictionary rows are stored (`finishBatch`). Pages after the watermark have no entries to keep.
 */
export class LinkTargets {
  private upto = 0;
  /** Whether it covered every page when the batch began: then the writer may keep it so, cheaply. */
  current = false;
  private readonly lastPage: Statement;
  private rewritten: number[] = [];
  private readonly readUpto: Statement;
  private readonly remove: Statement;
  private readonly add: Statement;
  private readonly addSince: Statement;
  private readonly setUpto: Statement;

  constructor(db: Db) {
    this.readUpto = db.prepare(UPTO).pluck();
    this.lastPage = db.prepare(LAST_PAGE).pluck();
    this.addSince = db.prepare(ADVANCE_LINK_TARGETS);
    this.setUpto = db.prepare(SET_UPTO);
    this.remove = db.prepare(
      `DELETE FROM link_targets WHERE page_id = @page AND url_id IN (
         SELECT ${LINK_URL_ID} FROM link_lists l JOIN json_each(l.links) j WHERE l.page_id = @page)`,
    );
    this.add = db.prepare(
      `INSERT OR IGNORE INTO link_targets (url_id, page_id)
       SELECT DISTINCT ${LINK_URL_ID}, l.page_id FROM link_lists l JOIN json_each(l.links) j WHERE l.page_id = ?`,
    );
  }

  /** Call at the start of a write transaction. */
  begin(): void {
    this.upto = (this.readUpto.get() as number | null) ?? 0;
    this.current = this.upto >= ((this.lastPage.get() as number | null) ?? 0);
    this.rewritten = [];
  }

  /** Before a page's link list is deleted (the page is being rewritten). */
  forget(pageId: number): void {
    if (pageId > this.upto) return;
    this.remove.run({ page: pageId });
    this.rewritten.push(pageId);
  }

  /** advanceLinkTargets with the statements prepared once (a small crawl's writer runs it every batch). */
  advance(): void {
    advance(this.lastPage, this.readUpto, this.addSince, this.setUpto);
  }

  /** After the batch's dictionary rows are stored: the rewritten pages' entries, from their new link lists. */
  finishBatch(): void {
    for (const id of this.rewritten) this.add.run(id);
    this.rewritten = [];
  }
}

/** A row when the index named by the parameter exists. */
export const INDEX_EXISTS = "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?";

export function hasIndex(db: Db, name: string): boolean {
  return db.prepare(INDEX_EXISTS).get(name) !== undefined;
}

export function missingIndexes(db: Db): DeferredIndex[] {
  return DEFERRED_INDEXES.filter((i) => i.missing(db));
}

export interface IndexBuild {
  name: string;
  what: string;
  /** Pages in the database when it was built (a free measure of its size). */
  pages: number;
  ms: number;
}

/**
 * What the end of a crawl (or an idle writer) does: builds every deferred index that is missing, telling
 * `report` before and after each (a build over millions of rows takes a while), then refreshes the query
 * planner's statistics. Returns what it built.
 * When it built something, it also stores the audit checks' counts of the crawls of at least
 * `auditCountsMinPages` pages (audit.ts storeAuditCounts, AUDIT_COUNTS_MIN_PAGES).
 */
export function finishWrites(
  db: Db,
  report: (message: string) => void = () => {},
  auditCountsMinPages = AUDIT_COUNTS_MIN_PAGES,
): IndexBuild[] {
  const built = buildMissingIndexes(db, report);
  refreshStatistics(db);
  // After a session that wrote enough to defer indexes: a trickle of pages does not recount a large crawl.
  if (built.length > 0) storeAuditCounts(db, report, auditCountsMinPages);
  return built;
}

/**
 * The views join tables of very different sizes, and the planner picks the join order from their sizes.
 * Sampling ~1,000 rows per index keeps this to milliseconds on a database of any size.
 */
export function refreshStatistics(db: Db): void {
  db.pragma('analysis_limit = 1000');
  db.exec('ANALYZE');
}

export function buildMissingIndexes(db: Db, report: (message: string) => void = () => {}): IndexBuild[] {
  const built: IndexBuild[] = [];
  for (const idx of missingIndexes(db)) {
    // The largest page id costs nothing to read, where counting the rows is a scan of the table.
    const pages = (db.prepare('SELECT max(id) FROM pages').pluck().get() as number | null) ?? 0;
    report(`indexing ${idx.what} (${pages.toLocaleString('en-US')} pages)…`);
    const started = performance.now();
    const temp = db.pragma('temp_store', { simple: true }) as number;
    // The sort behind CREATE INDEX spills to temporary files; in memory it could take gigabytes.
    db.pragma('temp_store = FILE');
    try {
      idx.build(db);
    } finally {
      db.pragma(`temp_store = ${temp}`);
    }
    const ms = Math.round(performance.now() - started);
    report(`indexing ${idx.what}: done in ${(ms / 1000).toFixed(1)} s`);
    built.push({ name: idx.name, what: idx.what, pages, ms });
  }
  return built;
}
