/**
 * Politeness across a fleet: three `metacrawl worker` processes, one `metacrawl store` and `submit`, all real
 * processes on the test Redis, crawling local hosts that log every request. Each test uses its own hosts
 * (pauses and Crawl-delay bind every crawl of a host) and its own crawl; they run concurrently. Limits
 * across crawls: crawls.test.ts. Rates are checked on the gate's grants (Redis' clock, which spaces them), and
 * every request is checked to have reached its host after a grant of its own; concurrency and pauses, where
 * event-loop delays only make the host's view more lenient, on the farm's log.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';
import {
  earlyArrivals,
  Farm,
  type Fleet,
  type Grants,
  maxInFlight,
  maxInWindow,
  span,
  startFleet,
  waitForRows,
  watchGrants,
} from './farm.js';

const SECOND_US = 1_000_000;

let dir: string;
let farm: Farm;
let fleet: Fleet;
let grants: Grants;

function seeds(name: string, urls: string[]): string {
  const path = join(dir, `${name}.txt`);
  writeFileSync(path, `${urls.join('\n')}\n`);
  return path;
}

async function submit(name: string, urls: string[], args: string[]): Promise<void> {
  const res = await fleet.submit(seeds(name, urls), name, args);
  expect(res.code, res.stderr).toBe(0);
  expect(res.stdout).toContain(`${urls.length} URLs submitted`);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mc-politeness-'));
  farm = new Farm();
  const prefix = testPrefix();
  grants = await watchGrants(testRedisUrl(), prefix);
  fleet = startFleet({
    redis: testRedisUrl(),
    prefix,
    db: join(dir, 'fleet.db'),
    workers: 3,
    workerArgs: ['--concurrency', '16'],
  });
});

afterAll(async () => {
  const results = fleet ? await fleet.stop() : [];
  await farm?.close();
  grants?.stop();
  for (const r of results) {
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/"level":(50|60)/); // no error or fatal log lines
  }
});

describe.concurrent('politeness across three worker processes', () => {
  it('never exceeds 5 requests per second or 2 in flight per host, and fetches robots.txt once per host', async () => {
    const hosts = await Promise.all(
      ['127.0.0.101', '127.0.0.102', '127.0.0.103'].map((a) =>
        // Slower than 2 × 1/rate, so the concurrency cap binds as well as the rate.
        farm.host(a, { latencyMs: [250, 450] }),
      ),
    );
    const urls = hosts.flatMap((h) => h.urls(20));
    await submit('rate', urls, ['--host-rate', '5/s', '--host-concurrency', '2']);
    const rows = await waitForRows(fleet.db, 'rate', urls.length);
    expect(rows.filter((r) => r.error === null && r.status === 200)).toHaveLength(60);
    await grants.settle();
    let sawTwoInFlight = false;
    for (const h of hosts) {
      const hits = h.hits();
      expect(
        hits.filter((x) => x.path === '/robots.txt'),
        h.address,
      ).toHaveLength(1);
      expect(hits, h.address).toHaveLength(21); // each page once, robots.txt once
      // Every request took a slot of its own and reached the host after it; the slots were 1/rate apart.
      const granted = grants.of(h.address);
      expect(granted, h.address).toHaveLength(21);
      expect(earlyArrivals(hits, granted), h.address).toEqual([]);
      expect(maxInWindow(granted, SECOND_US), h.address).toBeLessThanOrEqual(5);
      expect(span(granted), h.address).toBeGreaterThanOrEqual(20 * 200_000);
      const inFlight = maxInFlight(hits);
      expect(inFlight, h.address).toBeLessThanOrEqual(2);
      if (inFlight === 2) sawTwoInFlight = true;
    }
    // The limits were exercised, not merely unreached.
    expect(sawTwoInFlight).toBe(true);
  });

  it('never lets one slow host hold back the others (no head-of-line blocking)', async () => {
    const slow = await farm.host('127.0.0.110', { latencyMs: [20, 40] });
    const fast = await Promise.all(
      Array.from({ length: 10 }, (_, i) => farm.host(`127.0.0.${111 + i}`, { latencyMs: [100, 200] })),
    );
    const hostsFile = join(dir, 'hosts.json');
    writeFileSync(hostsFile, JSON.stringify({ '127.0.0.110': { rate: '1/s', concurrency: 1 } }));
    // The slow host's URLs first: they are at the head of the queue.
    const slowUrls = slow.urls(8);
    const urls = [...slowUrls, ...fast.flatMap((h) => h.urls(20))];
    // `status --watch --json` prints a snapshot every 2 s, started before the crawl so that its start-up (seconds
    // on a loaded machine) does not outlast the slow host's backlog.
    const status = startCli(['status', '--watch', '--json', ...fleet.common]);
    await submit('hol', urls, [
      '--host-rate',
      '0',
      '--host-concurrency',
      '0',
      '--politeness-file',
      hostsFile,
    ]);
    const rows = await waitForRows(fleet.db, 'hol', urls.length);
    // While the slow host worked through its backlog, `status` said which host held whose jobs back and why.
    status.kill('SIGTERM');
    const delayed = (await status.result).stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .flatMap((l) => JSON.parse(l).delayedHosts as Array<{ host: string; crawl: string; reason: string }>);
    expect(delayed).toContainEqual(
      expect.objectContaining({ host: '127.0.0.110', crawl: 'hol', reason: 'rate 1/s' }),
    );
    expect(rows.filter((r) => r.error === null)).toHaveLength(urls.length);

    const slowPages = slow.hits().filter((h) => h.path !== '/robots.txt');
    expect(slowPages).toHaveLength(8);
    const fastAt = fast.flatMap((h) => h.hits()).map((h) => h.at);
    // The unlimited pages did not wait for the slow host's turns (1/s, robots.txt included): every one was
    // requested before its last page (≥ 8 s in), and many of them before its 3rd (≥ 3 s in). How many exactly
    // is how fast the machine is (200 pages took 4 s at load 15), so not all.
    expect(Math.max(...fastAt)).toBeLessThan(slowPages[7].at);
    expect(fastAt.filter((at) => at < slowPages[2].at).length).toBeGreaterThanOrEqual(50);
    // The slow host kept its 1/s (robots.txt counts against it) and so set the crawl's length.
    await grants.settle();
    const slowGrants = grants.of(slow.address);
    expect(slowGrants).toHaveLength(9);
    expect(earlyArrivals(slow.hits(), slowGrants)).toEqual([]);
    const offsets = JSON.stringify(slowGrants.map((g) => g - slowGrants[0]));
    expect(maxInWindow(slowGrants, SECOND_US), offsets).toBe(1);
    expect(span(slowGrants)).toBeGreaterThanOrEqual(8 * SECOND_US);
    // Pages that waited for their slot say so.
    const slowRows = rows.filter((r) => r.url.startsWith(slow.origin));
    expect(slowRows).toHaveLength(8);
    const waited = slowRows.filter((r) => (r.queued_ms ?? 0) > 0);
    expect(waited.length).toBeGreaterThanOrEqual(7);
    expect(Math.max(...waited.map((r) => r.queued_ms ?? 0))).toBeGreaterThanOrEqual(5000);
  });

  it('pauses a host for its Retry-After on 429, fleet-wide, shows it in status, and costs no attempt', async () => {
    const throttled = await farm.host('127.0.0.130', {
      latencyMs: [50, 100],
      page: (_path, n) =>
        n === 1 ? { status: 429, headers: { 'retry-after': '2' }, body: 'slow down' } : null,
    });
    const watched = await farm.host('127.0.0.131', {
      page: (_path, n) =>
        n === 1 ? { status: 429, headers: { 'retry-after': '4' }, body: 'slow down' } : null,
    });
    const urls = [...throttled.urls(6), ...watched.urls(2)];
    // `status --watch --json` prints one line every 2 s: one of them falls inside the 4 s pause.
    const status = startCli(['status', '--watch', '--json', ...fleet.common]);
    await submit('throttle', urls, ['--host-rate', '0', '--host-concurrency', '1']);
    const rows = await waitForRows(fleet.db, 'throttle', urls.length);
    const pages = throttled.hits().filter((h) => h.path !== '/robots.txt');
    const first = pages[0];
    expect(first.end).not.toBeNull();
    const after = pages.slice(1);
    expect(after).toHaveLength(6); // the throttled URL once more, and the 5 others
    // No request from any worker until Retry-After has passed (the pause starts when the 429 arrived).
    for (const h of after) expect(h.at).toBeGreaterThanOrEqual((first.end as number) + 2000);
    const url = `${throttled.origin}${first.path}`;
    const row = rows.find((r) => r.url === url);
    expect(row).toMatchObject({ status: 200, error: null, attempts: 1 });
    expect(row?.queued_ms).toBeGreaterThanOrEqual(1900);
    expect(rows.every((r) => r.error === null && r.status === 200)).toBe(true);

    status.kill('SIGTERM');
    const st = await status.result;
    const paused = st.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .flatMap((l) => JSON.parse(l).pausedHosts as Array<{ host: string; reason: string; untilMs: number }>);
    expect(paused).toContainEqual(
      expect.objectContaining({ host: '127.0.0.131', reason: expect.stringMatching(/Retry-After 4s/) }),
    );
  });

  it('obeys robots.txt (disallowed URLs become ROBOTS_DISALLOWED rows, never requested) and names itself', async () => {
    const robots = 'User-agent: *\nDisallow: /private\nAllow: /private/open\n';
    const hosts = await Promise.all(
      ['127.0.0.140', '127.0.0.141'].map((a) => farm.host(a, { robots, latencyMs: [10, 30] })),
    );
    const allowed = hosts.flatMap((h) => [...h.urls(4), ...h.urls(2, '/private/open/')]);
    const disallowed = hosts.flatMap((h) => [...h.urls(3, '/private/'), `${h.origin}/private`]);
    await submit('robots', [...allowed, ...disallowed], ['--host-rate', '0', '--host-concurrency', '0']);
    const rows = await waitForRows(fleet.db, 'robots', allowed.length + disallowed.length);
    for (const u of disallowed) {
      const r = rows.find((x) => x.url === u);
      expect(r, u).toMatchObject({ error: 'ROBOTS_DISALLOWED', status: null, attempts: 1 });
      expect(r?.error_detail).toContain('disallowed by robots.txt');
    }
    for (const u of allowed)
      expect(
        rows.find((x) => x.url === u),
        u,
      ).toMatchObject({ error: null, status: 200 });
    for (const h of hosts) {
      const paths = h.hits().map((x) => x.path);
      // Fetched once for the whole fleet, before any page.
      expect(paths.filter((p) => p === '/robots.txt')).toHaveLength(1);
      expect(paths[0]).toBe('/robots.txt');
      expect(paths.filter((p) => p.startsWith('/private') && !p.startsWith('/private/open'))).toEqual([]);
      expect(paths).toHaveLength(1 + 6);
    }
    // The default User-Agent names metacrawl and links to the project (robots.txt requests included).
    const uas = new Set(hosts.flatMap((h) => h.hits().map((x) => x.ua)));
    expect(uas.size).toBe(1);
    expect([...uas][0]).toMatch(/^metacrawl\/\d+\.\d+\.\d+ \(\+https:\/\/\S+\)$/);
  });

  it('keeps two loopback addresses apart under --politeness-key domain (IPs are their own key)', async () => {
    const hosts = await Promise.all(['127.0.0.150', '127.0.0.151'].map((a) => farm.host(a)));
    const urls = hosts.flatMap((h) => h.urls(5));
    await submit('ipkey', urls, ['--host-rate', '2/s', '--politeness-key', 'domain']);
    await waitForRows(fleet.db, 'ipkey', urls.length);
    await grants.settle();
    for (const h of hosts) {
      const granted = grants.of(h.address);
      expect(granted, h.address).toHaveLength(6); // robots.txt and 5 pages
      expect(earlyArrivals(h.hits(), granted), h.address).toEqual([]);
      expect(maxInWindow(granted, SECOND_US), h.address).toBeLessThanOrEqual(2);
    }
    // One shared budget would space the pair's grants 500 ms apart: never 3 in a second.
    const both = hosts.flatMap((h) => grants.of(h.address));
    expect(maxInWindow(both, SECOND_US)).toBeGreaterThanOrEqual(3);
  });
});
