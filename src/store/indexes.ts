/**
 * Query-time indexes the writer may leave off while it stores many pages and build once at the end: an index
 * whose inserts land all over its B-tree makes every page cost more as the database grows, while building it
 * from scratch is one sort. Queries answer the same rows without it, only slower.
 */
import type { Db } from './db.js';

export interface DeferredIndex {
  name: string;
  table: string;
  /** What the index serves, as said in progress output. */
  what: string;
  sql: string;
}

export const DEFERRED_INDEXES: readonly DeferredIndex[] = [
  {
    name: 'urls_url',
    table: 'urls',
    what: 'link target URLs',
    sql: 'CREATE INDEX IF NOT EXISTS urls_url ON urls (url)',
  },
  {
    name: 'link_rows_target',
    table: 'link_rows',
    what: 'links by target URL',
    sql: 'CREATE INDEX IF NOT EXISTS link_rows_target ON link_rows (url_id)',
  },
];

export function hasIndex(db: Db, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?").get(name) !== undefined;
}

export function missingIndexes(db: Db): DeferredIndex[] {
  return DEFERRED_INDEXES.filter((i) => !hasIndex(db, i.name));
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
 */
export function finishWrites(db: Db, report: (message: string) => void = () => {}): IndexBuild[] {
  const built = buildMissingIndexes(db, report);
  refreshStatistics(db);
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
      db.exec(idx.sql);
    } finally {
      db.pragma(`temp_store = ${temp}`);
    }
    const ms = Math.round(performance.now() - started);
    report(`indexing ${idx.what}: done in ${(ms / 1000).toFixed(1)} s`);
    built.push({ name: idx.name, what: idx.what, pages, ms });
  }
  return built;
}
