/**
 * robots.txt per origin (RFC 9309), cached fleet-wide in Redis and in a small in-process LRU.
 *
 * Politeness: the robots.txt request counts against the host's budget. The cache does no gating
 * itself: the worker provides `fetch` and gates it (or calls `check` while holding the host's slot;
 * `check`'s `onFetch` callback tells it a request was actually made). A `fetch` that cannot run now
 * (no slot) throws `RobotsFetchDeferred`: that is passed to the caller and not cached.
 */
import type { Redis } from 'ioredis';
import { type ErrorCode, isCrawlError } from '../../errors.js';
import { keys } from '../../keys.js';
import {
  dropPartialLastLine,
  isPathAllowed,
  type ParsedRobots,
  parseRobots,
  productToken,
  ROBOTS_MAX_BYTES,
  type RobotsPolicy,
  selectPolicy,
} from '../../robots/rules.js';

/**
 * What the caller knows about the request that needs robots.txt, passed through to `fetch` so it can
 * charge the robots request to the right politeness budget (the crawl's host key and limits).
 */
export interface RobotsFetchContext {
  /** The crawl whose request needs robots.txt: the fetch takes a slot of its budget at the host. */
  crawl: string;
  hostKey: string;
  limits: { ratePerSec: number; concurrency: number };
}

/**
 * Follows up to ROBOTS_MAX_REDIRECTS redirects itself; body cut at ROBOTS_MAX_BYTES; throws on network failure.
 * A CrawlError TOO_MANY_REDIRECTS / BAD_REDIRECT counts as "no robots.txt" (RFC 9309 §2.3.1.2).
 */
export type RobotsFetch = (
  url: string,
  ctx?: RobotsFetchContext,
) => Promise<{ status: number; body: string }>;

export type RobotsVerdict =
  | { allowed: true; crawlDelaySec: number | null }
  | { allowed: false; code: 'ROBOTS_DISALLOWED' | 'ROBOTS_UNAVAILABLE'; retryAfterMs?: number };

export interface RobotsCacheOptions {
  userAgent: string;
  /** How long a fetched robots.txt (or a 4xx) is trusted. Default 24 h. */
  ttlMs?: number;
  fetch: RobotsFetch;
  /** How long a 5xx / unreachable robots.txt blocks the origin before it is fetched again. Default 60 s. */
  errorTtlMs?: number;
  /** Origins kept parsed in memory. Default 1000. */
  lruSize?: number;
  /**
   * One worker of the fleet fetches an origin's robots.txt at a time (a Redis lock held this long at
   * most); the others are told to come back (RobotsFetchDeferred). Default 30 s.
   */
  lockMs?: number;
}

/**
 * Fetch errors that end the page itself with the same code (no request to the host could succeed, so
 * "unavailable, retry later" would only hide the cause): the error is passed to the caller, never cached.
 */
const HOST_FATAL: ReadonlySet<ErrorCode> = new Set([
  'BLOCKED_PRIVATE_ADDRESS',
  'DNS_NOT_FOUND',
  'TLS_ERROR',
  'INVALID_URL',
]);
/** A waiting check asks again this soon while another worker holds the origin's fetch lock. */
const LOCK_RETRY_MS = 250;

/** Thrown by a RobotsFetch that cannot fetch right now (e.g. no politeness slot); never cached. */
export class RobotsFetchDeferred extends Error {
  constructor(
    readonly waitMs: number,
    message = `robots.txt fetch deferred for ${waitMs} ms`,
  ) {
    super(message);
    this.name = 'RobotsFetchDeferred';
  }
}

/** What Redis holds per origin: the raw text (each worker selects its own group), or the verdict. */
type Stored = { k: 'ok'; body: string } | { k: 'allow'; status: number } | { k: 'unavailable'; why: string };

type Entry =
  | { kind: 'rules'; policy: RobotsPolicy; sitemaps: string[]; expiresAt: number }
  | { kind: 'allow'; expiresAt: number }
  | { kind: 'unavailable'; expiresAt: number };

export class RobotsCache {
  private readonly key: (origin: string) => string;
  private readonly lockKey: (origin: string) => string;
  private readonly lockMs: number;
  private readonly lockToken = `${process.pid}:${Math.random().toString(36).slice(2, 10)}`;
  private readonly userAgent: string;
  private readonly ttlMs: number;
  private readonly errorTtlMs: number;
  private readonly lruSize: number;
  private readonly fetchRobots: RobotsFetch;
  private readonly lru = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<Entry>>();

  constructor(
    private readonly redis: Redis,
    prefix: string,
    opts: RobotsCacheOptions,
  ) {
    if (!productToken(opts.userAgent)) {
      throw new Error(`user agent "${opts.userAgent}" must start with a product token (letters, "_" or "-")`);
    }
    this.key = keys(prefix).robots;
    this.lockKey = keys(prefix).robotsLock;
    this.lockMs = opts.lockMs ?? 30_000;
    this.userAgent = opts.userAgent;
    this.ttlMs = opts.ttlMs ?? 24 * 3600_000;
    this.errorTtlMs = opts.errorTtlMs ?? 60_000;
    this.lruSize = opts.lruSize ?? 1000;
    this.fetchRobots = opts.fetch;
  }

  /**
   * May our user agent fetch `url`? 4xx robots.txt → allowed; 5xx, 429 or unreachable → ROBOTS_UNAVAILABLE
   * with retryAfterMs until the next attempt. `onFetch` is called when this call makes the request; `ctx`
   * is handed to `fetch`. Throws RobotsFetchDeferred (ask again later) and HOST_FATAL CrawlErrors.
   */
  async check(url: string, onFetch?: () => void, ctx?: RobotsFetchContext): Promise<RobotsVerdict> {
    const u = new URL(url);
    const entry = await this.entry(u.origin, onFetch, ctx);
    if (entry.kind === 'unavailable') {
      return {
        allowed: false,
        code: 'ROBOTS_UNAVAILABLE',
        retryAfterMs: Math.max(1, entry.expiresAt - Date.now()),
      };
    }
    if (entry.kind === 'allow') return { allowed: true, crawlDelaySec: null };
    if (!isPathAllowed(entry.policy, u.pathname + u.search))
      return { allowed: false, code: 'ROBOTS_DISALLOWED' };
    return { allowed: true, crawlDelaySec: entry.policy.crawlDelaySec };
  }

  /** `Sitemap:` URLs of an origin's robots.txt (absolute; [] when it has none or is unavailable). */
  async sitemaps(origin: string, onFetch?: () => void, ctx?: RobotsFetchContext): Promise<string[]> {
    const entry = await this.entry(new URL(origin).origin, onFetch, ctx);
    return entry.kind === 'rules' ? [...entry.sitemaps] : [];
  }

  private async entry(origin: string, onFetch?: () => void, ctx?: RobotsFetchContext): Promise<Entry> {
    const hit = this.lru.get(origin);
    if (hit) {
      this.lru.delete(origin);
      if (hit.expiresAt > Date.now()) {
        this.lru.set(origin, hit);
        return hit;
      }
    }
    let p = this.inflight.get(origin);
    if (!p) {
      p = this.load(origin, onFetch, ctx).finally(() => this.inflight.delete(origin));
      this.inflight.set(origin, p);
    }
    const entry = await p;
    this.lru.set(origin, entry);
    while (this.lru.size > this.lruSize) this.lru.delete(this.lru.keys().next().value as string);
    return entry;
  }

  private async load(origin: string, onFetch?: () => void, ctx?: RobotsFetchContext): Promise<Entry> {
    const key = this.key(origin);
    const cached = await this.cached(origin);
    if (cached) return cached;

    // Fetched once for the whole fleet: whoever takes the lock fetches, the others come back shortly.
    const lock = this.lockKey(origin);
    if ((await this.redis.set(lock, this.lockToken, 'PX', this.lockMs, 'NX')) === null) {
      throw new RobotsFetchDeferred(
        LOCK_RETRY_MS,
        `robots.txt of ${origin} is being fetched by another worker`,
      );
    }
    try {
      // It may have been stored between our read and our lock.
      const again = await this.cached(origin);
      if (again) return again;
      onFetch?.();
      const stored = await this.fetchAndClassify(origin, ctx);
      const ttl = stored.k === 'unavailable' ? this.errorTtlMs : this.ttlMs;
      await this.redis.set(key, JSON.stringify(stored), 'PX', ttl);
      return this.toEntry(origin, stored, Date.now() + ttl);
    } finally {
      if ((await this.redis.get(lock)) === this.lockToken) await this.redis.del(lock);
    }
  }

  private async cached(origin: string): Promise<Entry | null> {
    const key = this.key(origin);
    const [[, raw], [, pttl]] = (await this.redis.pipeline().get(key).pttl(key).exec()) as [
      [unknown, string | null],
      [unknown, number],
    ];
    const stored = raw === null ? null : decode(raw);
    return stored ? this.toEntry(origin, stored, Date.now() + (pttl > 0 ? pttl : this.errorTtlMs)) : null;
  }

  private async fetchAndClassify(origin: string, ctx?: RobotsFetchContext): Promise<Stored> {
    let res: { status: number; body: string };
    try {
      res = await this.fetchRobots(`${origin}/robots.txt`, ctx);
    } catch (err) {
      if (err instanceof RobotsFetchDeferred) throw err;
      if (isCrawlError(err)) {
        // More than 5 redirects (or a broken one) is "unavailable" in RFC 9309 terms: no rules apply.
        if (err.code === 'TOO_MANY_REDIRECTS' || err.code === 'BAD_REDIRECT')
          return { k: 'allow', status: 0 };
        if (HOST_FATAL.has(err.code)) throw err;
      }
      return { k: 'unavailable', why: (err as Error)?.message ?? String(err) };
    }
    const { status } = res;
    if (status >= 200 && status < 300) return { k: 'ok', body: cut(res.body) };
    // 429 is a server asking us to slow down, not a missing file: treat it like 5xx (as Google does).
    if (status === 429 || status >= 500) return { k: 'unavailable', why: `HTTP ${status}` };
    // 4xx (RFC 9309 §2.3.1.3) and a redirect chain longer than the fetcher follows (§2.3.1.2): no rules.
    return { k: 'allow', status };
  }

  private toEntry(origin: string, s: Stored, expiresAt: number): Entry {
    if (s.k === 'allow') return { kind: 'allow', expiresAt };
    if (s.k === 'unavailable') return { kind: 'unavailable', expiresAt };
    const parsed: ParsedRobots = parseRobots(s.body);
    return {
      kind: 'rules',
      policy: selectPolicy(parsed, this.userAgent),
      sitemaps: absoluteUrls(parsed.sitemaps, origin),
      expiresAt,
    };
  }
}

/** Keeps at most ROBOTS_MAX_BYTES (in case the fetcher did not) and drops a half-cut last line. */
function cut(body: string): string {
  if (Buffer.byteLength(body, 'utf8') < ROBOTS_MAX_BYTES) return body;
  return dropPartialLastLine(Buffer.from(body, 'utf8').subarray(0, ROBOTS_MAX_BYTES).toString('utf8'));
}

function decode(raw: string): Stored | null {
  try {
    const v = JSON.parse(raw) as Stored;
    return v && (v.k === 'ok' || v.k === 'allow' || v.k === 'unavailable') ? v : null;
  } catch {
    return null;
  }
}

function absoluteUrls(values: string[], origin: string): string[] {
  const out: string[] = [];
  for (const v of values) {
    try {
      const u = new URL(v, origin);
      if (u.protocol === 'http:' || u.protocol === 'https:') out.push(u.href);
    } catch {
      // not a URL: ignored
    }
  }
  return out;
}
