/**
 * The SQL box's runner: one statement on the explorer's `query_only` connection, refused unless
 * better-sqlite3 reports it read-only (as `metacrawl query` does). Rows are streamed, so the page shows
 * the first `cap` and a download never holds the whole result in memory.
 */
import { type Cell, cell, csvField, type Db } from '../store/index.js';

export type { Cell };
export { csvField };

export class SqlError extends Error {}

export interface SqlCursor {
  columns: string[];
  rows: IterableIterator<Cell[]>;
}

/** Prepares `sql` and returns its columns and a lazy row iterator; throws SqlError for bad or writing SQL. */
export function openCursor(db: Db, sql: string): SqlCursor {
  const text = sql.trim();
  if (text === '') throw new SqlError('empty query');
  let stmt: ReturnType<Db['prepare']>;
  try {
    stmt = db.prepare(text);
  } catch (err) {
    const msg = (err as Error).message;
    if (/readonly|read-only|query_only/i.test(msg)) throw new SqlError(`query is read-only: ${msg}`);
    throw new SqlError(`query failed: ${msg}`);
  }
  if (!stmt.readonly || !stmt.reader) {
    throw new SqlError('query is read-only: only SELECT and other read statements are allowed');
  }
  const columns = stmt.columns().map((c) => c.name);
  const it = stmt.safeIntegers(true).raw(true).iterate() as IterableIterator<unknown[]>;
  function* rows(): IterableIterator<Cell[]> {
    try {
      for (const row of it) yield row.map(cell);
    } catch (err) {
      throw new SqlError(`query failed: ${(err as Error).message}`);
    }
  }
  return { columns, rows: rows() };
}

/** The first `cap` rows and whether more exist. */
export function firstRows(
  db: Db,
  sql: string,
  cap: number,
): { columns: string[]; rows: Cell[][]; more: boolean } {
  const cur = openCursor(db, sql);
  const rows: Cell[][] = [];
  let more = false;
  for (const row of cur.rows) {
    if (rows.length === cap) {
      more = true;
      break;
    }
    rows.push(row);
  }
  cur.rows.return?.();
  return { columns: cur.columns, rows, more };
}

/** The CSV (or JSON array) text of a cursor, in chunks, for a streamed download. */
export function* download(cur: SqlCursor, format: 'csv' | 'json'): Generator<string> {
  if (format === 'csv') {
    yield `${cur.columns.map(csvField).join(',')}\r\n`;
    let chunk = '';
    for (const row of cur.rows) {
      chunk += `${row.map(csvField).join(',')}\r\n`;
      if (chunk.length > 64 * 1024) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
    return;
  }
  let first = true;
  let chunk = '[';
  for (const row of cur.rows) {
    const o: Record<string, Cell> = {};
    cur.columns.forEach((c, i) => {
      o[c] = row[i];
    });
    chunk += `${first ? '\n' : ',\n'}${JSON.stringify(o)}`;
    first = false;
    if (chunk.length > 64 * 1024) {
      yield chunk;
      chunk = '';
    }
  }
  yield `${chunk}${first ? ']\n' : '\n]\n'}`;
}
