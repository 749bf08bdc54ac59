/**
 * Host limits across crawls, with real processes (two workers, a store; submit, cancel and status through the
 * CLI's main() in this process) on the test Redis and local hosts that log every request: each crawl's rate and concurrency apply to its own requests,
 * and a cancelled crawl's booked turns are gone at once. Rates are checked on the gate's grants (farm.ts watchGrants).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectStatus, type FleetStatus } from '../../src/cli/status.js';
import { keys } from '../../src/keys.js';
import { connectRedis } from '../../src/redis.js';
import { runMain } from '../helpers/main.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';
import {
  earlyArrivals,
  Farm,
  type Fleet,
  type Grants,
  maxInWindow,
  sleep,
  span,
  startFleet,
  waitForRows,
  watchGrants,
} from './farm.js';

const SECOND_US = 1_000_000;

let dir: string;
let farm: Farm;
let fleet: Fleet;
let redis: Redis;
let prefix: string;
let grants: Grants;

/** What `metacrawl status --json` prints, collected in-process (a CLI start takes seconds on a loaded machine). */
function status(): Promise<FleetStatus> {
  return collectStatus(redis, prefix, null, testRedisUrl());
}

async function submit(name: string, urls: string[], args: string[]): Promise<void> {
  const path = join(dir, `${name}.txt`);
  writeFileSync(path, `${urls.join('\n')}\n`);
  // `metacrawl submit` through the CLI's main() in this process: a process start takes seconds on a loaded
  // machine, which delayed one crawl's submission behind another's that the test meant to run together.
  const res = await runMain(['submit', path, '--crawl', name, ...args, ...fleet.common]);
  expect(res.code, res.stderr).toBe(0);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mc-crawls-'));
  farm = new Farm();
  prefix = testPrefix();
  redis = connectRedis(testRedisUrl());
  grants = await watchGrants(testRedisUrl(), prefix);
  fleet = startFleet({
    redis: testRedisUrl(),
    prefix,
    db: join(dir, 'fleet.db'),
    workers: 2,
    workerArgs: ['--concurrency', '8'],
  });
});

afterAll(async () => {
  const results = fleet ? await fleet.stop() : [];
  await farm?.close();
  redis?.disconnect();
  grants?.stop();
  for (const r of results) expect(r.code, r.stderr).toBe(0);
});

describe('host limits across crawls', () => {
  it("releases a cancelled crawl's booked turns at once: the next crawl of the host is not held back", async () => {
    const host = await farm.host('127.0.0.160', { latencyMs: [5, 15] });
    await submit('slow', host.urls(60, '/a/'), ['--host-rate', '1/s']);
    // Its waiting jobs have booked turns ahead (the feeders keep a host's backlog to seconds, so not minutes);
    // status says whose turns and which limit.
    let backlogEnd = 0;
    const deadline = Date.now() + 60_000;
    while (backlogEnd - Date.now() < 6_000) {
      expect(Date.now(), 'no backlog of 6 s was booked within 60 s').toBeLessThan(deadline);
      await sleep(100);
      const d = (await status()).delayedHosts.find((x) => x.host === host.address);
      if (d) {
        expect(d).toMatchObject({ crawl: 'slow', reason: 'rate 1/s' });
        backlogEnd = d.untilMs;
      }
    }
    const text = await runMain(['status', ...fleet.common]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/127\.0\.0\.160 +~\d+ s of turns booked by crawl slow +\(rate 1\/s\)/);

    const cancel = await runMain(['cancel', '--crawl', 'slow', ...fleet.common]);
    expect(cancel.code, cancel.stderr).toBe(0);
    // Right after cancel nothing is booked at the host any more, and no job of the crawl waits to be told.
    const after = await status();
    expect(after.delayedHosts.filter((x) => x.host === host.address)).toEqual([]);
    expect(after.crawls.find((c) => c.crawl === 'slow')).toMatchObject({ state: 'cancelled', delayed: 0 });
    const k = keys(prefix);
    expect(await redis.exists(k.crawlHostState('slow', host.address))).toBe(0);
    expect(await redis.zcard(k.crawlDelayedHosts('slow'))).toBe(0);

    await submit('quick', host.urls(20, '/b/'), ['--host-rate', '0']);
    const rows = await waitForRows(fleet.db, 'quick', 20, 120_000);
    expect(rows.filter((r) => r.status === 200 && r.error === null)).toHaveLength(20);
    // No page of the new crawl waited for the cancelled crawl's turns (in the reported defect: ~2 minutes).
    const worst = Math.max(...rows.map((r) => r.queued_ms ?? 0));
    expect(worst).toBeLessThan(5_000);
    const slowRows = await waitForRows(fleet.db, 'slow', 60);
    const cancelled = slowRows.filter((r) => r.error === 'CANCELLED').length;
    expect(cancelled).toBeGreaterThan(0);
    expect(cancelled + slowRows.filter((r) => r.status === 200).length).toBe(60);
  }, 180_000);

  it('lets two crawls of one host run at once, each at its own rate', async () => {
    const host = await farm.host('127.0.0.161', { latencyMs: [5, 15] });
    await Promise.all([
      submit('tortoise', host.urls(12, '/t/'), ['--host-rate', '1/s']),
      submit('hare', host.urls(20, '/h/'), ['--host-rate', '5/s']),
    ]);
    await Promise.all([waitForRows(fleet.db, 'tortoise', 12, 60_000), waitForRows(fleet.db, 'hare', 20)]);
    const tortoise = host.hits().filter((h) => h.path.startsWith('/t/'));
    const hare = host.hits().filter((h) => h.path.startsWith('/h/'));
    expect(tortoise).toHaveLength(12);
    expect(hare).toHaveLength(20);
    // Each crawl keeps its own limit on the gate's grants (Redis' clock); every request came after one of its own.
    await grants.settle();
    const tortoiseGrants = grants.of(host.address, 'tortoise');
    const hareGrants = grants.of(host.address, 'hare');
    expect(tortoiseGrants.length + hareGrants.length).toBe(host.hits().length); // robots.txt in one of them
    expect(earlyArrivals(host.hits(), grants.of(host.address))).toEqual([]);
    expect(maxInWindow(tortoiseGrants, SECOND_US)).toBe(1);
    expect(span(tortoiseGrants)).toBeGreaterThanOrEqual(11 * SECOND_US);
    expect(maxInWindow(hareGrants, SECOND_US)).toBeLessThanOrEqual(5);
    // ...and only its own: the two ran at once, and the hare's 20 pages (about 4 s at 5/s) took less time than
    // the tortoise's 10 (9 s at 1/s): fewer than 10 tortoise requests fall between the hare's first and last.
    // (Measured from the hare's own first request, not from the submission: on a loaded machine its first fetch
    // can come seconds after the tortoise's.)
    const hareFirst = Math.min(...hare.map((h) => h.at));
    const hareLast = Math.max(...hare.map((h) => h.at));
    expect(hareFirst).toBeLessThan(Math.max(...tortoise.map((h) => h.at)));
    expect(span(hare)).toBeLessThan(9 * 1000);
    const tortoiseMeanwhile = tortoise.filter((h) => h.at >= hareFirst && h.at <= hareLast);
    expect(tortoiseMeanwhile.length).toBeLessThan(10);
  });
});
