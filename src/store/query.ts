/** Read-only SQL over the store (the `query` command) and the per-crawl summary. */
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';
import { closeReadOnlyDb, openReadOnlyDb } from './readonly.js';

export type QueryFormat = 'table' | 'csv' | 'json';

export interface QueryOptions {
  /** table format: longer cells are cut with an ellipsis (default 80; 0 = never). */
  maxCellWidth?: number;
}

export type Cell = string | number | null;

/**
 * Runs one SQL statement on a read-only connection and formats the rows. Anything that would write
 * fails with `query is read-only: ...`. Integers beyond 2^53 come out as exact decimal strings.
 */
export function runQuery(dbPath: string, sql: string, format: QueryFormat, opts: QueryOptions = {}): string {
  const db = openReadOnlyDb(dbPath);
  try {
    db.pragma('query_only = ON');
    const { columns, rows } = readRows(db, sql);
    if (format === 'csv') return toCsv(columns, rows);
    if (format === 'json') return toJson(columns, rows);
    return toTable(columns, rows, opts.maxCellWidth ?? 80);
  } finally {
    closeReadOnlyDb(db);
  }
}

function readOnlyError(sql: string, cause?: unknown): Error {
  const first = sql.trim().split('\n')[0].slice(0, 120);
  return new Error(`query is read-only: ${first} (only SELECT and other read statements are allowed)`, {
    cause,
  });
}

function readRows(db: Db, sql: string): { columns: string[]; rows: Cell[][] } {
  let stmt: Statement;
  try {
    stmt = db.prepare(sql);
  } catch (err) {
    if (/readonly|read-only|query_only/i.test((err as Error).message)) throw readOnlyError(sql, err);
    throw new Error(`query failed: ${(err as Error).message}`, { cause: err });
  }
  if (!stmt.readonly) throw readOnlyError(sql);
  if (!stmt.reader) {
    try {
      stmt.run();
    } catch (err) {
      throw new Error(`query failed: ${(err as Error).message}`, { cause: err });
    }
    return { columns: [], rows: [] };
  }
  const columns = stmt.columns().map((c) => c.name);
  try {
    const rows = (stmt.safeIntegers(true).raw(true).all() as unknown[][]).map((row) => row.map(cell));
    return { columns, rows };
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_READONLY') throw readOnlyError(sql, err);
    throw new Error(`query failed: ${(err as Error).message}`, { cause: err });
  }
}

/** A SQLite value as shown: integers beyond 2^53 as exact strings, blobs as hex literals. */
export function cell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') {
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(v)
      : v.toString();
  }
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return `x'${v.toString('hex')}'`;
  return String(v);
}

/**
 * RFC 4180 field: quoted when it holds a comma, quote, CR or LF, quotes doubled; NULL is empty. Crawled text
 * is untrusted, so a text that a spreadsheet would run as a formula (it starts with =, +, -, @, tab or CR)
 * is neutralised as OWASP recommends: prefixed with a single quote, and quoted. Numbers, and texts that are
 * exactly a number ("-12.5"), are left alone: a spreadsheet reads them as the number they are.
 */
export function csvField(v: Cell): string {
  if (v === null) return '';
  const s = String(v);
  const guard = typeof v === 'string' && FORMULA_START.test(s) && !NUMBER.test(s);
  if (!guard && !/[",\r\n]/.test(s)) return s;
  return `"${guard ? "'" : ''}${s.replace(/"/g, '""')}"`;
}

const FORMULA_START = /^[=+\-@\t\r]/;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** RFC 4180: CRLF line ends. */
export function toCsv(columns: string[], rows: Cell[][]): string {
  const lines = [columns.map(csvField).join(',')];
  for (const row of rows) lines.push(row.map(csvField).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** An array of objects, one row per line. */
export function toJson(columns: string[], rows: Cell[][]): string {
  if (rows.length === 0) return '[]\n';
  const objects = rows.map((row) => {
    const o: Record<string, Cell> = {};
    columns.forEach((c, i) => {
      o[c] = row[i];
    });
    return JSON.stringify(o);
  });
  return `[\n${objects.join(',\n')}\n]\n`;
}

/**
 * Crawled text is data: control characters (newlines, tabs, terminal escape sequences) are shown
 * escaped so they can neither break the layout nor drive the terminal.
 */
function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}

/** Aligned columns (numbers right-aligned), a rule under the header, and a row count footer. */
export function toTable(columns: string[], rows: Cell[][], maxCellWidth = 80): string {
  const shown = (v: Cell): string => {
    const s = v === null ? 'NULL' : printable(String(v));
    return maxCellWidth > 0 && s.length > maxCellWidth ? `${s.slice(0, maxCellWidth - 1)}…` : s;
  };
  const head = columns.map((c) => shown(c));
  const body = rows.map((row) => row.map(shown));
  const widths = head.map((h) => h.length);
  for (const r of body) {
    for (let i = 0; i < r.length; i++) widths[i] = Math.max(widths[i], r[i].length);
  }
  // A column whose values are all numbers is right-aligned, header included.
  const numeric = columns.map(
    (_, i) => rows.some((r) => r[i] !== null) && rows.every((r) => r[i] === null || typeof r[i] === 'number'),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join(' | ')
      .trimEnd();
  const out: string[] = [];
  if (columns.length > 0) {
    out.push(line(head), widths.map((w) => '-'.repeat(w)).join('-+-'));
    for (const cells of body) out.push(line(cells));
  }
  out.push(`(${rows.length} ${rows.length === 1 ? 'row' : 'rows'})`);
  return `${out.join('\n')}\n`;
}

export interface CrawlSummary {
  crawl: string;
  pages: number;
  ok: number;
  failed: number;
  byError: Record<string, number>;
  firstFetchedAt: string | null;
  lastFetchedAt: string | null;
}

/** Counts of one crawl's rows; zeros (and null times) when the crawl has no rows yet. */
export function crawlSummary(db: Db, crawlName: string): CrawlSummary {
  const summary: CrawlSummary = {
    crawl: crawlName,
    pages: 0,
    ok: 0,
    failed: 0,
    byError: {},
    firstFetchedAt: null,
    lastFetchedAt: null,
  };
  const id = db.prepare('SELECT id FROM crawls WHERE name = ?').pluck().get(crawlName) as number | undefined;
  if (id === undefined) return summary;
  const groups = db
    .prepare('SELECT error, count(*) AS n FROM pages WHERE crawl_id = ? GROUP BY error')
    .all(id) as { error: string | null; n: number }[];
  for (const g of groups) {
    summary.pages += g.n;
    if (g.error === null) summary.ok = g.n;
    else {
      summary.failed += g.n;
      summary.byError[g.error] = g.n;
    }
  }
  Object.assign(summary, fetchSpanOf(db, id));
  return summary;
}

export interface FetchSpan {
  firstFetchedAt: string | null;
  lastFetchedAt: string | null;
}

/** A crawl's first and last fetched_at (what pages/s is measured over); nulls for an unknown crawl. */
export function fetchSpan(db: Db, crawlName: string): FetchSpan {
  const id = db.prepare('SELECT id FROM crawls WHERE name = ?').pluck().get(crawlName) as number | undefined;
  return id === undefined ? { firstFetchedAt: null, lastFetchedAt: null } : fetchSpanOf(db, id);
}

function fetchSpanOf(db: Db, crawlId: number): FetchSpan {
  // Two statements, so each min/max is a single probe of pages_crawl_fetched.
  const at = (agg: 'min' | 'max') =>
    db.prepare(`SELECT ${agg}(fetched_at) FROM pages WHERE crawl_id = ?`).pluck().get(crawlId) as
      | string
      | null;
  return { firstFetchedAt: at('min'), lastFetchedAt: at('max') };
}
