/**
 * `metacrawl serve`: the results explorer. A node:http server rendering HTML from a read-only connection,
 * with a strict CSP on every response; Bull Board at /queues when a Redis URL is given.
 *
 * Routes: /  ·  /crawl/<name>  ·  /page/<id>  ·  /sql?q=  ·  /sql.csv?q=  ·  /sql.json?q=  ·  /static/*  ·  /queues/
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { openDb } from '../store/index.js';
import { APP_JS, STYLE_CSS } from './assets.js';
import { QUEUES_PATH, type QueueBoard, startQueueBoard } from './bull-board.js';
import { parseTableQuery } from './filters.js';
import { type Html, html, layout } from './html.js';
import { ExplorerReader, openReadOnly } from './reader.js';
import { download, firstRows, openCursor, SqlError } from './sql-runner.js';
import { crawlView } from './views/crawl.js';
import { crawlsView } from './views/crawls.js';
import { pageView } from './views/page.js';
import { sqlView } from './views/sql.js';

export interface ExplorerOptions {
  dbPath: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Mounts Bull Board at /queues when given. */
  redisUrl?: string | null;
  prefix?: string;
}

export interface Explorer {
  url: string;
  close(): Promise<void>;
}

/** Rows the SQL box shows; downloads carry every row. */
export const SQL_DISPLAY_CAP = 1000;

export const CSP =
  "default-src 'none'; style-src 'self'; img-src 'self' http: https: data:; script-src 'self'; " +
  "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
/** Bull Board's React UI sets inline styles and loads its font stylesheet; still no inline script. */
const QUEUES_CSP =
  "default-src 'self'; style-src 'self' 'unsafe-inline' https://fonts.googleapis.com; " +
  "font-src 'self' https://fonts.gstatic.com data:; img-src 'self' data:; script-src 'self'; " +
  "connect-src 'self'; form-action 'self'; base-uri 'self'; frame-ancestors 'none'";

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function securityHeaders(res: ServerResponse, csp: string): void {
  res.setHeader('Content-Security-Policy', csp);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

function send(req: IncomingMessage, res: ServerResponse, status: number, type: string, body: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  if (!res.hasHeader('Cache-Control')) res.setHeader('Cache-Control', 'no-store');
  res.end(req.method === 'HEAD' ? undefined : body);
}

function sendHtml(req: IncomingMessage, res: ServerResponse, status: number, page: Html): void {
  send(req, res, status, 'text/html; charset=utf-8', page.text);
}

function errorPage(status: number, message: string, queues: boolean): Html {
  const title = status === 404 ? 'Not found' : status === 400 ? 'Bad request' : 'Error';
  return layout(
    { title, queues },
    html`<h1>${title}</h1><p class="error">${message}</p><p><a href="/">Back to the crawls</a></p>`,
  );
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** DNS-rebinding guard: a server bound to loopback only answers requests addressed to loopback. */
function hostAllowed(req: IncomingMessage, boundHost: string): boolean {
  if (!LOOPBACK.has(boundHost) && !boundHost.startsWith('127.')) return true;
  const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
  return LOOPBACK.has(host) || host.startsWith('127.');
}

export async function startExplorer(opts: ExplorerOptions): Promise<Explorer> {
  const host = opts.host ?? '127.0.0.1';
  const reader = new ExplorerReader(openReadOnly(opts.dbPath));
  reader.warm();
  let board: QueueBoard | null = null;
  if (opts.redisUrl) board = startQueueBoard(opts.redisUrl, opts.prefix ?? 'metacrawl');
  const queues = board !== null;

  const routes = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const path = url.pathname;
    if (path === '/') return sendHtml(req, res, 200, crawlsView(reader.crawls(), queues));
    if (path === '/static/style.css') {
      res.setHeader('Cache-Control', 'public, max-age=300');
      return send(req, res, 200, 'text/css; charset=utf-8', STYLE_CSS);
    }
    if (path === '/static/app.js') {
      res.setHeader('Cache-Control', 'public, max-age=300');
      return send(req, res, 200, 'text/javascript; charset=utf-8', APP_JS);
    }
    if (path === '/favicon.ico') {
      res.statusCode = 204;
      return void res.end();
    }
    const crawlMatch = /^\/crawl\/([^/]+)$/.exec(path);
    if (crawlMatch) {
      const name = decodeURIComponent(crawlMatch[1]);
      const crawl = reader.crawlByName(name);
      if (!crawl) throw new HttpError(404, `No crawl named ${name} in this database.`);
      const table = parseTableQuery(url.searchParams);
      const breakdown = reader.breakdown(crawl.id);
      if (table.q) {
        const search = reader.search(crawl.id, table);
        const view = crawlView({
          crawl,
          breakdown,
          table,
          rows: search.rows,
          more: false,
          count: 0,
          search,
          queues,
        });
        return sendHtml(req, res, 200, view);
      }
      const { rows, more } = reader.pages(crawl.id, table);
      const count = reader.count(crawl.id, table);
      return sendHtml(
        req,
        res,
        200,
        crawlView({ crawl, breakdown, table, rows, more, count, search: null, queues }),
      );
    }
    const pageMatch = /^\/page\/(\d{1,15})$/.exec(path);
    if (pageMatch) {
      const page = reader.page(Number(pageMatch[1]));
      if (!page) throw new HttpError(404, `No page with id ${pageMatch[1]}.`);
      const id = page.id as number;
      const crawlId = page.crawl_id as number;
      const view = pageView({
        page,
        crawl: reader.crawlName(crawlId) ?? String(crawlId),
        meta: reader.meta(id),
        links: reader.links(id),
        jsonld: reader.jsonld(id),
        linkedFrom: reader.linkedFrom(crawlId, [String(page.url), String(page.final_url ?? '')]),
        queues,
      });
      return sendHtml(req, res, 200, view);
    }
    if (path === '/sql') {
      const sql = url.searchParams.get('q') ?? '';
      if (sql.trim() === '') {
        return sendHtml(
          req,
          res,
          200,
          sqlView({ sql, result: null, error: null, cap: SQL_DISPLAY_CAP, queues }),
        );
      }
      try {
        const t = performance.now();
        const r = firstRows(reader.db, sql, SQL_DISPLAY_CAP);
        const result = { ...r, ms: performance.now() - t };
        return sendHtml(req, res, 200, sqlView({ sql, result, error: null, cap: SQL_DISPLAY_CAP, queues }));
      } catch (err) {
        if (!(err instanceof SqlError)) throw err;
        const view = sqlView({ sql, result: null, error: err.message, cap: SQL_DISPLAY_CAP, queues });
        return sendHtml(req, res, 400, view);
      }
    }
    if (path === '/sql.csv' || path === '/sql.json') {
      return sqlDownload(
        req,
        res,
        opts.dbPath,
        url.searchParams.get('q') ?? '',
        path.endsWith('.csv') ? 'csv' : 'json',
      );
    }
    throw new HttpError(404, `Nothing at ${path}.`);
  };

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://explorer.invalid');
    const isQueues =
      board !== null && (url.pathname === QUEUES_PATH || url.pathname.startsWith(`${QUEUES_PATH}/`));
    securityHeaders(res, isQueues ? QUEUES_CSP : CSP);
    if (!hostAllowed(req, host)) {
      send(
        req,
        res,
        421,
        'text/plain; charset=utf-8',
        'This explorer only answers requests addressed to loopback.\n',
      );
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      send(req, res, 405, 'text/plain; charset=utf-8', 'Only GET and HEAD are allowed.\n');
      return;
    }
    if (isQueues && board) {
      board.handle(req, res);
      return;
    }
    routes(req, res, url).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      const message = err instanceof Error ? err.message : String(err);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendHtml(req, res, status, errorPage(status, message, queues));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 8080, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    reader.close();
    await board?.close();
    throw err;
  }
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shownHost}:${addr.port}/`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      reader.close();
      await board?.close();
    },
  };
}

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
