/**
 * Writes batches of PageRecords into SQLite: one transaction per batch, statements prepared once,
 * pages upserted by (crawl, url) with their meta/links/jsonld children replaced, so a replayed batch
 * is harmless. Link URLs, meta names and short texts are interned (see intern.ts); once the writer has
 * stored many pages it drops the deferred indexes (indexes.ts), which the end of a crawl builds again.
 *
 * Conflict rule: the latest record for a (crawl, url) wins, EXCEPT that a failure (error not null)
 * never replaces an earlier success; such a record is counted as `skipped`.
 */
import type { Statement, Transaction } from 'better-sqlite3';
import type { PageMetadata, PageRecord } from '../types.js';
import { ArchiveDirs } from './archive-dirs.js';
import { CustomRowsWriter } from './custom-rows.js';
import type { Db } from './db.js';
import {
  DEFERRED_INDEXES,
  INDEX_EXISTS,
  LinkTargets,
  PAGE_LISTS_PRESENT,
  refreshStatistics,
} from './indexes.js';
import { Dictionaries } from './intern.js';
import { arr, jsonldRows, jsonldTypes, PAGE_COLUMNS, pageValues, str } from './rows.js';
import { SinceLinker } from './since.js';

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

/**
 * A record the writer makes only when it reaches it in its batch (consumer.ts: a stream entry parsed then, so
 * its objects die young); null when it is not a usable record, which is then left out of the batch.
 */
export interface DeferredRecord {
  read(): PageRecord | null;
}

export type BatchItem = PageRecord | DeferredRecord;

/** The item's record (a record parsed from JSON may have any key, but never a function). */
export function recordOf(item: BatchItem): PageRecord | null {
  return typeof (item as DeferredRecord).read === 'function'
    ? (item as DeferredRecord).read()
    : (item as PageRecord);
}

type Value = string | number | null;

/** A link list element packs url_id * LINK_TEXT_LIMIT + text_id while both are below their limits (< 2^53). */
const LINK_TEXT_LIMIT = 2 ** 27;
const LINK_URL_LIMIT = 2 ** 26;

/** Where `error` is among the page values. */
const ERROR = PAGE_COLUMNS.indexOf('error');

/** Rows per multi-row INSERT: one statement for most pages' links, well under SQLite's variable limit. */
const CHUNK = 256;

/**
 * Pages a writer stores with the deferred indexes kept up to date before it drops them: a small crawl keeps
 * them (nothing to rebuild), a larger one is not slowed by them. At least a tenth of the pages already in the
 * database, so rebuilds cost a bounded share of the writes however often a writer starts.
 * Kept up to date, they cost ~0.2 ms more per page (link_targets alone ~0.1); built at the end, ~0.07: 500
 * rather than 2,000 made 2,000 farm pages ~15-25% less CPU in all (writes and end-of-crawl build), 5,000 ~6-10%.
 */
export const DEFER_INDEXES_AFTER = 500;

export interface PageWriterOptions {
  /** Overrides DEFER_INDEXES_AFTER (and the tenth of the database); Infinity never drops them. */
  deferIndexesAfter?: number;
}

/**
 * A multi-row `INSERT INTO table (page_id, position, ...cols)`, one prepared statement per row count, every
 * value positional (better-sqlite3 reads a named one from an object: ~1 µs more per statement).
 */
class ChildInsert {
  private readonly stmts = new Map<number, Statement>();
  /** The statement's values, reused from call to call. */
  private readonly row: Value[] = [];

  constructor(
    private readonly db: Db,
    private readonly table: string,
    private readonly cols: string[],
    /** Whether the table has a `position` column (document order). */
    private readonly positions = true,
  ) {}

  private stmt(rows: number): Statement {
    let s = this.stmts.get(rows);
    if (!s) {
      const pos = this.positions ? ['position'] : [];
      const all = ['page_id', ...pos, ...this.cols];
      const tuple = `(${new Array(all.length).fill('?').join(',')})`;
      // OR FAIL (same outcome here: any error rolls back the whole batch) spares a statement journal.
      const sql = `INSERT OR FAIL INTO ${this.table} (${all.join(', ')}) VALUES ${new Array(rows).fill(tuple).join(',')}`;
      s = this.db.prepare(sql);
      this.stmts.set(rows, s);
    }
    return s;
  }

  /** `values`: the rows' columns (after page_id and position), row after row. */
  run(pageId: number, values: Value[]): void {
    const width = this.cols.length;
    const rows = values.length / width;
    if (rows === 0) return;
    const row = this.row;
    for (let first = 0; first < rows; first += CHUNK) {
      const n = Math.min(CHUNK, rows - first);
      row.length = 0;
      for (let k = first; k < first + n; k++) {
        row.push(pageId);
        if (this.positions) row.push(k);
        for (let c = 0; c < width; c++) row.push(values[k * width + c]);
      }
      this.stmt(n).run(row);
    }
    row.length = 0;
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
  private readonly insertPage: Statement;
  private readonly updatePage: Statement;
  private readonly deleteChildren: Statement[];
  private readonly insertMetaList: Statement;
  private readonly insertLinkList: Statement;
  /** The ids of one meta or link list, reused from page to page. */
  private readonly list: Array<number | Array<number | null>> = [];
  /** "Who links to X" (link_targets), kept exact for the pages it covers. */
  private readonly targets: LinkTargets;
  /** Whether the deferred index urls_url exists. */
  private readonly urlIndex: Statement;
  /** Whether an index of the explorer's page lists exists (indexes.ts PAGE_LIST_INDEXES). */
  private readonly pageLists: Statement;
  private readonly jsonValid: Statement;
  private readonly insertJsonld: Statement;
  private readonly types: ChildInsert;
  private readonly addInvalid: Statement;
  /** Per-batch `pages_version` bump (migrations/013_batch_version.sql): the marker, the bump, the marker's end. */
  private readonly deferVersion: Statement;
  private readonly bumpVersion: Statement;
  private readonly endDeferVersion: Statement;
  /** Custom rule values and microdata items (custom-rows.ts). */
  private readonly custom: CustomRowsWriter;
  /** The archive directories of each crawl (crawl_archives). */
  private readonly archiveDirs: ArchiveDirs;
  private readonly batch: Transaction<(records: readonly BatchItem[]) => BatchResult>;
  private readonly dict: Dictionaries;
  private readonly since: SinceLinker;
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
    // Every row the writer stores references a row it has just stored or read (a page's children its page, a
    // meta tag its name and content), and nothing it runs deletes a parent, so foreign key checks are pure
    // cost (~20% of the write time). Off for the connection's life, before any statement is prepared: toggled
    // per batch, the pragma expired every prepared statement and each batch compiled again all it ran.
    db.pragma('foreign_keys = OFF');
    this.insertCrawl = db.prepare(
      'INSERT INTO crawls (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING',
    );
    this.selectCrawl = db.prepare('SELECT id FROM crawls WHERE name = ?').pluck();
    this.updateSettings = db.prepare('UPDATE crawls SET settings = ? WHERE id = ?');
    this.selectPage = db.prepare('SELECT id, error FROM pages WHERE crawl_id = ? AND url = ?');
    const cols = ['crawl_id', 'stored_at', ...PAGE_COLUMNS];
    // A new page (the common case) is one statement; an existing one is read, then updated or left alone.
    this.insertPage = db
      .prepare(
        `INSERT INTO pages (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})
         ON CONFLICT (crawl_id, url) DO NOTHING RETURNING id`,
      )
      .pluck();
    const set = cols.filter((c) => c !== 'crawl_id' && c !== 'url').map((c) => `${c} = ?`);
    this.updatePage = db.prepare(`UPDATE pages SET ${set.join(', ')} WHERE id = ?`);
    this.deleteChildren = ['meta_lists', 'link_lists', 'jsonld_rows', 'jsonld_type_rows'].map((t) =>
      db.prepare(`DELETE FROM ${t} WHERE page_id = ?`),
    );
    this.insertMetaList = db.prepare('INSERT OR FAIL INTO meta_lists (page_id, tags) VALUES (?, ?)');
    this.insertLinkList = db.prepare('INSERT OR FAIL INTO link_lists (page_id, links) VALUES (?, ?)');
    this.targets = new LinkTargets(db);
    this.urlIndex = db.prepare(INDEX_EXISTS).bind('urls_url');
    this.pageLists = db.prepare(PAGE_LISTS_PRESENT);
    // `valid = 1` promises `json_valid(json)`, whatever produced the record (an older worker kept wrappers): asked
    // before the insert (RETURNING the stored value cost ~7 µs a block, named parameters ~2.5 µs more).
    this.jsonValid = db.prepare('SELECT json_valid(?)').pluck();
    this.insertJsonld = db.prepare(
      'INSERT OR FAIL INTO jsonld_rows (page_id, position, type, json, valid, raw) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.types = new ChildInsert(db, 'jsonld_type_rows', ['type'], false);
    this.addInvalid = db.prepare('UPDATE pages SET jsonld_invalid = jsonld_invalid + ? WHERE id = ?');
    this.deferVersion = db.prepare('INSERT OR IGNORE INTO pages_version_deferred (id) VALUES (1)');
    this.bumpVersion = db.prepare('UPDATE crawls SET pages_version = pages_version + ? WHERE id = ?');
    this.endDeferVersion = db.prepare('DELETE FROM pages_version_deferred');
    this.batch = db.transaction((records: readonly BatchItem[]) => this.writeAll(records));
    this.dict = new Dictionaries(db);
    this.since = new SinceLinker(db);
    this.custom = new CustomRowsWriter(db);
    this.archiveDirs = new ArchiveDirs(db);
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
  writeBatch(records: readonly BatchItem[]): BatchResult {
    // Crawl ids are trusted for one batch only: a crawl deleted meanwhile is simply created again.
    this.crawlIds.clear();
    this.since.newBatch();
    try {
      // IMMEDIATE: the write lock from the start, so the dictionaries' next ids (read first) stay right.
      return this.batch.immediate(records);
    } catch (err) {
      // Rolled back: the ids of values first stored in this batch no longer exist.
      this.dict.clear();
      this.archiveDirs.clear();
      throw err;
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

  private writeAll(records: readonly BatchItem[]): BatchResult {
    this.written += records.length;
    // Read through a statement prepared once (as everything a batch runs): no SQL compiled per batch.
    let urlIndex = this.urlIndex.get() !== undefined;
    if (this.written > this.deferAfter && (urlIndex || this.pageLists.get() !== undefined)) {
      // urls_url and the page lists are dropped (link_targets is merely left behind).
      for (const idx of DEFERRED_INDEXES) idx.drop?.(this.db);
      urlIndex = false;
    }
    // Without its index, a lookup in `urls` would read the whole table.
    this.dict.lookupUrls = urlIndex;
    // Sampled (milliseconds): queries during a long first crawl get sensible join orders too.
    if (this.pagesAtStart + this.written >= this.analyzeAt) {
      refreshStatistics(this.db);
      this.analyzeAt = (this.pagesAtStart + this.written) * 10;
    }
    const total: BatchResult = { ...emptyDelta(), byCrawl: {} };
    const storedAt = new Date().toISOString();
    this.dict.begin();
    this.targets.begin();
    // The pages inserted below bump their crawl's pages_version once per crawl, after the loop (the trigger
    // skips them while the marker row is there; it is deleted before the transaction commits).
    this.deferVersion.run();
    for (const item of records) {
      const r = recordOf(item);
      if (r === null) continue;
      const delta = (total.byCrawl[r.crawl] ??= emptyDelta());
      const outcome = this.writeOne(r, storedAt, delta);
      total[outcome]++;
    }
    for (const [crawl, d] of Object.entries(total.byCrawl))
      if (d.inserted > 0) this.bumpVersion.run(d.inserted, this.crawlId(crawl));
    this.endDeferVersion.run();
    this.dict.flush();
    // Pages link_targets covers that were rewritten get their entries back (their anchors are stored now).
    this.targets.finishBatch();
    // A small crawl keeps "who links to X" up to date; a large one (or one left behind by an earlier writer)
    // leaves it to the end of the crawl.
    if (this.written <= this.deferAfter && this.targets.current) this.targets.advance();
    for (const d of Object.values(total.byCrawl)) {
      total.failed += d.failed;
      for (const [code, n] of Object.entries(d.byError)) bump(total.byError, code, n);
    }
    return total;
  }

  private writeOne(r: PageRecord, storedAt: string, delta: CrawlDelta): 'inserted' | 'updated' | 'skipped' {
    const crawlId = this.crawlId(r.crawl);
    const values = pageValues(r);
    let pageId = this.insertPage.get(crawlId, storedAt, ...values) as number | undefined;
    let before: { id: number; error: string | null } | undefined;
    if (pageId === undefined) {
      // The row exists: the latest record wins, except that a failure never replaces a success.
      before = this.selectPage.get(crawlId, r.url) as { id: number; error: string | null };
      if (values[ERROR] !== null && before.error === null) {
        delta.skipped++;
        return 'skipped';
      }
      pageId = before.id;
      values[0] = storedAt; // the url (not rewritten) makes way for stored_at: the SET order
      this.updatePage.run(...values, pageId);
      this.targets.forget(pageId);
      for (const del of this.deleteChildren) del.run(pageId);
      if (before.error !== null) {
        delta.failed--;
        bump(delta.byError, before.error, -1);
      }
    }
    const error = r.error ?? null;
    if (error !== null) {
      delta.failed++;
      bump(delta.byError, error, 1);
    }
    // A page of a --since crawl that did not change shares the earlier row's children (since.ts).
    const shared = r.since ? this.since.link(pageId, r) : false;
    if (r.meta && !shared) this.writeChildren(r, r.meta, pageId);
    this.custom.write(pageId, r, before !== undefined);
    if (shared) this.since.shareCustom(pageId, r);
    this.archiveDirs.note(crawlId, r.archive?.dir, storedAt);
    if (before) {
      delta.updated++;
      return 'updated';
    }
    delta.inserted++;
    return 'inserted';
  }

  private writeChildren(r: PageRecord, m: PageMetadata, pageId: number): void {
    const d = this.dict;
    // One row per page for its meta tags and one for its links: JSON arrays of dictionary ids, serialized in one
    // call from a reused array (no string per id, no concatenation per element).
    const list = this.list;
    const tags = arr<unknown[]>(m.meta);
    if (tags.length > 0) {
      list.length = 0;
      for (let k = 0; k < tags.length; k++) {
        const t = tags[k];
        list.push(d.tag(str(t?.[0]) ?? '', str(t?.[1]) ?? '', str(t?.[2])));
      }
      this.insertMetaList.run(pageId, JSON.stringify(list));
    }
    const links = arr<Record<string, unknown>>(m.links);
    if (links.length > 0) {
      list.length = 0;
      for (let k = 0; k < links.length; k++) {
        const l = links[k];
        const url = str(l?.url) ?? '';
        const hash = url.indexOf('#');
        const urlId = d.urls.id(hash < 0 ? url : url.slice(0, hash));
        const textId = d.strings.id(str(l?.text) ?? '');
        const rel = str(l?.rel);
        // One integer for the common link (no fragment, no rel), an array of string ids otherwise (migration 011).
        const fragment = hash < 0 ? null : d.strings.id(url.slice(hash + 1));
        list.push(
          hash < 0 && rel === null && urlId < LINK_URL_LIMIT && textId < LINK_TEXT_LIMIT
            ? urlId * LINK_TEXT_LIMIT + textId
            : rel === null
              ? [urlId, textId, fragment]
              : [urlId, textId, fragment, d.strings.id(rel)],
        );
      }
      this.insertLinkList.run(pageId, JSON.stringify(list));
    }
    list.length = 0;
    const blocks = jsonldRows(r);
    let demoted = 0;
    for (let k = 0; k < blocks.length; k++) {
      const [type, json, valid, raw] = blocks[k];
      const stored = valid === 1 ? (this.jsonValid.get(json) as number) : 0;
      this.insertJsonld.run(pageId, k, type, json, stored, raw);
      if (valid === 1 && stored === 0) demoted++;
    }
    if (demoted > 0) this.addInvalid.run(demoted, pageId);
    this.types.run(pageId, jsonldTypes(r));
  }
}
