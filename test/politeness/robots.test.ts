/**
 * robots.txt end to end through `metacrawl crawl` (one real process on the test Redis) against local hosts
 * that log every request: group selection by product token, Crawl-delay, 5xx/unreachable handling,
 * redirects, and --ignore-robots.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';
import { Farm, type HostOptions, JITTER_MS, pageRows, type Reply } from './farm.js';

let dir: string;
let farm: Farm;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mc-robots-'));
  farm = new Farm();
});
afterAll(async () => {
  await farm?.close();
});

async function crawl(name: string, urls: string[], args: string[], env: Record<string, string> = {}) {
  const seeds = join(dir, `${name}.txt`);
  writeFileSync(seeds, `${urls.join('\n')}\n`);
  const db = join(dir, `${name}.db`);
  const res = await runCli(
    [
      'crawl',
      seeds,
      '--crawl',
      name,
      '--db',
      db,
      '--redis',
      testRedisUrl(),
      '--prefix',
      testPrefix(),
      '--allow-private',
      '--no-progress',
      '--log-level',
      'warn',
      ...args,
    ],
    { env },
  );
  expect(res.code, res.stderr).toBe(0);
  expect(res.stdout).toContain(`pages stored   ${urls.length}`);
  const rows = pageRows(db, name);
  return new Map(rows.map((r) => [r.url, r]));
}

/** A chain /robots.txt → /hop/1 → … → /end answering `final`, `hops` redirects long. */
function redirectChain(hops: number, final: string): HostOptions {
  return {
    robots: { status: 301, headers: { location: hops === 0 ? '/end' : '/hop/1' } },
    page: (path: string): Reply | null => {
      const m = /^\/hop\/(\d+)$/.exec(path);
      if (m) {
        const n = Number(m[1]);
        return { status: 301, headers: { location: n + 1 < hops ? `/hop/${n + 1}` : '/end' } };
      }
      if (path === '/end') return { headers: { 'content-type': 'text/plain' }, body: final };
      return null;
    },
  };
}

describe.concurrent('robots.txt, end to end', () => {
  it('selects the group by product token, obeys Crawl-delay, retries a failing robots.txt, follows ≤ 5 redirects', async () => {
    const UA = 'Foo-Bot/2.1 (+https://x)';
    const group = await farm.host('127.0.0.170', {
      robots: [
        'User-agent: *',
        'Disallow: /',
        '',
        'User-agent: FOO-BOT extra words',
        'Crawl-delay: 0.5',
        'Disallow: /foo-only',
        '',
        'User-agent: other-bot',
        'Disallow: /p/',
      ].join('\n'),
    });
    const down = await farm.host('127.0.0.171', { robots: { status: 500, body: 'oops' } });
    const flaky = await farm.host('127.0.0.172', {
      robots: (n) => (n === 1 ? { status: 503, body: 'later' } : { body: 'User-agent: *\nDisallow: /no\n' }),
    });
    const tooMany = await farm.host('127.0.0.173', redirectChain(6, 'User-agent: *\nDisallow: /\n'));
    const five = await farm.host('127.0.0.174', redirectChain(5, 'User-agent: *\nDisallow: /secret\n'));
    const slowDown = await farm.host('127.0.0.175', {
      robots: (n) =>
        n === 1
          ? { status: 429, headers: { 'retry-after': '2' }, body: 'slow down' }
          : { body: 'User-agent: *\nAllow: /\n' },
    });

    const groupPages = group.urls(5);
    const urls = [
      ...groupPages,
      ...group.urls(2, '/foo-only/'),
      ...down.urls(3),
      ...flaky.urls(2),
      `${flaky.origin}/no/1`,
      ...tooMany.urls(2),
      ...five.urls(2),
      `${five.origin}/secret/1`,
      ...slowDown.urls(2),
    ];
    const rows = await crawl(
      'robots-ua',
      urls,
      ['--user-agent', UA, '--host-rate', '0', '--host-concurrency', '0', '--retries', '1'],
      // A failed robots.txt blocks its origin for 800 ms (60 s by default) before it is asked again.
      { METACRAWL_ROBOTS_RETRY_MS: '800' },
    );

    // Group selection: `foo-bot` (case-insensitive, extra words after the token ignored) rather than `*`.
    for (const u of groupPages) expect(rows.get(u), u).toMatchObject({ error: null, status: 200 });
    for (const u of group.urls(2, '/foo-only/'))
      expect(rows.get(u), u).toMatchObject({ error: 'ROBOTS_DISALLOWED' });
    const gHits = group.hits();
    expect(gHits.every((h) => h.ua === UA)).toBe(true);
    expect(gHits.filter((h) => h.path.startsWith('/foo-only'))).toEqual([]);
    // Crawl-delay 0.5 s lowers the unlimited rate to 2/s: page requests 500 ms apart (less jitter).
    const pageTimes = gHits.filter((h) => h.path !== '/robots.txt').map((h) => h.at);
    expect(pageTimes).toHaveLength(5);
    for (let i = 1; i < pageTimes.length; i++)
      expect(pageTimes[i] - pageTimes[i - 1]).toBeGreaterThanOrEqual(500 - JITTER_MS);
    expect(pageTimes[4] - pageTimes[0]).toBeGreaterThanOrEqual(4 * 500 - JITTER_MS);

    // 5xx robots.txt: nothing is requested; asked again after the pause, then the rows say why.
    expect(down.hits().every((h) => h.path === '/robots.txt')).toBe(true);
    expect(down.hits()).toHaveLength(2);
    for (const u of down.urls(3)) {
      expect(rows.get(u), u).toMatchObject({ error: 'ROBOTS_UNAVAILABLE', status: null, attempts: 2 });
      expect(rows.get(u)?.error_detail).toContain('robots.txt unavailable after 2 attempts');
    }
    // A robots.txt that recovers: its rules apply once it answers.
    for (const u of flaky.urls(2)) expect(rows.get(u), u).toMatchObject({ error: null, status: 200 });
    expect(rows.get(`${flaky.origin}/no/1`)).toMatchObject({ error: 'ROBOTS_DISALLOWED' });
    expect(flaky.hits().filter((h) => h.path === '/robots.txt')).toHaveLength(2);
    expect(flaky.hits().some((h) => h.path === '/no/1')).toBe(false);

    // More than 5 redirects: no robots.txt, everything allowed (RFC 9309 §2.3.1.2). Exactly 5: followed.
    for (const u of tooMany.urls(2)) expect(rows.get(u), u).toMatchObject({ error: null, status: 200 });
    for (const u of five.urls(2)) expect(rows.get(u), u).toMatchObject({ error: null, status: 200 });
    expect(rows.get(`${five.origin}/secret/1`)).toMatchObject({ error: 'ROBOTS_DISALLOWED' });
    expect(five.hits().some((h) => h.path === '/secret/1')).toBe(false);
    // A 429 to robots.txt counts as unavailable (not as "no rules") and pauses the host for its Retry-After.
    for (const u of slowDown.urls(2)) expect(rows.get(u), u).toMatchObject({ error: null, status: 200 });
    const sd = slowDown.hits();
    // Both robots.txt requests come before any page; the second only after Retry-After.
    expect(sd.map((h) => h.path).slice(0, 2)).toEqual(['/robots.txt', '/robots.txt']);
    expect(sd).toHaveLength(4);
    expect(sd[1].at).toBeGreaterThanOrEqual((sd[0].end as number) + 2000);
    // robots.txt (and its redirect chain) fetched once per host.
    expect(five.hits().filter((h) => h.path === '/robots.txt')).toHaveLength(1);
    expect(tooMany.hits().filter((h) => h.path === '/robots.txt')).toHaveLength(1);
  });

  it('fetches everything and never asks for robots.txt with --ignore-robots', async () => {
    const h = await farm.host('127.0.0.180', { robots: 'User-agent: *\nDisallow: /\n' });
    const urls = h.urls(4);
    const rows = await crawl('robots-ignored', urls, ['--ignore-robots', '--host-rate', '0']);
    for (const u of urls) expect(rows.get(u), u).toMatchObject({ error: null, status: 200 });
    expect(
      h
        .hits()
        .map((x) => x.path)
        .sort(),
    ).toEqual(['/p/0', '/p/1', '/p/2', '/p/3']);
  });
});
