/**
 * Writes batches of PageRecords into SQLite: one transaction per batch, statements prepared once,
 * pages upserted by (crawl, url) with their meta/links/jsonld children replaced, so a replayed batch
 * is harmless. Link URLs, meta names and short texts are interned (see intern.ts); once the writer has
 * stored many pages it drops the deferred indexes (indexes.ts), which the end of a crawl builds again.
 *
 * Conflict rule: the latest record for a (crawl, url) wins, EXCEPT that a failure (error not null)
 * never replaces an earlier success; such a record is counted as `skipped`.
 */
import type { Statement } from 'better-sqlite3';
import type { PageRecord } from '../types.js';
import { CustomRowsWriter } from './custom-rows.js';
import type { Db } from './db.js';
import { DEFERRED_INDEXES, hasIndex, refreshStatistics } from './indexes.js';
import { Dictionaries, splitFragment } from './intern.js';
import { jsonldRows, jsonldTypes, linkRows, metaRows, PAGE_COLUMNS, pageValues } from './rows.js';

/** Net change a batch made to one crawl's rows; applying it to counts read from the DB keeps them exact. */
export interface CrawlDelta {
  /** Rows new to the database. */
  inserted: number;
  /** Existing rows rewritten (replays, refetches, a success replacing a failure). */
  updated: number;
  /** Records ignored because they were failures for a URL that already succeeded. */
  skipped: number;
  /** Net change in rows with an error: +1 per new failure row, -1 per failure replaced by a success. */
  failed: number;
  /** Net change in rows per error code (codes with a zero net change are left out). */
  byError: Record<string, number>;
}

export interface BatchResult extends CrawlDelta {
  byCrawl: Record<string, CrawlDelta>;
}

type Value = string | number | null;

/** Rows per multi-row INSERT: one statement for most pages' links, well under SQLite's variable limit. */
const CHUNK = 256;

/**
 * Pages a writer stores with the deferred indexes kept up to date before it drops them: a small crawl keeps
 * them (nothing to rebuild), a large one is not slowed by them. At least a tenth of the pages already in the
 * database, so rebuilds cost a bounded share of the writes however often a writer starts.
 */
export const DEFER_INDEXES_AFTER = 2_000;

export interface PageWriterOptions {
  /** Overrides DEFER_INDEXES_AFTER (and the tenth of the database); Infinity never drops them. */
  deferIndexesAfter?: number;
}

/**
 * A multi-row `INSERT INTO table (page_id, position, ...cols)`, one prepared statement per row count. The page
 * id and the first position are bound once per statement (named), the positions are literal offsets from it.
 */
class ChildInsert {
  private readonly stmts = new Map<number, Statement>();

  constructor(
    private readonly db: Db,
    private readonly table: string,
    private readonly cols: string[],
  ) {}

  private stmt(rows: number): Statement {
    let s = this.stmts.get(rows);
    if (!s) {
      const rest = new Array(this.cols.length).fill('?').join(',');
      const tuples = Array.from({ length: rows }, (_, k) => `(@page,@first+${k},${rest})`);
      // OR FAIL (same outcome here: any error rolls back the whole batch) spares a statement journal.
      const sql = `INSERT OR FAIL INTO ${this.table} (page_id, position, ${this.cols.join(', ')}) VALUES ${tuples.join(',')}`;
      s = this.db.prepare(sql);
      this.stmts.set(rows, s);
    }
    return s;
  }

  /** `values`: the rows' columns (after page_id and position), row after row. */
  run(pageId: number, values: Value[]): void {
    const width = this.cols.length;
    const rows = values.length / width;
    for (let first = 0; first < rows; first += CHUNK) {
      const n = Math.min(CHUNK, rows - first);
      const part = n === rows ? values : values.slice(first * width, (first + n) * width);
      this.stmt(n).run({ page: pageId, first }, part);
    }
  }
}

function emptyDelta(): CrawlDelta {
  return { inserted: 0, updated: 0, skipped: 0, failed: 0, byError: {} };
}

function bump(map: Record<string, number>, key: string, by: number): void {
  const v = (map[key] ?? 0) + by;
  if (v === 0) delete map[key];
  else map[key] = v;
}

export class PageWriter {
  private readonly crawlIds = new Map<string, number>();
  private readonly insertCrawl: Statement;
  private readonly selectCrawl: Statement;
  private readonly updateSettings: Statement;
  private readonly selectPage: Statement;
  private readonly upsertPage: Statement;
  private readonly deleteChildren: Statement[];
  private readonly meta: ChildInsert;
  private readonly links: ChildInsert;
  private readonly jsonld: ChildInsert;
  private readonly insertType: Statement;
  private readonly demoteJsonld: Statement;
  private readonly addInvalid: Statement;
  /** Custom rule values and microdata items (custom-rows.ts). */
  private readonly custom: CustomRowsWriter;
  private readonly batch: (records: PageRecord[]) => BatchResult;
  private readonly dict: Dictionaries;
  private readonly deferAfterOption: number | undefined;
  private deferAfter = 0;
  /** Pages stored by this writer (replays included): what decides when indexes are deferred. */
  private written = 0;
  /** Pages in the database when this writer started (its largest page id). */
  private pagesAtStart = 0;
  /** The planner's statistics are refreshed each time the database has grown tenfold. */
  private analyzeAt = 0;

  constructor(
    private readonly db: Db,
    opts: PageWriterOptions = {},
  ) {
    this.insertCrawl = db.prepare(
      'INSERT INTO crawls (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING',
    );
    this.selectCrawl = db.prepare('SELECT id FROM crawls WHERE name = ?').pluck();
    this.updateSettings = db.prepare('UPDATE crawls SET settings = ? WHERE id = ?');
    this.selectPage = db.prepare('SELECT id, error FROM pages WHERE crawl_id = ? AND url = ?');
    const cols = ['crawl_id', 'stored_at', ...PAGE_COLUMNS];
    const set = cols.filter((c) => c !== 'crawl_id' && c !== 'url').map((c) => `${c} = excluded.${c}`);
    this.upsertPage = db
      .prepare(
        `INSERT INTO pages (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})
         ON CONFLICT (crawl_id, url) DO UPDATE SET ${set.join(', ')}
         WHERE excluded.error IS NULL OR pages.error IS NOT NULL
         RETURNING id`,
      )
      .pluck();
    this.deleteChildren = ['meta_rows', 'link_rows', 'jsonld', 'page_jsonld_types'].map((t) =>
      db.prepare(`DELETE FROM ${t} WHERE page_id = ?`),
    );
    this.meta = new ChildInsert(db, 'meta_rows', ['name_id', 'content_id']);
    this.links = new ChildInsert(db, 'link_rows', ['url_id', 'fragment', 'text_id', 'rel']);
    this.jsonld = new ChildInsert(db, 'jsonld', ['type', 'json', 'valid', 'raw']);
    this.insertType = db.prepare('INSERT OR IGNORE INTO page_jsonld_types (page_id, type) VALUES (?, ?)');
    this.demoteJsonld = db.prepare(
      'UPDATE jsonld SET valid = 0 WHERE page_id = ? AND valid = 1 AND NOT json_valid(json)',
    );
    this.addInvalid = db.prepare('UPDATE pages SET jsonld_invalid = jsonld_invalid + ? WHERE id = ?');
    this.batch = db.transaction((records: PageRecord[]) => this.writeAll(records));
    this.dict = new Dictionaries(db);
    this.custom = new CustomRowsWriter(db);
    this.deferAfterOption = opts.deferIndexesAfter;
    this.restartSession();
  }

  /** Counts writes afresh, as a new writer would: after the deferred indexes were built again. */
  restartSession(): void {
    this.pagesAtStart = (this.db.prepare('SELECT max(id) FROM pages').pluck().get() as number | null) ?? 0;
    this.written = 0;
    this.deferAfter =
      this.deferAfterOption ?? Math.max(DEFER_INDEXES_AFTER, Math.ceil(this.pagesAtStart / 10));
    this.analyzeAt = Math.max(1_000, this.pagesAtStart * 10);
  }

  /** Writes the batch in one transaction (all or nothing) and reports what changed. */
  writeBatch(records: PageRecord[]): BatchResult {
    // Crawl ids are trusted for one batch only: a crawl deleted meanwhile is simply created again.
    this.crawlIds.clear();
    // Every child row references the page id the upsert just returned, so per-row foreign key checks
    // are pure cost (~20% of the write time). The pragma is per connection and restored right after.
    const fk = this.db.pragma('foreign_keys', { simple: true }) as number;
    if (fk) this.db.pragma('foreign_keys = OFF');
    try {
      return this.batch(records);
    } catch (err) {
      // Rolled back: the ids of values first stored in this batch no longer exist.
      this.dict.clear();
      throw err;
    } finally {
      if (fk) this.db.pragma('foreign_keys = ON');
    }
  }

  /** Records a crawl's settings (JSON text), creating the crawl row when needed. */
  setCrawlSettings(crawl: string, settingsJson: string): void {
    this.crawlIds.clear();
    this.db.transaction(() => this.updateSettings.run(settingsJson, this.crawlId(crawl)))();
  }

  private crawlId(name: string): number {
    let id = this.crawlIds.get(name);
    if (id === undefined) {
      this.insertCrawl.run(name, new Date().toISOString());
      id = this.selectCrawl.get(name) as number;
      this.crawlIds.set(name, id);
    }
    return id;
  }

  private writeAll(records: PageRecord[]): BatchResult {
    this.written += records.length;
    if (this.written > this.deferAfter) {
      for (const idx of DEFERRED_INDEXES)
        if (hasIndex(this.db, idx.name)) this.db.exec(`DROP INDEX ${idx.name}`);
    }
    // Without its index, a lookup in `urls` would read the whole table.
    this.dict.lookupUrls = hasIndex(this.db, 'urls_url');
    // Sampled (milliseconds): queries during a long first crawl get sensible join orders too.
    if (this.pagesAtStart + this.written >= this.analyzeAt) {
      refreshStatistics(this.db);
      this.analyzeAt = (this.pagesAtStart + this.written) * 10;
    }
    const total: BatchResult = { ...emptyDelta(), byCrawl: {} };
    const storedAt = new Date().toISOString();
    for (const r of records) {
      const delta = (total.byCrawl[r.crawl] ??= emptyDelta());
      const outcome = this.writeOne(r, storedAt, delta);
      total[outcome]++;
    }
    for (const d of Object.values(total.byCrawl)) {
      total.failed += d.failed;
      for (const [code, n] of Object.entries(d.byError)) bump(total.byError, code, n);
    }
    return total;
  }

  private writeOne(r: PageRecord, storedAt: string, delta: CrawlDelta): 'inserted' | 'updated' | 'skipped' {
    const crawlId = this.crawlId(r.crawl);
    const before = this.selectPage.get(crawlId, r.url) as { id: number; error: string | null } | undefined;
    const pageId = this.upsertPage.get(crawlId, storedAt, ...pageValues(r)) as number | undefined;
    if (pageId === undefined) {
      delta.skipped++;
      return 'skipped';
    }
    const error = r.error ?? null;
    if (before) {
      for (const del of this.deleteChildren) del.run(pageId);
      if (before.error !== null) {
        delta.failed--;
        bump(delta.byError, before.error, -1);
      }
    }
    if (error !== null) {
      delta.failed++;
      bump(delta.byError, error, 1);
    }
    if (r.meta) {
      const d = this.dict;
      const meta: Value[] = [];
      for (const [attr, key, content] of metaRows(r))
        meta.push(d.name(attr, key), content === null ? null : d.strings.id(content));
      this.meta.run(pageId, meta);
      const links: Value[] = [];
      for (const [url, text, rel] of linkRows(r)) {
        const [target, fragment] = splitFragment(url);
        links.push(d.urls.id(target), fragment, d.strings.id(text), rel);
      }
      this.links.run(pageId, links);
      const jsonld = jsonldRows(r);
      this.jsonld.run(pageId, jsonld.flat());
      if (jsonld.some((row) => row[2] === 1)) this.checkJsonld(pageId);
      for (const t of jsonldTypes(r)) this.insertType.run(pageId, t);
    }
    this.custom.write(pageId, r, before !== undefined);
    if (before) {
      delta.updated++;
      return 'updated';
    }
    delta.inserted++;
    return 'inserted';
  }

  /** `valid = 1` promises `json_valid(json)`, whatever produced the record (an older worker kept wrappers). */
  private checkJsonld(pageId: number): void {
    const demoted = this.demoteJsonld.run(pageId).changes;
    if (demoted > 0) this.addInvalid.run(demoted, pageId);
  }
}
