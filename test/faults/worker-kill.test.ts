/**
 * Processes killed with SIGKILL while their fetches are in flight: a worker of a fleet (BullMQ's stalled-job
 * check hands its jobs to another worker), and `metacrawl crawl` itself (run again, it shuts down the private
 * redis-server the dead process left behind and resumes). Either way every submitted URL ends with exactly
 * one row.
 */
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { html, startServer, type TestServer } from '../helpers/http.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';
import {
  cleanup,
  FAST_ENV,
  pageRows,
  rowCounts,
  runCli,
  seedFile,
  simplePage,
  spawnCli,
  tempDir,
  waitFor,
} from './helpers.js';

const PAGES = 40;
let server: TestServer;
let dir: string;

beforeAll(async () => {
  dir = tempDir('worker-kill');
  server = await startServer(async (req, res) => {
    const path = req.url ?? '/';
    if (path === '/robots.txt') return void res.writeHead(404).end();
    // /p/*: slow answers keep many fetches in flight when the worker dies. /c/N (N >= 8): held until released.
    const c = /^\/c\/(\d+)$/.exec(path);
    if (c && Number(c[1]) >= 8) await held;
    setTimeout(() => html(res, simplePage(`page ${path}`)), c ? 50 : 500);
  }, '127.0.0.41');
});
afterAll(async () => {
  release();
  await server?.close();
  cleanup();
});

let release: () => void = () => {};
const held = new Promise<void>((r) => {
  release = r;
});

describe('worker killed with SIGKILL mid-crawl', () => {
  it('recovers its in-flight jobs through the stalled check: every submitted URL ends with exactly one row', async () => {
    const db = `${dir}/kill.db`;
    const urls = Array.from({ length: PAGES }, (_, i) => `${server.origin}/p/${i}`);
    const seeds = seedFile(dir, 'seeds.txt', urls);
    const common = ['--redis', testRedisUrl(), '--prefix', testPrefix(), '--log-level', 'warn'];
    const workerArgs = ['worker', '--allow-private', '--concurrency', '16', ...common];
    const store = spawnCli(['store', '--db', db, '--batch-size', '10', ...common]);
    const doomed = spawnCli(workerArgs, FAST_ENV);
    const sub = await runCli(
      ['submit', seeds, '--crawl', 'kill', '--host-rate', '0', '--host-concurrency', '500', ...common],
      { env: FAST_ENV },
    );
    expect(sub.code, sub.stderr).toBe(0);
    expect(sub.stdout).toContain(`${PAGES} URLs submitted`);

    // Kill it once 16 requests are in flight (the server has received them and not answered yet).
    const pageHits = () => server.log.filter((l) => l.path.startsWith('/p/'));
    await waitFor('16 fetches in flight', () => pageHits().length >= 16, 20_000, 10);
    doomed.kill('SIGKILL');
    const killed = await doomed.result;
    expect(killed.signal).toBe('SIGKILL');
    expect(rowCounts(db, 'kill').rows).toBeLessThan(PAGES);

    const rescuer = spawnCli(workerArgs, FAST_ENV);
    await waitFor('every row', () => rowCounts(db, 'kill').rows >= PAGES, 40_000, 100);
    rescuer.kill('SIGTERM');
    store.kill('SIGTERM');
    const [r, s] = await Promise.all([rescuer.result, store.result]);
    expect(r.code, r.stderr).toBe(0);
    expect(s.code, s.stderr).toBe(0);

    const rows = pageRows(db, 'kill');
    expect(rows).toHaveLength(PAGES);
    expect(new Set(rows.map((x) => x.url))).toEqual(new Set(urls));
    for (const row of rows) {
      expect(row.error, `${row.url}: ${row.error_detail}`).toBeNull();
      expect(row.status).toBe(200);
    }
    // The jobs that were in flight in the dead worker were fetched again by the rescuer.
    const perPath = new Map<string, number>();
    for (const l of pageHits()) perPath.set(l.path, (perPath.get(l.path) ?? 0) + 1);
    expect([...perPath.values()].filter((n) => n > 1).length).toBeGreaterThanOrEqual(8);
    expect(perPath.size).toBe(PAGES);
  }, 60_000);
});

describe('metacrawl crawl killed with SIGKILL, then run again', () => {
  it('shuts down the private redis-server left behind and resumes: exactly one row per URL', async () => {
    const db = `${dir}/crawl-kill.db`;
    const urls = Array.from({ length: 24 }, (_, i) => `${server.origin}/c/${i}`);
    const args = ['crawl', seedFile(dir, 'c.txt', urls), '--db', db, '--crawl', 'ck', '--allow-private']
      .concat(['--host-rate', '0', '--host-concurrency', '100', '--concurrency', '4'])
      .concat(['--no-progress', '--log-level', 'warn']);
    const hits = () => server.log.filter((l) => l.path.startsWith('/c/'));
    const first = spawnCli(args, FAST_ENV);
    await waitFor(
      '8 rows and 4 fetches in flight',
      () => rowCounts(db, 'ck').rows >= 8 && hits().length >= 12,
    );
    const owner = JSON.parse(readFileSync(`${db}.redis/metacrawl-redis.json`, 'utf8')) as {
      pid: number;
      port: number;
    };
    first.kill('SIGKILL');
    expect((await first.result).signal).toBe('SIGKILL');
    // Its redis-server lives on, still serving <db>.redis/.
    expect(await answers(owner.port)).toBe(true);

    release();
    try {
      const second = await runCli(args, { env: FAST_ENV });
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toMatch(/pages stored\s+24 \(24 ok, 0 failed\)/);
      expect(await answers(owner.port)).toBe(false);
    } finally {
      if (await answers(owner.port)) process.kill(owner.pid, 'SIGKILL');
    }
    const rows = pageRows(db, 'ck');
    expect(rows).toHaveLength(24);
    expect(new Set(rows.map((r) => r.url))).toEqual(new Set(urls));
    // The four fetches cut off by the kill were made again; nothing else was.
    const perPath = new Map<string, number>();
    for (const l of hits()) perPath.set(l.path, (perPath.get(l.path) ?? 0) + 1);
    expect([...perPath.values()].filter((n) => n > 1).length).toBeLessThanOrEqual(4);
  }, 60_000);
});

async function answers(port: number): Promise<boolean> {
  const r = new Redis(port, '127.0.0.1', {
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  });
  r.on('error', () => {});
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}
