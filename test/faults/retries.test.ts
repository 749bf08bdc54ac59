/**
 * Retries: transient failures (5xx, resets, refused connections, timeouts) are retried with exponential
 * backoff up to --retries; permanent ones (4xx, not HTML, DNS name not found) are not. The final row has
 * the stable code, the attempt count and an error_detail naming the request. A 429 throttles the host
 * and costs no attempt.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/redis.js';
import { html, startServer, type TestServer } from '../helpers/http.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';
import { byUrl, cleanup, pageRows, runCli, seedFile, simplePage, tempDir } from './helpers.js';

let dir: string;
const servers: TestServer[] = [];
let main: TestServer;
let reset: TestServer;
let hang: TestServer;
let throttle: TestServer;
const hitsOf = new Map<string, number>();

function count(key: string): number {
  const n = (hitsOf.get(key) ?? 0) + 1;
  hitsOf.set(key, n);
  return n;
}

beforeAll(async () => {
  dir = tempDir('retries');
  // One host per kind of failure: connection failures pause their host, which must not slow the others.
  main = await startServer((req, res) => {
    const path = req.url ?? '/';
    if (path === '/robots.txt') return void res.writeHead(404).end();
    if (path === '/500') return void html(res, 'boom', 500);
    if (path === '/flaky')
      return void (count(path) <= 2 ? html(res, 'down', 502) : html(res, simplePage('ok')));
    if (path === '/404') return void html(res, 'gone', 404);
    if (path === '/png') {
      res.writeHead(200, { 'content-type': 'image/png' });
      return void res.end(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]));
    }
    html(res, simplePage('ok'));
  }, '127.0.0.51');
  reset = await startServer((req, res) => {
    if (req.url === '/robots.txt') return void res.writeHead(404).end();
    req.socket.destroy();
  }, '127.0.0.52');
  hang = await startServer((req, res) => {
    if (req.url === '/robots.txt') return void res.writeHead(404).end();
    // Never answers.
  }, '127.0.0.53');
  throttle = await startServer((req, res) => {
    if (req.url === '/robots.txt') return void res.writeHead(404).end();
    if (count('429') <= 2) return void html(res, 'slow down', 429, { 'retry-after': '1' });
    html(res, simplePage('finally'));
  }, '127.0.0.54');
  servers.push(main, reset, hang, throttle);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  cleanup();
});

function crawl(name: string, seeds: string[], extra: string[], env: Record<string, string>) {
  return runCli(
    [
      'crawl',
      seedFile(dir, `${name}.txt`, seeds),
      '--crawl',
      name,
      '--db',
      `${dir}/${name}.db`,
      '--redis',
      testRedisUrl(),
      '--prefix',
      testPrefix(),
      '--allow-private',
      '--host-rate',
      '0',
      '--no-progress',
      '--log-level',
      'warn',
      ...extra,
    ],
    { env },
  );
}

const requests = (s: TestServer, path: string) => s.log.filter((l) => l.path === path);

describe('retries and final rows', () => {
  it('retries transient failures with growing backoff and never retries permanent ones', async () => {
    const refusedPort = await freePort();
    const u = {
      e500: `${main.origin}/500`,
      flaky: `${main.origin}/flaky`,
      e404: `${main.origin}/404`,
      png: `${main.origin}/png`,
      dns: 'http://no-such-host.invalid/page',
      e429: `${throttle.origin}/429`,
      reset: `${reset.origin}/reset`,
      refused: `http://127.0.0.55:${refusedPort}/refused`,
      hang: `${hang.origin}/hang`,
    };
    // Default --retries (3), backoff base 200 ms; and --retries 1 where every failure also pauses the host
    // (robots.txt ignored there: an unreachable robots.txt is ROBOTS_UNAVAILABLE, tested with politeness).
    const [a, b] = await Promise.all([
      crawl('retry-default', [u.e500, u.flaky, u.e404, u.png, u.dns, u.e429], [], {
        METACRAWL_BACKOFF_MS: '200',
      }),
      crawl(
        'retry-one',
        [u.reset, u.refused, u.hang],
        ['--retries', '1', '--timeout', '500', '--ignore-robots'],
        {
          METACRAWL_BACKOFF_MS: '50',
        },
      ),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const rows = byUrl([
      ...pageRows(`${dir}/retry-default.db`, 'retry-default'),
      ...pageRows(`${dir}/retry-one.db`, 'retry-one'),
    ]);
    const row = (url: string) => {
      const r = rows.get(url);
      expect(r, url).toBeDefined();
      return r!;
    };

    // Transient, default --retries 3: four attempts, then the final row names the request.
    expect(row(u.e500)).toMatchObject({
      error: 'HTTP_5XX',
      status: 500,
      attempts: 4,
      error_detail: `GET ${u.e500} → 500 after 4 attempts`,
    });
    const times = requests(main, '/500').map((l) => l.at);
    expect(times).toHaveLength(4);
    // Exponential backoff with ±50% jitter: the n-th wait is at least 200 × 2^(n-1) × 0.5 ms.
    for (let i = 1; i < times.length; i++)
      expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(100 * 2 ** (i - 1) - 5);
    // A transient failure that clears up: the row is the success, with the attempts it took.
    expect(row(u.flaky)).toMatchObject({ error: null, status: 200, attempts: 3, title: 'ok' });

    // Permanent: one attempt, one request.
    expect(row(u.e404)).toMatchObject({
      error: 'HTTP_4XX',
      status: 404,
      attempts: 1,
      error_detail: `GET ${u.e404} → 404`,
    });
    expect(requests(main, '/404')).toHaveLength(1);
    expect(row(u.png)).toMatchObject({ error: 'NOT_HTML', status: 200, attempts: 1 });
    expect(requests(main, '/png')).toHaveLength(1);
    expect(row(u.dns)).toMatchObject({ error: 'DNS_NOT_FOUND', attempts: 1 });
    expect(row(u.dns).error_detail).toContain('no-such-host.invalid');

    // 429 with Retry-After: the host is paused and the job waits, costing no attempt.
    expect(row(u.e429)).toMatchObject({ error: null, status: 200, attempts: 1, title: 'finally' });
    const t429 = requests(throttle, '/429').map((l) => l.at);
    expect(t429).toHaveLength(3);
    for (let i = 1; i < t429.length; i++) expect(t429[i] - t429[i - 1]).toBeGreaterThanOrEqual(990);

    // Connection-level failures with --retries 1: two attempts each.
    expect(row(u.reset)).toMatchObject({ error: 'CONNECTION_RESET', attempts: 2 });
    expect(row(u.reset).error_detail).toMatch(new RegExp(`^GET ${u.reset} → .* after 2 attempts$`));
    expect(requests(reset, '/reset')).toHaveLength(2);
    expect(row(u.refused)).toMatchObject({ error: 'CONNECTION_REFUSED', attempts: 2 });
    expect(row(u.refused).error_detail).toMatch(
      /^GET http:\/\/127\.0\.0\.55:\d+\/refused → .* after 2 attempts$/,
    );
    expect(row(u.hang)).toMatchObject({
      error: 'FETCH_TIMEOUT',
      attempts: 2,
      error_detail: `GET ${u.hang} → timed out after 500 ms after 2 attempts`,
    });
    expect(requests(hang, '/hang')).toHaveLength(2);
  }, 60_000);
});
