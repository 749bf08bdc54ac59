/**
 * The fetcher: one undici Agent (keep-alive, `connections` per origin, header size and idle timeouts) whose
 * connector carries the SSRF guard, `undici.request` for speed, and a manual redirect loop so every hop is
 * recorded and checked. One AbortSignal bounds the whole chain, body included.
 */
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Agent } from 'undici';
import { undici } from '../deps/undici.js';
import { CrawlError } from '../errors.js';
import type { RedirectHop } from '../types.js';
import { createAddressPolicy } from './address-policy.js';
import { readBody } from './body.js';
import { mimeType } from './content-type.js';
import { Exchange } from './exchange.js';
import { blockedError, guardedConnector, type Policy } from './guard.js';
import { toCrawlError } from './map-error.js';
import {
  type CapturedExchange,
  DEFAULT_ACCEPT,
  FETCH_DEFAULTS,
  type FetchOptions,
  type FetchResult,
  resolveOptions,
} from './options.js';
import { nextHop, parseTarget, redactUrl } from './url.js';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_HEADER_SIZE = 64 * 1024;
const REDIRECT_BODY_MAX = 64 * 1024;
const MAX_CONNECT_TIMEOUT_MS = 10_000;
// Sent only to the origin they were given for.
const ORIGIN_BOUND_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

/** The hop being fetched, for error messages and for the time budget to cut it. */
interface Current {
  url: string;
  exchange: Exchange | null;
}

interface Guarded {
  agent: Agent;
  policy: Policy;
}

export class Fetcher {
  private readonly defaults: FetchOptions;
  private readonly connections: number;
  private readonly agents = new Map<string, Guarded>();
  /** Remote address of the latest connection per origin (undici does not expose a response's socket). */
  private readonly addresses = new Map<string, string>();
  /** After close() or destroy(): a late caller gets an error, not a new Agent that close() would never end. */
  private closed = false;

  constructor(opts: Partial<FetchOptions> & { connections?: number } = {}) {
    const { connections, ...rest } = opts;
    this.defaults = resolveOptions(FETCH_DEFAULTS, rest);
    this.connections = connections ?? 8;
    if (!(Number.isInteger(this.connections) && this.connections > 0)) {
      throw new TypeError('connections must be a positive integer');
    }
    createAddressPolicy(this.defaults.allowPrivate); // validates the allowlist up front
  }

  async fetch(url: string, overrides: Partial<FetchOptions> = {}): Promise<FetchResult> {
    if (this.closed) throw new Error(`GET ${redactUrl(url)}: the fetcher is closed`);
    const opts = resolveOptions(this.defaults, overrides);
    const started = performance.now();
    const controller = new AbortController();
    const current: Current = { url: redactUrl(url), exchange: null };
    const timer = setTimeout(() => {
      controller.abort(new Error('total time budget spent'));
      current.exchange?.abort(controller.signal.reason);
    }, opts.timeoutMs);
    try {
      return await this.run(url, opts, controller.signal, started, current);
    } catch (err) {
      throw toCrawlError(err, {
        method: 'GET',
        url: current.url,
        timeoutMs: opts.timeoutMs,
        timedOut: controller.signal.aborted,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes idle connections and waits for the requests in flight (bound it: see destroy()). */
  async close(): Promise<void> {
    this.closed = true;
    const agents = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(agents.map((g) => g.agent.close()));
  }

  /** Aborts every request in flight (they fail) and closes the connections: for a forced stop. */
  async destroy(): Promise<void> {
    this.closed = true;
    const agents = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(agents.map((g) => g.agent.destroy().catch(() => {})));
  }

  private async run(
    url: string,
    opts: FetchOptions,
    signal: AbortSignal,
    started: number,
    current: Current,
  ): Promise<FetchResult> {
    const { agent, policy } = this.guarded(opts);
    const redirects: RedirectHop[] = [];
    const seen = new Set<string>();
    let target = parseTarget(url);
    let headers = requestHeaders(opts);
    const exchanges: CapturedExchange[] | undefined = opts.capture ? [] : undefined;
    for (;;) {
      current.url = target.href;
      // IP literals never go through DNS: judge them before dispatching, so nothing connects at all.
      if (isIP(target.hostname.replace(/^\[|\]$/g, ''))) {
        const host = target.hostname.replace(/^\[|\]$/g, '');
        const verdict = policy(host);
        if (!verdict.allowed) throw blockedError(host, verdict);
      }
      seen.add(target.href);
      const sentAt = exchanges ? new Date().toISOString() : '';
      signal.throwIfAborted();
      const exchange = new Exchange();
      current.exchange = exchange;
      agent.dispatch(
        {
          origin: target.origin,
          path: target.search ? `${target.pathname}${target.search}` : target.pathname,
          method: 'GET',
          headers,
          headersTimeout: opts.timeoutMs,
          bodyTimeout: opts.timeoutMs,
        },
        exchange,
      );
      const res = await exchange.head;
      const resHeaders = joinHeaders(res.headers);
      const capture = (body: Buffer, truncated: boolean, wire: Buffer | null | undefined) =>
        exchanges?.push({
          url: target.href,
          date: sentAt,
          requestHeaders: headers,
          status: res.statusCode,
          responseHeaders: headerLines(res.headers),
          body,
          wire: wire ?? null,
          truncated,
          remoteAddress: this.addresses.get(target.origin) ?? null,
        });
      if (REDIRECT_STATUSES.has(res.statusCode)) {
        if (exchanges) {
          const r = await readBody(exchange, resHeaders['content-encoding'], REDIRECT_BODY_MAX, signal, true);
          capture(r.body, r.truncated, r.wire);
        } else await exchange.dump(REDIRECT_BODY_MAX);
        const next = nextHop(target, resHeaders.location, res.statusCode);
        redirects.push({ url: target.href, status: res.statusCode });
        if (seen.has(next.href)) {
          throw new CrawlError('TOO_MANY_REDIRECTS', `redirect loop: ${res.statusCode} back to ${next.href}`);
        }
        if (redirects.length > opts.maxRedirects) {
          throw new CrawlError('TOO_MANY_REDIRECTS', `more than ${opts.maxRedirects} redirects`);
        }
        if (next.origin !== target.origin) headers = dropOriginBound(headers);
        target = next;
        continue;
      }
      const { body, truncated, wire } = await readBody(
        exchange,
        resHeaders['content-encoding'],
        opts.maxBytes,
        signal,
        exchanges !== undefined,
      );
      capture(body, truncated, wire);
      return {
        url,
        finalUrl: target.href,
        status: res.statusCode,
        headers: resHeaders,
        contentType: mimeType(resHeaders['content-type'] ?? null),
        redirects,
        body,
        bytes: body.length,
        truncated,
        elapsedMs: Math.round(performance.now() - started),
        remoteAddress: this.addresses.get(target.origin) ?? null,
        ...(exchanges ? { exchanges } : {}),
      };
    }
  }

  /** One Agent per address policy, so a connection opened under a looser policy is never reused by a stricter one. */
  private guarded(opts: FetchOptions): Guarded {
    const key = JSON.stringify(opts.allowPrivate);
    let g = this.agents.get(key);
    if (!g) {
      const policy = createAddressPolicy(opts.allowPrivate);
      const agent = new undici.Agent({
        connections: this.connections,
        maxHeaderSize: MAX_HEADER_SIZE,
        headersTimeout: this.defaults.timeoutMs,
        bodyTimeout: this.defaults.timeoutMs,
        connect: guardedConnector({
          policy,
          connectTimeoutMs: Math.min(MAX_CONNECT_TIMEOUT_MS, this.defaults.timeoutMs),
          onConnect: (origin, address) => this.addresses.set(origin, address),
        }),
      });
      g = { agent, policy };
      this.agents.set(key, g);
    }
    return g;
  }
}

function requestHeaders(opts: FetchOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.headers ?? {})) headers[k.toLowerCase()] = v;
  headers['user-agent'] = opts.userAgent;
  headers.accept = opts.accept ?? headers.accept ?? DEFAULT_ACCEPT;
  // Only codings readBody can undo.
  headers['accept-encoding'] = 'gzip, deflate, br';
  return headers;
}

function dropOriginBound(headers: Record<string, string>): Record<string, string> {
  const out = { ...headers };
  for (const h of ORIGIN_BOUND_HEADERS) delete out[h];
  return out;
}

function joinHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function headerLines(raw: Record<string, string | string[] | undefined>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(raw)) {
    if (Array.isArray(v)) for (const one of v) out.push([k, one]);
    else if (v !== undefined) out.push([k, v]);
  }
  return out;
}
