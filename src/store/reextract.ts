/**
 * `metacrawl reextract`: the current extractor over a crawl's archived responses, no network. Each archived page
 * is read from its WARC record and extracted exactly as a worker does (src/page-extract.ts); its other fields
 * (status, headers, timing, redirects) are the row's own. Into a new crawl (`as`), or in place.
 */
import { WarcReader } from '../archive/index.js';
import { bodyHash, metaHash } from '../hashes.js';
import { extractResponse } from '../page-extract.js';
import type { PageRecord, RedirectHop } from '../types.js';
import { openDb } from './db.js';
import { crawlIdOf } from './export.js';
import { PageWriter } from './writer.js';

export interface ReextractOptions {
  db: string;
  crawl: string;
  /** The crawl to write (null: replace the fields of `crawl` itself). */
  as: string | null;
  archiveDir: string;
  maxLinks: number;
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
}

type Row = Record<string, unknown> & {
  id: number;
  url: string;
  error: string | null;
  warc_file: string | null;
};

const BATCH = 200;
/** Errors decided from the body: the extractor may decide them differently now. */
const BODY_ERRORS = new Set(['NOT_HTML', 'BINARY_CONTENT']);

export async function reextractCrawl(opts: ReextractOptions): Promise<ReextractResult> {
  const db = openDb(opts.db);
  const reader = new WarcReader(opts.archiveDir);
  const result: ReextractResult = { total: 0, reextracted: 0, copied: 0, skipped: 0, notArchived: 0 };
  try {
    const sourceId = crawlIdOf(db, opts.crawl);
    if (opts.as === opts.crawl)
      throw new Error('--as names the crawl itself: leave it out to re-extract in place');
    const target = opts.as ?? opts.crawl;
    result.total = db
      .prepare('SELECT count(*) FROM pages WHERE crawl_id = ?')
      .pluck()
      .get(sourceId) as number;
    const next = db.prepare('SELECT * FROM pages WHERE crawl_id = ? AND id > ? ORDER BY id LIMIT ?');
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
    let after = 0;
    let seen = 0;
    for (;;) {
      if (opts.signal?.aborted) break;
      const rows = next.all(sourceId, after, BATCH) as Row[];
      if (rows.length === 0) break;
      after = rows[rows.length - 1].id;
      const records: PageRecord[] = [];
      for (const row of rows) {
        seen++;
        if (resumed && done.get(target, row.url)) {
          result.skipped++;
          continue;
        }
        const out = await recordOf(row, target, opts.as === null, reader, opts.maxLinks);
        if (out === 'not-archived') result.notArchived++;
        else if (out !== 'unchanged') {
          result[out.kind]++;
          records.push(out.record);
        }
      }
      if (records.length > 0) writer.writeBatch(records);
      opts.onProgress?.(seen, result.total);
    }
    return result;
  } finally {
    reader.close();
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

async function recordOf(
  row: Row,
  crawl: string,
  inPlace: boolean,
  reader: WarcReader,
  maxLinks: number,
): Promise<{ record: PageRecord; kind: 'reextracted' | 'copied' } | 'not-archived' | 'unchanged'> {
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
  };
  const extractable = row.error === null || BODY_ERRORS.has(row.error);
  if (!extractable) return inPlace ? 'unchanged' : { record: base, kind: 'copied' };
  if (!base.archive || !headers || base.finalUrl === null) return 'not-archived';
  const payload = await reader.read(base.archive);
  const page = extractResponse(row.url, base.finalUrl, payload.body, headers, maxLinks);
  const record: PageRecord = page.ok
    ? {
        ...base,
        error: null,
        errorDetail: null,
        encoding: page.encoding,
        meta: page.meta,
        bodyHash: bodyHash(payload.body),
        metaHash: metaHash(page.meta),
      }
    : { ...base, error: page.error, errorDetail: page.errorDetail };
  return { record, kind: 'reextracted' };
}
