/**
 * The explorer's HTTP plumbing: security headers (a strict CSP on every response), sending a body or an
 * HTML page, error pages, the loopback guard, and what a route group gets and returns.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Html, html, layout } from './html.js';
import type { ExplorerReader } from './reader.js';

export const CSP =
  "default-src 'none'; style-src 'self'; img-src 'self' http: https: data:; script-src 'self'; " +
  "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
/** Bull Board's React UI sets inline styles and loads its font stylesheet; still no inline script. */
export const QUEUES_CSP =
  "default-src 'self'; style-src 'self' 'unsafe-inline' https://fonts.googleapis.com; " +
  "font-src 'self' https://fonts.gstatic.com data:; img-src 'self' data:; script-src 'self'; " +
  "connect-src 'self'; form-action 'self'; base-uri 'self'; frame-ancestors 'none'";

/** Thrown by a route: answered with an error page of this status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** What every route group is given: the read-only reader, the database path (downloads open their own). */
export interface RouteContext {
  reader: ExplorerReader;
  dbPath: string;
  /** Whether Bull Board is mounted (the layout links to it). */
  queues: boolean;
}

/** A route group: answers the request and returns true, or returns false when the path is not its own. */
export type Routes = (
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
) => Promise<boolean>;

export function securityHeaders(res: ServerResponse, csp: string): void {
  res.setHeader('Content-Security-Policy', csp);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

export function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
): void {
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  if (!res.hasHeader('Cache-Control')) res.setHeader('Cache-Control', 'no-store');
  res.end(req.method === 'HEAD' ? undefined : body);
}

export function sendHtml(req: IncomingMessage, res: ServerResponse, status: number, page: Html): void {
  send(req, res, status, 'text/html; charset=utf-8', page.text);
}

export function errorPage(status: number, message: string, queues: boolean): Html {
  const title = status === 404 ? 'Not found' : status === 400 ? 'Bad request' : 'Error';
  return layout(
    { title, queues },
    html`<h1>${title}</h1><p class="error">${message}</p><p><a href="/">Back to the crawls</a></p>`,
  );
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** DNS-rebinding guard: a server bound to loopback only answers requests addressed to loopback. */
export function hostAllowed(req: IncomingMessage, boundHost: string): boolean {
  if (!LOOPBACK.has(boundHost) && !boundHost.startsWith('127.')) return true;
  const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
  return LOOPBACK.has(host) || host.startsWith('127.');
}
