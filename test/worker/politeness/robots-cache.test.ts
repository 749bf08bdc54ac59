import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrawlError } from '../../../src/errors.js';
import { keys } from '../../../src/keys.js';
import { connectRedis } from '../../../src/redis.js';
import { ROBOTS_MAX_BYTES } from '../../../src/robots/rules.js';
import { RobotsCache, type RobotsFetch, RobotsFetchDeferred } from '../../../src/worker/politeness/robots.js';
import { startServer, type TestServer } from '../../helpers/http.js';
import { testPrefix, testRedisUrl } from '../../helpers/redis.js';

const UA = 'Foo-Bot/2.1 (+https://example.com/bot)';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the worker provides in production (through the project fetcher): follows ≤ 5 redirects, cuts at 500 KiB. */
const testFetch: RobotsFetch = async (url) => {
  let current = url;
  for (let hop = 0; ; hop++) {
    const res = await fetch(current, { redirect: 'manual' });
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location && hop < 5) {
      await res.body?.cancel();
      current = new URL(location, current).href;
      continue;
    }
    const bytes = Buffer.from(await res.arrayBuffer());
    return { status: res.status, body: bytes.subarray(0, ROBOTS_MAX_BYTES).toString('utf8') };
  }
};

const ROBOTS = [
  'User-agent: foo-bot',
  'Crawl-delay: 3',
  'Disallow: /private',
  'Allow: /private/open',
  '',
  'User-agent: *',
  'Disallow: /',
  '',
  'Sitemap: https://cdn.example.com/sitemap.xml',
  'Sitemap: /relative-sitemap.xml',
].join('\n');

type Route = (req: IncomingMessage, res: ServerResponse) => void;
let server: TestServer;
let redis: Redis;
const conns: Redis[] = [];

function text(body: string, status = 200): Route {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(body);
  };
}

/** Each test gets its own origin: a distinct path prefix is not enough (robots.txt is per origin). */
async function site(host: string, robots: Route, extra: Record<string, Route> = {}): Promise<TestServer> {
  const s = await startServer((req, res) => {
    const route = req.url === '/robots.txt' ? robots : extra[req.url ?? ''];
    if (route) return route(req, res);
    res.writeHead(404);
    res.end();
  }, host);
  servers.push(s);
  return s;
}
const servers: TestServer[] = [];

function cache(
  opts: Partial<ConstructorParameters<typeof RobotsCache>[2]> = {},
  conn?: Redis,
  prefix?: string,
) {
  return new RobotsCache(conn ?? redis, prefix ?? testPrefix(), { userAgent: UA, fetch: testFetch, ...opts });
}

beforeAll(async () => {
  redis = connectRedis(testRedisUrl());
  conns.push(redis);
  server = await site('127.0.0.2', text(ROBOTS));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all(conns.map((c) => c.quit()));
});

describe('RobotsCache', () => {
  it('applies our product token group, with its Crawl-delay', async () => {
    const c = cache();
    expect(await c.check(`${server.origin}/page`)).toEqual({ allowed: true, crawlDelaySec: 3 });
    expect(await c.check(`${server.origin}/private/x`)).toEqual({
      allowed: false,
      code: 'ROBOTS_DISALLOWED',
    });
    expect(await c.check(`${server.origin}/private/open/x`)).toMatchObject({ allowed: true });
    const other = cache({ userAgent: 'OtherBot/1' });
    expect(await other.check(`${server.origin}/page`)).toMatchObject({
      allowed: false,
      code: 'ROBOTS_DISALLOWED',
    });
  });

  it('records Sitemap lines as absolute URLs', async () => {
    const c = cache();
    expect(await c.sitemaps(server.origin)).toEqual([
      'https://cdn.example.com/sitemap.xml',
      `${server.origin}/relative-sitemap.xml`,
    ]);
  });

  it('allows everything when robots.txt is 404 (any 4xx)', async () => {
    const s = await site('127.0.0.3', text('not found', 404));
    const c = cache();
    expect(await c.check(`${s.origin}/anything`)).toEqual({ allowed: true, crawlDelaySec: null });
    const g = await site('127.0.0.3', text('gone', 410));
    expect(await c.check(`${g.origin}/x`)).toMatchObject({ allowed: true });
  });

  it('disallows everything for a while when robots.txt answers 500, then asks again', async () => {
    let status = 500;
    const s = await site('127.0.0.4', (_req, res) =>
      text('User-agent: *\nDisallow: /no\n', status)(_req, res),
    );
    const prefix = testPrefix();
    const c = cache({ errorTtlMs: 300 }, redis, prefix);
    const first = await c.check(`${s.origin}/page`);
    expect(first).toMatchObject({ allowed: false, code: 'ROBOTS_UNAVAILABLE' });
    if (!first.allowed) expect(first.retryAfterMs).toBeGreaterThan(0);
    if (!first.allowed) expect(first.retryAfterMs).toBeLessThanOrEqual(300);
    // Cached briefly, for the whole fleet.
    const sibling = cache({ errorTtlMs: 300 }, redis, prefix);
    expect(await sibling.check(`${s.origin}/page`)).toMatchObject({ code: 'ROBOTS_UNAVAILABLE' });
    expect(await c.check(`${s.origin}/page`)).toMatchObject({ code: 'ROBOTS_UNAVAILABLE' });
    expect(s.log).toHaveLength(1);
    status = 200;
    await sleep(350);
    expect(await c.check(`${s.origin}/page`)).toEqual({ allowed: true, crawlDelaySec: null });
    expect(await c.check(`${s.origin}/no`)).toMatchObject({ code: 'ROBOTS_DISALLOWED' });
  });

  it('treats 429 like a server error, not like a missing file', async () => {
    const s = await site('127.0.0.5', text('slow down', 429));
    expect(await cache().check(`${s.origin}/x`)).toMatchObject({
      allowed: false,
      code: 'ROBOTS_UNAVAILABLE',
    });
  });

  it('disallows everything when the origin is unreachable', async () => {
    const s = await site('127.0.0.6', text(''));
    const origin = s.origin;
    await s.close();
    expect(await cache().check(`${origin}/x`)).toMatchObject({ allowed: false, code: 'ROBOTS_UNAVAILABLE' });
  });

  it('follows a redirect to the real robots.txt', async () => {
    const s = await site(
      '127.0.0.7',
      (_req, res) => {
        res.writeHead(301, { location: '/moved/robots.txt' });
        res.end();
      },
      { '/moved/robots.txt': text('User-agent: *\nDisallow: /secret\n') },
    );
    const c = cache();
    expect(await c.check(`${s.origin}/secret/x`)).toMatchObject({
      allowed: false,
      code: 'ROBOTS_DISALLOWED',
    });
    expect(await c.check(`${s.origin}/public`)).toMatchObject({ allowed: true });
    expect(s.log.map((r) => r.path)).toEqual(['/robots.txt', '/moved/robots.txt']);
  });

  it('allows everything after more redirects than the fetcher follows', async () => {
    const s = await site('127.0.0.8', (_req, res) => {
      res.writeHead(302, { location: '/robots.txt' });
      res.end();
    });
    expect(await cache().check(`${s.origin}/x`)).toMatchObject({ allowed: true });
    expect(s.log).toHaveLength(6);
  });

  it('caches robots.txt in Redis for the fleet: another instance on another connection does not refetch', async () => {
    const s = await site('127.0.0.9', text('User-agent: *\nDisallow: /no\n'));
    const prefix = testPrefix();
    const a = cache({ ttlMs: 60_000 }, redis, prefix);
    expect(await a.check(`${s.origin}/no`)).toMatchObject({ allowed: false });
    const other = connectRedis(testRedisUrl());
    conns.push(other);
    const b = cache({ ttlMs: 60_000 }, other, prefix);
    expect(await b.check(`${s.origin}/no`)).toMatchObject({ allowed: false, code: 'ROBOTS_DISALLOWED' });
    expect(await b.check(`${s.origin}/yes`)).toMatchObject({ allowed: true });
    expect(s.log).toHaveLength(1);
    const key = keys(prefix).robots(s.origin);
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('shares one fetch between concurrent checks of one origin (single-flight)', async () => {
    const s = await site('127.0.0.10', async (_req, res) => {
      await sleep(100);
      text('User-agent: *\nDisallow: /no\n')(_req, res);
    });
    const c = cache();
    let fetches = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        c.check(`${s.origin}/${i % 2 ? 'no' : 'yes'}/${i}`, () => fetches++),
      ),
    );
    expect(s.log).toHaveLength(1);
    expect(fetches).toBe(1);
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
  });

  it('tells the caller whether its check made the request', async () => {
    const s = await site('127.0.0.11', text('User-agent: *\nAllow: /\n'));
    const c = cache();
    const calls: string[] = [];
    await c.check(`${s.origin}/a`, () => calls.push('a'));
    await c.check(`${s.origin}/b`, () => calls.push('b'));
    expect(calls).toEqual(['a']);
  });

  it('passes a deferred fetch (no politeness slot) to the caller without caching it', async () => {
    const s = await site('127.0.0.12', text('User-agent: *\nDisallow: /no\n'));
    let defer = true;
    const c = cache({
      fetch: async (url) => {
        if (defer) throw new RobotsFetchDeferred(250);
        return testFetch(url);
      },
    });
    await expect(c.check(`${s.origin}/no`)).rejects.toBeInstanceOf(RobotsFetchDeferred);
    defer = false;
    expect(await c.check(`${s.origin}/no`)).toMatchObject({ allowed: false, code: 'ROBOTS_DISALLOWED' });
  });

  it('reads only the first 500 KiB and ignores the line the cut went through', async () => {
    const head = 'User-agent: *\nDisallow: /\nAllow: /public\n';
    const filler = '# filler line to push the rest past the size limit\n';
    let body = head;
    while (body.length + filler.length < ROBOTS_MAX_BYTES - 9) body += filler;
    body += '#'.repeat(ROBOTS_MAX_BYTES - 9 - body.length);
    body += '\nAllow: /the-rest-of-this-line-is-past-the-cut\nDisallow: /public/after-cut\n';
    expect(Buffer.byteLength(body.slice(0, ROBOTS_MAX_BYTES))).toBe(ROBOTS_MAX_BYTES);
    expect(body.slice(0, ROBOTS_MAX_BYTES).endsWith('\nAllow: /')).toBe(true);
    const s = await site('127.0.0.13', text(body));
    const c = cache();
    // A half line `Allow: /` would tie `Disallow: /` and allow everything.
    expect(await c.check(`${s.origin}/secret`)).toMatchObject({ allowed: false, code: 'ROBOTS_DISALLOWED' });
    expect(await c.check(`${s.origin}/public/x`)).toMatchObject({ allowed: true });
    // Rules past the limit are never seen.
    expect(await c.check(`${s.origin}/public/after-cut`)).toMatchObject({ allowed: true });
  });

  it('also cuts a body the fetcher did not cut', async () => {
    const body = `User-agent: *\nDisallow: /\n${'#'.repeat(ROBOTS_MAX_BYTES)}\nAllow: /late\n`;
    const c = cache({ fetch: async () => ({ status: 200, body }) });
    expect(await c.check('http://big.example/late')).toMatchObject({ allowed: false });
  });

  it('keeps origins apart by scheme, host and port', async () => {
    const a = await site('127.0.0.14', text('User-agent: *\nDisallow: /\n'));
    const b = await site('127.0.0.14', text('User-agent: *\nAllow: /\n'));
    const c = cache();
    expect(await c.check(`${a.origin}/x`)).toMatchObject({ allowed: false });
    expect(await c.check(`${b.origin}/x`)).toMatchObject({ allowed: true });
  });

  it('lets one worker of the fleet fetch an origin while the others are told to come back', async () => {
    const s = await site('127.0.0.15', async (_req, res) => {
      await sleep(150);
      text('User-agent: *\nDisallow: /no\n')(_req, res);
    });
    const prefix = testPrefix();
    // Two caches = two worker processes (no shared in-process single-flight).
    const [a, b] = [cache({}, redis, prefix), cache({}, redis, prefix)];
    const first = a.check(`${s.origin}/no`);
    await sleep(30);
    await expect(b.check(`${s.origin}/no`)).rejects.toBeInstanceOf(RobotsFetchDeferred);
    expect(await first).toMatchObject({ code: 'ROBOTS_DISALLOWED' });
    expect(await b.check(`${s.origin}/no`)).toMatchObject({ code: 'ROBOTS_DISALLOWED' });
    expect(s.log).toHaveLength(1);
    expect(await redis.exists(keys(prefix).robotsLock(s.origin))).toBe(0);
  });

  it("hands the caller's context to fetch (the crawl, its host key and limits)", async () => {
    const seen: unknown[] = [];
    const c = cache({
      fetch: async (_url, ctx) => {
        seen.push(ctx);
        return { status: 404, body: '' };
      },
    });
    const ctx = { crawl: 'c', hostKey: 'example.co.uk', limits: { ratePerSec: 1, concurrency: 1 } };
    expect(await c.check('http://a.example.co.uk/x', undefined, ctx)).toMatchObject({ allowed: true });
    expect(seen).toEqual([ctx]);
  });

  it('allows everything after too many redirects reported by the fetcher as an error (RFC 9309 §2.3.1.2)', async () => {
    const c = cache({
      fetch: async () => {
        throw new CrawlError('TOO_MANY_REDIRECTS', 'more than 5 redirects');
      },
    });
    expect(await c.check('http://loop.example/x')).toEqual({ allowed: true, crawlDelaySec: null });
  });

  it('passes errors no request to the host could survive to the caller, uncached', async () => {
    let calls = 0;
    const c = cache({
      fetch: async () => {
        calls++;
        throw new CrawlError('BLOCKED_PRIVATE_ADDRESS', '10.0.0.1 is a private address');
      },
    });
    await expect(c.check('http://intranet.example/x')).rejects.toMatchObject({
      code: 'BLOCKED_PRIVATE_ADDRESS',
    });
    await expect(c.check('http://intranet.example/y')).rejects.toMatchObject({
      code: 'BLOCKED_PRIVATE_ADDRESS',
    });
    expect(calls).toBe(2);
  });

  it('refuses a user agent without a product token', () => {
    expect(() => cache({ userAgent: '(compatible)' })).toThrow(/product token/);
  });
});
