/**
 * `metacrawl export`: a crawl's rows as JSONL, CSV or Parquet, one file per table, or one nested JSON document
 * per page. Rows are read with a statement iterator and written with backpressure, so memory stays flat
 * however large the crawl.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';
import type { ColumnKind, ExportColumn } from './export-parquet.js';
import { Sink } from './export-sink.js';
import { csvField } from './query.js';
import { closeReadOnlyDb, openReadOnlyDb } from './readonly.js';

export type ExportFormat = 'jsonl' | 'csv' | 'parquet';
export type ExportTable = 'pages' | 'links' | 'meta' | 'jsonld';
export const EXPORT_TABLES: readonly ExportTable[] = ['pages', 'links', 'meta', 'jsonld'];

export interface ExportOptions {
  db: string;
  crawl: string;
  format: ExportFormat;
  /** One table, or all of them (then `out` is a directory). */
  table: ExportTable | 'all';
  /** A file path, a directory (table 'all'), or null for `stdout`. */
  out: string | null;
  /** JSONL/CSV compressed with gzip (implied by an `out` ending in .gz). */
  gzip: boolean;
  /** One JSONL document per page with its meta tags, links and JSON-LD blocks. */
  nested: boolean;
  stdout: NodeJS.WritableStream;
  /** Parquet rows per row group (tests make it small). */
  rowGroupRows?: number;
}

export interface ExportResult {
  table: string;
  path: string | null;
  rows: number;
  bytes: number;
}

/** Columns stored as 0/1 that are exported as booleans where the format has them (Parquet). */
const BOOL_COLUMNS = new Set(['truncated', 'links_truncated', 'valid']);
/** ISO 8601 times written by metacrawl itself (other *_at columns are as found on the page). */
const TIME_COLUMNS = new Set(['fetched_at', 'stored_at']);

const CHILD_SQL: Record<Exclude<ExportTable, 'pages'>, string> = {
  links: `SELECT l.page_id, p.url AS page_url, l.position, l.url, l.target, l.text, l.rel
          FROM pages p JOIN links l ON l.page_id = p.id WHERE p.crawl_id = ? ORDER BY p.id, l.position`,
  meta: `SELECT m.page_id, p.url AS page_url, m.position, m.attr, m.key, m.content
         FROM pages p JOIN meta m ON m.page_id = p.id WHERE p.crawl_id = ? ORDER BY p.id, m.position`,
  jsonld: `SELECT j.page_id, p.url AS page_url, j.position, j.type, j.json, j.valid, j.raw
           FROM pages p JOIN jsonld j ON j.page_id = p.id WHERE p.crawl_id = ? ORDER BY p.id, j.position`,
};
const INT_COLUMNS = new Set(['page_id', 'position', 'valid']);

function tableSql(table: ExportTable): string {
  return table === 'pages' ? 'SELECT * FROM pages WHERE crawl_id = ? ORDER BY id' : CHILD_SQL[table];
}

function columnsOf(stmt: Statement): ExportColumn[] {
  return stmt.columns().map((c) => {
    const declared = (c.type ?? '').toUpperCase();
    let kind: ColumnKind = declared.includes('INT') || INT_COLUMNS.has(c.name) ? 'int' : 'text';
    if (BOOL_COLUMNS.has(c.name)) kind = 'bool';
    if (TIME_COLUMNS.has(c.name)) kind = 'timestamp';
    return { name: c.name, kind };
  });
}

export function crawlIdOf(db: Db, crawl: string): number {
  const id = db.prepare('SELECT id FROM crawls WHERE name = ?').pluck().get(crawl) as number | undefined;
  if (id === undefined) throw new Error(`no crawl named ${JSON.stringify(crawl)} in ${db.name}`);
  return id;
}

/** Writes the export; returns what went where. */
export async function exportCrawl(opts: ExportOptions): Promise<ExportResult[]> {
  if (opts.nested && opts.format !== 'jsonl') throw new Error('--nested is only for --format jsonl');
  if (opts.table === 'all' && !opts.nested && opts.out === null)
    throw new Error('--table all writes one file per table: give --out <directory>');
  const db = openReadOnlyDb(opts.db);
  // Nested documents read a page's children while iterating its pages: a second connection.
  const side = opts.nested ? openReadOnlyDb(opts.db) : null;
  try {
    const crawlId = crawlIdOf(db, opts.crawl);
    const gzip = opts.format !== 'parquet' && (opts.gzip || (opts.out?.endsWith('.gz') ?? false));
    if (opts.format === 'parquet' && opts.gzip)
      throw new Error('--gzip is for jsonl and csv: Parquet compresses its columns itself');
    if (opts.nested && side) {
      const sink = opts.out === null ? Sink.stream(opts.stdout, gzip) : Sink.file(opts.out, gzip);
      const rows = await writeNested(db, side, crawlId, sink);
      return [{ table: 'nested', path: opts.out, rows, bytes: sink.bytes }];
    }
    const tables = opts.table === 'all' ? EXPORT_TABLES : [opts.table];
    if (opts.table === 'all' && opts.out !== null) mkdirSync(opts.out, { recursive: true });
    const results: ExportResult[] = [];
    for (const table of tables) {
      const path =
        opts.table === 'all' && opts.out !== null
          ? join(opts.out, `${table}.${opts.format}${gzip ? '.gz' : ''}`)
          : opts.out;
      const sink = path === null ? Sink.stream(opts.stdout, gzip) : Sink.file(path, gzip);
      const rows = await writeTable(db, crawlId, table, opts.format, sink, opts.rowGroupRows);
      results.push({ table, path, rows, bytes: sink.bytes });
    }
    return results;
  } finally {
    closeReadOnlyDb(db);
    if (side) closeReadOnlyDb(side);
  }
}

async function writeTable(
  db: Db,
  crawlId: number,
  table: ExportTable,
  format: ExportFormat,
  sink: Sink,
  rowGroupRows?: number,
): Promise<number> {
  const stmt = db.prepare(tableSql(table));
  const columns = columnsOf(stmt);
  const names = columns.map((c) => c.name);
  let rows = 0;
  if (format === 'parquet') {
    // Loaded here: hyparquet-writer is needed by Parquet exports only.
    const { ParquetSink } = await import('./export-parquet.js');
    const pq = new ParquetSink(columns, sink, rowGroupRows);
    for (const row of stmt.raw(true).iterate(crawlId) as Iterable<unknown[]>) {
      await pq.add(row);
      rows++;
    }
    await pq.finish();
    return rows;
  }
  const BATCH = 256;
  let chunk = format === 'csv' ? `${names.map(csvField).join(',')}\r\n` : '';
  let n = 0;
  for (const row of stmt.raw(true).iterate(crawlId) as Iterable<(string | number | null)[]>) {
    if (format === 'csv') chunk += `${row.map(csvField).join(',')}\r\n`;
    else chunk += `${JSON.stringify(Object.fromEntries(names.map((c, i) => [c, row[i]])))}\n`;
    rows++;
    if (++n === BATCH) {
      await sink.write(chunk);
      chunk = '';
      n = 0;
    }
  }
  if (chunk) await sink.write(chunk);
  await sink.end();
  return rows;
}

/** The text columns of `pages` that hold JSON: parsed in a nested document. */
const JSON_COLUMNS = new Set(['redirects', 'headers', 'feeds', 'hreflang', 'settings']);

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string') return text ?? null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function writeNested(db: Db, side: Db, crawlId: number, sink: Sink): Promise<number> {
  const pages = db.prepare(tableSql('pages'));
  const meta = side.prepare('SELECT attr, key, content FROM meta WHERE page_id = ? ORDER BY position');
  const links = side.prepare('SELECT url, text, rel FROM links WHERE page_id = ? ORDER BY position');
  const jsonld = side.prepare('SELECT type, json, valid FROM jsonld WHERE page_id = ? ORDER BY position');
  let rows = 0;
  let chunk = '';
  for (const page of pages.iterate(crawlId) as Iterable<Record<string, unknown>>) {
    const doc: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(page)) doc[k] = JSON_COLUMNS.has(k) ? parseJson(v) : v;
    doc.meta = meta.all(page.id);
    doc.links = links.all(page.id);
    doc.jsonld = (jsonld.all(page.id) as { type: string; json: string; valid: number }[]).map((j) =>
      j.valid
        ? { type: j.type, valid: true, data: parseJson(j.json) }
        : { type: j.type, valid: false, text: j.json },
    );
    chunk += `${JSON.stringify(doc)}\n`;
    if (++rows % 64 === 0) {
      await sink.write(chunk);
      chunk = '';
    }
  }
  if (chunk) await sink.write(chunk);
  await sink.end();
  return rows;
}
