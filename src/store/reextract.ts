/**
 * `metacrawl reextract`: the current extractor over a crawl's archived responses, no network. Each archived page
 * is read from its WARC record and extracted exactly as a worker does (src/page-extract.ts); its other fields
 * (status, headers, timing, redirects) are the row's own. The crawl's own fields (custom rules, microdata) are
 * applied as a worker applies them (src/custom-fields.ts): the crawl's stored rules, and any given. Into a new
 * crawl (`as`), or in place.
 */
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { ArchivedPageJob, ArchivedPageResult } from '../archived-page.js';
import { ConfigError } from '../config.js';
import { type CustomSettings, ruleName } from '../custom-fields.js';
import type { PageRecord, RedirectHop } from '../types.js';
import { archiveDirsOf } from './archive-dirs.js';
import { type Db, openDb } from './db.js';
import { crawlIdOf } from './export.js';
import { type ExtractPool, startExtractPool } from './reextract-pool.js';
import { storedCustomSettings } from './since.js';
import { PageWriter } from './writer.js';

export interface ReextractOptions {
  db: string;
  crawl: string;
  /** The crawl to write (null: replace the fields of `crawl` itself). */
  as: string | null;
  /** The crawl's --archive directory; null: the one the database recorded for the crawl (crawl_archives). */
  archiveDir: string | null;
  maxLinks: number;
  /**
   * Rules to apply besides the crawl's own (normalised texts, checked by the caller as at submit): a rule of the
   * same name as one of the crawl's replaces it.
   */
  extract?: string[];
  /** Extract microdata even if the crawl did not (--microdata). */
  microdata?: boolean;
  /**
   * Threads in all, this one (which reads and writes the rows) included: `n - 1` threads read, decode and
   * extract the archived pages. 'auto': one extracting thread per usable core (this one beside them: writing
   * is about a third of the work, so it shares a core), from AUTO_MIN_PAGES pages, none on one core; 1: all on
   * this thread.
   */
  workers?: number | 'auto';
  /** Told once the extraction threads are started (0: all on this thread). */
  onStart?: (threads: number) => void;
  /** Told every batch: pages done (skipped included) of total. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface ReextractResult {
  total: number;
  /** Pages extracted again from their archived bytes. */
  reextracted: number;
  /** Failed pages (no body to extract) copied as they are into the new crawl. */
  copied: number;
  /** Pages already in the new crawl (a resumed run). */
  skipped: number;
  /** Pages stored with metadata but no archived response: left out of a new crawl, untouched in place. */
  notArchived: number;
  /**
   * Pages of a --since crawl without a body of their own (304 Not Modified, skipped by --trust-lastmod): they
   * share the earlier crawl's row again, their own fields rule by rule (src/store/since.ts).
   */
  shared: number;
  /** The archive directory read. */
  archiveDir: string;
  /** The rules applied (normalised texts) and whether microdata was extracted. */
  custom: CustomSettings;
}

/**
 * The crawl's archive directory: the one given, else the one recorded for it. A ConfigError (bad usage: give
 * --from-archive) when none or several are recorded or the recorded one is not here.
 */
export function archiveDirFor(db: Db, crawl: string, crawlId: number, given: string | null): string {
  if (given !== null) return given;
  const dirs = archiveDirsOf(db, crawlId);
  if (dirs.length === 0)
    throw new ConfigError(
      `reextract: no archive directory is recorded for crawl "${crawl}" (it ran without --archive, or before ` +
        'metacrawl recorded archive directories): give --from-archive <dir>',
    );
  if (dirs.length > 1)
    throw new ConfigError(
      `reextract: crawl "${crawl}" was archived to ${dirs.length} directories (${dirs.join(', ')}): gather ` +
        'the files in one and give --from-archive <dir>',
    );
  const dir = dirs[0];
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new ConfigError(
      `reextract: crawl "${crawl}" was archived to ${dir}, which is not a directory here: give --from-archive <dir>`,
    );
  return dir;
}

/** The crawl's rules with the given ones (a given rule replaces the crawl's rule of the same name). */
export function mergeCustom(
  crawl: CustomSettings | null,
  extra: readonly string[] = [],
  microdata = false,
): CustomSettings {
  const given = new Set(extra.map(ruleName));
  const kept = (crawl?.extract ?? []).filter((t) => !given.has(ruleName(t)));
  return { extract: [...kept, ...extra], microdata: microdata || crawl?.microdata === true };
}

/** The crawl's stored settings JSON with its rules replaced (null when it has none and nothing is to say). */
function settingsWith(json: string | null, custom: CustomSettings): string | null {
  let s: Record<string, unknown> = {};
  try {
    if (json) s = JSON.parse(json) as Record<string, unknown>;
  } catch {
    s = {};
  }
  if (!json && custom.extract.length === 0 && !custom.microdata) return null;
  return JSON.stringify({ ...s, extract: custom.extract, microdata: custom.microdata });
}

type Row = Record<string, unknown> & {
  id: number;
  url: string;
  error: string | null;
  warc_file: string | null;
};

const BATCH = 200;
/** Jobs per message to an extraction thread. */
const CHUNK = 50;
/** Crawls smaller than this stay on one thread under 'auto': starting a thread costs more than it saves. */
export const AUTO_MIN_PAGES = 1000;

/** Extraction threads to start for `workers` over `pages` pages. */
export function extractionThreads(workers: number | 'auto', pages: number): number {
  if (workers === 'auto') {
    const cores = availableParallelism();
    return pages >= AUTO_MIN_PAGES && cores > 1 ? cores : 0;
  }
  return Math.max(0, workers - 1);
}

/** A batch of source rows on its way: its records, some still being extracted (on the threads). */
interface InFlight {
  /** Pages read so far (skipped included), for the progress line once the batch is written. */
  seen: number;
  records: Array<PageRecord | null>;
  /** The records still to finish, in the order of their jobs. */
  todo: Array<{ index: number; row: Row; base: PageRecord }>;
  results: Promise<ArchivedPageResult[]>;
  /** Its records by kind, counted once it is written. */
  kinds: Array<'reextracted' | 'copied' | 'shared'>;
}
/** Errors decided from the body: the extractor may decide them differently now. */
const BODY_ERRORS = new Set(['NOT_HTML', 'BINARY_CONTENT']);

export async function reextractCrawl(opts: ReextractOptions): Promise<ReextractResult> {
  const db = openDb(opts.db);
  let pool: ExtractPool | null = null;
  try {
    const sourceId = crawlIdOf(db, opts.crawl);
    if (opts.as === opts.crawl)
      throw new Error('--as names the crawl itself: leave it out to re-extract in place');
    const archiveDir = archiveDirFor(db, opts.crawl, sourceId, opts.archiveDir);
    const custom = mergeCustom(storedCustomSettings(db, sourceId), opts.extract, opts.microdata);
    const result: ReextractResult = {
      total: 0,
      reextracted: 0,
      copied: 0,
      skipped: 0,
      notArchived: 0,
      shared: 0,
      archiveDir,
      custom,
    };
    const target = opts.as ?? opts.crawl;
    result.total = db
      .prepare('SELECT count(*) FROM pages WHERE crawl_id = ?')
      .pluck()
      .get(sourceId) as number;
    const next = db.prepare(
      `SELECT p.*, (SELECT e.meta_hash FROM pages e WHERE e.id = p.since_page) AS since_meta_hash
       FROM pages p WHERE p.crawl_id = ? AND p.id > ? ORDER BY p.id LIMIT ?`,
    );
    const done = db.prepare(
      'SELECT 1 FROM pages p JOIN crawls c ON c.id = p.crawl_id WHERE c.name = ? AND p.url = ?',
    );
    // A run into a new crawl that has no rows yet (not a resumed one) need not look each page up.
    const resumed =
      opts.as !== null &&
      db
        .prepare('SELECT 1 FROM pages p JOIN crawls c ON c.id = p.crawl_id WHERE c.name = ? LIMIT 1')
        .get(target) !== undefined;
    const writer = new PageWriter(db);
    // The target's settings say which rules its rows hold (a later --since crawl compares them).
    const sourceJson = db.prepare('SELECT settings FROM crawls WHERE id = ?').pluck().get(sourceId) as
      | string
      | null;
    const targetJson = settingsWith(sourceJson, custom);
    const ctx: Context = {
      crawl: target,
      inPlace: opts.as === null,
      custom,
      since: sinceOf(db, sourceJson),
    };
    pool = startExtractPool(extractionThreads(opts.workers ?? 'auto', result.total), {
      dir: archiveDir,
      maxLinks: opts.maxLinks,
      custom,
    });
    opts.onStart?.(pool.threads);
    // Batches in flight at most (bounded memory): with threads, the next ones are extracted while this
    // thread writes one; without, each is written as soon as it is read.
    const depth = pool.threads > 0 ? 4 * pool.threads + 1 : 1;
    const inFlight: InFlight[] = [];
    const writeOldest = async () => {
      const b = inFlight[0];
      const results = await b.results;
      inFlight.shift();
      b.todo.forEach((t, k) => {
        b.records[t.index] = finished(t.row, t.base, results[k], ctx);
      });
      const records = b.records.filter((r): r is PageRecord => r !== null);
      if (records.length > 0) writer.writeBatch(records);
      for (const k of b.kinds) result[k]++;
      opts.onProgress?.(b.seen, result.total);
      // A turn of the event loop per batch: when the threads extract faster than this one writes, every result is
      // already here and the loop would run on in microtasks to the end, a Ctrl-C (its handler a macrotask)
      // unheard until then.
      await new Promise<void>((resolve) => setImmediate(resolve));
    };
    if (targetJson !== null) writer.setCrawlSettings(target, targetJson);
    let after = 0;
    let seen = 0;
    for (;;) {
      if (opts.signal?.aborted) break;
      const rows = next.all(sourceId, after, BATCH) as Row[];
      if (rows.length === 0) break;
      after = rows[rows.length - 1].id;
      const batch: InFlight = { seen: 0, records: [], todo: [], results: Promise.resolve([]), kinds: [] };
      const jobs: ArchivedPageJob[] = [];
      for (const row of rows) {
        seen++;
        if (resumed && done.get(target, row.url)) {
          result.skipped++;
          continue;
        }
        const out = planOf(row, ctx);
        if (out === 'not-archived') result.notArchived++;
        else if (out === 'unchanged') continue;
        else {
          batch.kinds.push(out.kind);
          if (out.job) {
            batch.todo.push({ index: batch.records.length, row, base: out.record });
            jobs.push(out.job);
          }
          batch.records.push(out.job ? null : out.record);
        }
      }
      batch.seen = seen;
      const runs: Promise<ArchivedPageResult[]>[] = [];
      for (let i = 0; i < jobs.length; i += CHUNK) runs.push(pool.run(jobs.slice(i, i + CHUNK)));
      batch.results = Promise.all(runs).then((r) => r.flat());
      // A failed chunk rejects when its batch is written; until then, no unhandled rejection.
      batch.results.catch(() => {});
      inFlight.push(batch);
      if (inFlight.length >= depth) await writeOldest();
    }
    // Stopped: the batches still being extracted are left for the rerun (their pages are not written yet).
    while (inFlight.length > 0 && !opts.signal?.aborted) await writeOldest();
    return result;
  } finally {
    await pool?.close();
    db.close();
  }
}

function json<T>(v: unknown, fallback: T): T {
  if (typeof v !== 'string') return fallback;
  try {
    return JSON.parse(v) as T;
  } catch {
    return fallback;
  }
}

interface Context {
  /** The crawl written. */
  crawl: string;
  inPlace: boolean;
  custom: CustomSettings;
  /** The crawl's --since crawl (when it is still in the database): its records compare with it as a worker's. */
  since: string | null;
}

/** The crawl a --since crawl compared with, from its settings, when the database still has it. */
function sinceOf(db: Db, settingsJson: string | null): string | null {
  const name = json<{ since?: unknown }>(settingsJson, {}).since;
  if (typeof name !== 'string') return null;
  return db.prepare('SELECT 1 FROM crawls WHERE name = ?').get(name) ? name : null;
}

type Plan =
  | {
      /** The record, or its fields besides the extracted ones when `job` is set. */
      record: PageRecord;
      kind: 'reextracted' | 'copied' | 'shared';
      /** The archived page to extract (on a thread), when it is. */
      job: ArchivedPageJob | null;
    }
  | 'not-archived'
  | 'unchanged';

/** What to do with a source row: its record as it is, or its archived page to extract first. */
function planOf(row: Row, ctx: Context): Plan {
  const { crawl, inPlace, since } = ctx;
  const headers = json<Record<string, string> | null>(row.headers, null);
  const base: PageRecord = {
    crawl,
    url: row.url,
    depth: Number(row.depth ?? 0),
    discoveredFrom: (row.discovered_from as string | null) ?? null,
    finalUrl: (row.final_url as string | null) ?? null,
    status: (row.status as number | null) ?? null,
    contentType: (row.content_type as string | null) ?? null,
    error: row.error as PageRecord['error'],
    errorDetail: (row.error_detail as string | null) ?? null,
    attempts: Number(row.attempts ?? 0),
    fetchedAt: String(row.fetched_at),
    elapsedMs: (row.elapsed_ms as number | null) ?? null,
    queuedMs: (row.queued_ms as number | null) ?? null,
    bytes: (row.bytes as number | null) ?? null,
    truncated: Boolean(row.truncated),
    redirects: json<RedirectHop[]>(row.redirects, []),
    headers,
    encoding: null,
    lastmod: (row.lastmod as string | null) ?? null,
    meta: null,
    archive: row.warc_file
      ? { file: row.warc_file, offset: Number(row.warc_offset), length: Number(row.warc_length) }
      : null,
    ...(since ? { since } : {}),
  };
  // No body of its own (a 304, a --trust-lastmod skip): the earlier crawl's row is its content, as in the crawl.
  const reason = row.unchanged_reason as string | null;
  if (since && row.error === null && (reason === 'not-modified' || reason === 'lastmod'))
    return { record: { ...base, unchanged: reason }, kind: 'shared', job: null };
  const extractable = row.error === null || BODY_ERRORS.has(row.error);
  if (!extractable) return inPlace ? 'unchanged' : { record: base, kind: 'copied', job: null };
  if (!base.archive || !headers || base.finalUrl === null) return 'not-archived';
  return {
    record: base,
    kind: 'reextracted',
    job: {
      url: row.url,
      finalUrl: base.finalUrl,
      headers,
      archive: base.archive,
      ...(typeof row.body_hash === 'string' && !base.truncated ? { bodyHash: row.body_hash } : {}),
    },
  };
}

/** The record of an extracted page. */
function finished(row: Row, base: PageRecord, page: ArchivedPageResult, ctx: Context): PageRecord {
  const record: PageRecord = page.ok
    ? {
        ...base,
        error: null,
        errorDetail: null,
        encoding: page.encoding,
        meta: page.meta,
        bodyHash: page.bodyHash,
        metaHash: page.metaHash,
      }
    : { ...base, error: page.error, errorDetail: page.errorDetail };
  // The body the earlier crawl had: still 'same-body' when the metadata is still the earlier row's.
  if (ctx.since && page.ok && row.unchanged_reason === 'same-body' && record.metaHash === row.since_meta_hash)
    record.unchanged = 'same-body';
  return record;
}
