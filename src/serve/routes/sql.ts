/**
 * `/sql?q=` (the read-only SQL box: the first SQL_DISPLAY_CAP rows) and `/sql.csv?q=`, `/sql.json?q=` (every
 * row, streamed on a connection of their own so the explorer stays responsive).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { openDb } from '../../store/index.js';
import { type Routes, send, sendHtml } from '../http.js';
import { download, firstRows, openCursor, SqlError } from '../sql-runner.js';
import { sqlView } from '../views/sql.js';

/** Rows the SQL box shows; downloads carry every row. */
export const SQL_DISPLAY_CAP = 1000;

export const sqlRoutes: Routes = async ({ reader, dbPath, queues }, req, res, url) => {
  const path = url.pathname;
  const sql = url.searchParams.get('q') ?? '';
  if (path === '/sql.csv' || path === '/sql.json') {
    await sqlDownload(req, res, dbPath, sql, path.endsWith('.csv') ? 'csv' : 'json');
    return true;
  }
  if (path !== '/sql') return false;
  const cap = SQL_DISPLAY_CAP;
  if (sql.trim() === '') {
    sendHtml(req, res, 200, sqlView({ sql, result: null, error: null, cap, queues }));
    return true;
  }
  try {
    const t = performance.now();
    const r = firstRows(reader.db, sql, cap);
    const result = { ...r, ms: performance.now() - t };
    sendHtml(req, res, 200, sqlView({ sql, result, error: null, cap, queues }));
  } catch (err) {
    if (!(err instanceof SqlError)) throw err;
    sendHtml(req, res, 400, sqlView({ sql, result: null, error: err.message, cap, queues }));
  }
  return true;
};

/** Streams every row of a read-only query on its own connection, so the explorer stays responsive. */
async function sqlDownload(
  req: IncomingMessage,
  res: ServerResponse,
  dbPath: string,
  sql: string,
  format: 'csv' | 'json',
): Promise<void> {
  const db = openDb(dbPath, { readonly: true });
  try {
    db.pragma('query_only = ON');
    let cursor: ReturnType<typeof openCursor>;
    try {
      cursor = openCursor(db, sql);
    } catch (err) {
      if (!(err instanceof SqlError)) throw err;
      send(req, res, 400, 'text/plain; charset=utf-8', `${err.message}\n`);
      return;
    }
    res.statusCode = 200;
    res.setHeader(
      'Content-Type',
      format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
    );
    res.setHeader('Content-Disposition', `attachment; filename="query.${format}"`);
    res.setHeader('Cache-Control', 'no-store');
    if (req.method === 'HEAD') {
      cursor.rows.return?.();
      res.end();
      return;
    }
    try {
      for (const chunk of download(cursor, format)) {
        if (!res.write(chunk)) await new Promise<void>((r) => res.once('drain', r));
        if (res.destroyed) break;
      }
    } catch (err) {
      // Headers are out: a failed download ends abruptly rather than looking complete.
      res.destroy(err as Error);
      return;
    } finally {
      cursor.rows.return?.();
    }
    res.end();
  } finally {
    db.close();
  }
}
