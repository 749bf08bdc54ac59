/**
 * `metacrawl serve`: the results explorer. A node:http server rendering HTML from a read-only connection,
 * with a strict CSP on every response; Bull Board at /queues when a Redis URL is given. This file is the
 * HTTP setup; the routes live in routes/, one module per group, and render with views/.
 *
 * Routes: /  ·  /crawl/<name>  ·  /crawl/<name>/audit[/<check>[.csv]]  ·  /page/<id>  ·  /sql?q=  ·  /sql.csv?q=  ·  /sql.json?q=  ·  /static/*  ·  /queues/
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { QUEUES_PATH, type QueueBoard, startQueueBoard } from './bull-board.js';
import {
  CSP,
  errorPage,
  HttpError,
  hostAllowed,
  QUEUES_CSP,
  type RouteContext,
  type Routes,
  securityHeaders,
  send,
  sendHtml,
} from './http.js';
import { ExplorerReader, openReadOnly } from './reader.js';
import { auditRoutes } from './routes/audit.js';
import { crawlRoutes } from './routes/crawls.js';
import { exportRoutes } from './routes/export.js';
import { pageRoutes } from './routes/page.js';
import { sqlRoutes } from './routes/sql.js';
import { staticRoutes } from './routes/static.js';

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

const ROUTES: readonly Routes[] = [
  crawlRoutes,
  auditRoutes,
  exportRoutes,
  pageRoutes,
  sqlRoutes,
  staticRoutes,
];

export async function startExplorer(opts: ExplorerOptions): Promise<Explorer> {
  const host = opts.host ?? '127.0.0.1';
  const reader = new ExplorerReader(openReadOnly(opts.dbPath));
  reader.warm();
  let board: QueueBoard | null = null;
  if (opts.redisUrl) board = startQueueBoard(opts.redisUrl, opts.prefix ?? 'metacrawl');
  const ctx: RouteContext = { reader, dbPath: opts.dbPath, queues: board !== null };

  const route = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    for (const routes of ROUTES) if (await routes(ctx, req, res, url)) return;
    throw new HttpError(404, `Nothing at ${url.pathname}.`);
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
    route(req, res, url).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      const message = err instanceof Error ? err.message : String(err);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendHtml(req, res, status, errorPage(status, message, ctx.queues));
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
