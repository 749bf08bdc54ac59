/**
 * SIGINT/SIGTERM: stop taking jobs, let in-flight ones finish within --grace or hand them back, commit what
 * was fetched; an interrupted crawl exits 143 (SIGTERM) / 130 (SIGINT), a worker 0; running the same crawl
 * again resumes without fetching done pages again. `status --watch` stops quietly.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openQueue } from '../../src/queue.js';
import { html, startServer, type TestServer } from '../helpers/http.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';
import { cleanup, pageRows, runCli, seedFile, simplePage, spawnCli, tempDir, waitFor } from './helpers.js';

let server: TestServer;
let dir: string;
/** Requests per path so far. */
const requested = new Map<string, number>();
/** Responses actually sent, per path. */
const sent = new Map<string, number>();
/** Held responses (`/p/N` with N >= 8 in the first run, the first request of each `/slow/N`) wait for this. */
let release: () => void = () => {};
let released: Promise<void> = Promise.resolve();
function hold() {
  released = new Promise((r) => {
    release = r;
  });
}
let holdPages = true;

beforeAll(async () => {
  dir = tempDir('signals');
  server = await startServer(async (req, res) => {
    const path = req.url ?? '/';
    if (path === '/robots.txt') return void res.writeHead(404).end();
    const n = requested.get(path) ?? 0;
    requested.set(path, n + 1);
    const page = /^\/p\/(\d+)$/.exec(path);
    if ((page && holdPages && Number(page[1]) >= 8) || (path.startsWith('/slow/') && n === 0)) await released;
    await new Promise((r) => setTimeout(r, 100));
    if (res.destroyed) return;
    res.on('finish', () => sent.set(path, (sent.get(path) ?? 0) + 1));
    html(res, simplePage(`page ${path}`));
  }, '127.0.0.45');
});
afterAll(async () => {
  release();
  await server?.close();
  cleanup();
});

function hits(prefix: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of server.log) if (l.path.startsWith(prefix)) m.set(l.path, (m.get(l.path) ?? 0) + 1);
  return m;
}

describe('SIGTERM on metacrawl crawl, then the same command again', () => {
  it('exits 143 with what was fetched stored, and the second run fetches only the pages not done', async () => {
    const db = `${dir}/resume.db`;
    const urls = Array.from({ length: 24 }, (_, i) => `${server.origin}/p/${i}`);
    const seeds = seedFile(dir, 'seeds.txt', urls);
    // The private redis-server default: its AOF lives in <db>.redis/ and carries the queue to the next run.
    const args = [
      'crawl',
      seeds,
      '--db',
      db,
      '--crawl',
      'resume',
      '--allow-private',
      '--host-rate',
      '0',
      '--host-concurrency',
      '100',
      '--concurrency',
      '4',
      '--grace',
      '5000',
      '--no-progress',
      '--log-level',
      'warn',
    ];
    // Pages 0-7 answer at once; the rest are held, so the signal surely lands mid-crawl with fetches in flight.
    hold();
    const first = spawnCli(args);
    await waitFor(
      '8 rows and 4 fetches in flight',
      () => pageRows(db, 'resume').length >= 8 && hits('/p/').size >= 12,
      30_000,
    );
    first.kill('SIGTERM');
    // In-flight fetches answer within the grace period.
    setTimeout(() => release(), 300);
    const r1 = await first.result;
    holdPages = false;
    expect(r1.code, r1.stderr).toBe(143);
    expect(r1.stdout).toContain('interrupted: run the same command again to resume');
    expect(r1.stderr).toContain(
      'metacrawl: stopping (finishing in-flight work; press Ctrl-C again to force)',
    );
    const afterFirst = hits('/p/');
    const stored1 = pageRows(db, 'resume');
    expect(stored1).toHaveLength(12);
    // In-flight fetches finished within the grace period and were committed: nothing fetched is missing.
    expect(new Set(stored1.map((r) => new URL(r.url).pathname))).toEqual(new Set(afterFirst.keys()));

    const second = await runCli(args);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).not.toContain('interrupted');
    expect(second.stdout).toMatch(/pages stored\s+24 \(24 ok, 0 failed\)/);
    const rows = pageRows(db, 'resume');
    expect(rows).toHaveLength(24);
    for (const r of rows) expect(r.error).toBeNull();
    // Every page was requested exactly once over both runs; robots.txt once (cached in Redis).
    const all = hits('/p/');
    expect(all.size).toBe(24);
    expect([...all.values()].every((n) => n === 1)).toBe(true);
    expect(server.log.filter((l) => l.path === '/robots.txt')).toHaveLength(1);
  }, 60_000);
});

describe('SIGINT on a worker whose fetches outlast --grace', () => {
  it('hands the in-flight jobs back to the queue and exits 0; another worker takes them at once', async () => {
    const db = `${dir}/handback.db`;
    const prefix = testPrefix();
    const common = ['--redis', testRedisUrl(), '--prefix', prefix, '--log-level', 'warn'];
    const urls = Array.from({ length: 6 }, (_, i) => `${server.origin}/slow/${i}`);
    const store = spawnCli(['store', '--db', db, ...common]);
    const w1 = spawnCli(['worker', '--allow-private', '--concurrency', '6', '--grace', '300', ...common]);
    const sub = await runCli([
      'submit',
      seedFile(dir, 'slow.txt', urls),
      '--crawl',
      'handback',
      '--host-rate',
      '0',
      '--host-concurrency',
      '100',
      ...common,
    ]);
    expect(sub.code, sub.stderr).toBe(0);
    hold();
    await waitFor('6 fetches in flight', () => hits('/slow/').size === 6, 20_000, 20);
    w1.kill('SIGINT');
    const r1 = await w1.result;
    release();
    expect(r1.code, r1.stderr).toBe(0);
    expect(r1.stderr).toContain('grace period over: handing in-flight jobs back to the queue');
    // It did not wait for the server: it exited before any of the six was answered.
    expect([...sent.keys()].filter((p) => p.startsWith('/slow/'))).toEqual([]);
    expect(pageRows(db, 'handback')).toHaveLength(0);
    // Back in the queue, not active (waiting for a stalled check): `wait`, or `prioritized` for jobs with a priority.
    const redis = new Redis(testRedisUrl());
    const queue = openQueue(redis, prefix);
    const [active, waiting, prioritized] = await Promise.all([
      redis.llen(queue.keys.active),
      redis.llen(queue.keys.wait),
      redis.zcard(queue.keys.prioritized),
    ]);
    await queue.close();
    redis.disconnect();
    expect({ active, queued: waiting + prioritized }).toEqual({ active: 0, queued: 6 });

    // Default lock timing (30 s): the jobs were handed back, not left to the stalled check.
    const w2 = spawnCli(['worker', '--allow-private', '--concurrency', '6', ...common]);
    await waitFor('every row', () => pageRows(db, 'handback').length === 6, 15_000, 100);
    w2.kill('SIGTERM');
    store.kill('SIGTERM');
    const [r2, rs] = await Promise.all([w2.result, store.result]);
    expect(r2.code, r2.stderr).toBe(0);
    expect(rs.code, rs.stderr).toBe(0);
    for (const r of pageRows(db, 'handback')) {
      expect(r.error, r.error_detail ?? '').toBeNull();
      expect(r.attempts).toBe(1); // handing back costs no attempt
    }
  }, 60_000);
});

describe('Ctrl-C on status --watch', () => {
  it('stops quietly with exit 0: no "finishing in-flight work" message', async () => {
    const watch = spawnCli(['status', '--watch', '--redis', testRedisUrl(), '--prefix', testPrefix()]);
    await waitFor('the first snapshot', () => watch.output().includes('workers: 0 live'), 20_000);
    watch.kill('SIGINT');
    const r = await watch.result;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
  }, 30_000);
});
