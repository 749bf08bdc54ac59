/**
 * Redis gone for good mid-run: every command stops with one clear line and exit 1 instead of reconnecting for
 * ever — at once for a crawl whose private redis-server was killed, after --redis-timeout for a Redis of its own.
 */
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../src/keys.js';
import { type PrivateRedis, startPrivateRedis } from '../../src/redis.js';
import { html, startServer, type TestServer } from '../helpers/http.js';
import { testPrefix } from '../helpers/redis.js';
import {
  cleanup,
  FAST_ENV,
  pageRows,
  runCli,
  seedFile,
  simplePage,
  spawnCli,
  tempDir,
  waitFor,
} from './helpers.js';

let server: TestServer;
let dir: string;
let redis: PrivateRedis | null = null;
// Pages are answered only once the gate opens: the killed crawl cannot have finished first.
let open = false;
const waiting: Array<() => void> = [];
const openGate = () => {
  open = true;
  for (const w of waiting.splice(0)) w();
};

beforeAll(async () => {
  dir = tempDir('redis-lost');
  server = await startServer(async (req, res) => {
    if (req.url === '/robots.txt') {
      res.writeHead(404).end();
      return;
    }
    if (!open) await new Promise<void>((resolve) => waiting.push(resolve));
    html(res, simplePage(`page ${req.url}`));
  }, '127.0.0.192');
});
afterAll(async () => {
  openGate();
  await redis?.stop();
  await server?.close();
  cleanup();
});

/** stderr without the JSON log lines: what a person reads. */
function errLines(stderr: string): string[] {
  return stderr
    .trim()
    .split('\n')
    .filter((l) => l && !l.startsWith('{'));
}

describe('Redis gone for good', () => {
  it('a crawl whose private redis-server is killed stops with one line, and the same command resumes it', async () => {
    const db = `${dir}/lost.db`;
    const urls = Array.from({ length: 8 }, (_, i) => `${server.origin}/p/${i}`);
    const args = [
      'crawl',
      seedFile(dir, 'seeds.txt', urls),
      '--db',
      db,
      '--crawl',
      'lost',
      '--allow-private',
      '--host-rate',
      '0',
      // Unlimited: a slot the killed crawl held would block the host for its lease (60 s).
      '--host-concurrency',
      '0',
      '--no-progress',
      '--log-level',
      'warn',
    ];
    // Short job locks: the jobs the killed crawl held are re-run soon by the next one.
    const crawl = spawnCli(args, FAST_ENV);
    crawl.stdin?.end();
    // A page request, not the robots.txt one: killed during that fetch, the crawl would leave its fleet-wide robots
    // lock behind, and the rerun would wait out the lock (30 s) before fetching anything.
    await waitFor('the crawl fetching', () => server.log.some((r) => r.path.startsWith('/p/')), 30_000);
    const owner = JSON.parse(readFileSync(`${db}.redis/metacrawl-redis.json`, 'utf8')) as { pid: number };
    process.kill(owner.pid, 'SIGKILL');

    const res = await crawl.result;
    expect(res.code, res.stderr).toBe(1);
    expect(errLines(res.stderr)).toEqual([
      expect.stringMatching(
        /^metacrawl: the private redis-server of .*lost\.db \(pid \d+\) exited \(killed by SIGKILL\): run the same command again to resume$/,
      ),
    ]);
    expect(pageRows(db, 'lost')).toEqual([]);
    openGate();

    const again = await runCli(args, { env: FAST_ENV });
    expect(again.code, again.stderr).toBe(0);
    const rows = pageRows(db, 'lost');
    expect(rows.map((r) => r.url).sort()).toEqual([...urls].sort());
    for (const r of rows) expect(r.error, r.url).toBeNull();
  }, 120_000);

  it('worker, store and status --watch stop with one line once an outage outlasts --redis-timeout', async () => {
    redis = await startPrivateRedis(`${dir}/own-redis`, { appendonly: false });
    const prefix = testPrefix();
    const common = [
      '--redis',
      redis.url,
      '--prefix',
      prefix,
      '--redis-timeout',
      '1000',
      '--log-level',
      'warn',
    ];
    const procs = [
      spawnCli(['worker', ...common]),
      spawnCli(['store', '--db', `${dir}/own.db`, ...common]),
      spawnCli(['status', '--watch', ...common]),
    ];
    for (const p of procs) p.stdin?.end();
    const k = keys(prefix);
    const probe = new Redis(redis.url);
    try {
      await waitFor(
        'worker, writer and status connected',
        async () =>
          (await probe.hlen(k.workers)) > 0 &&
          (await probe.exists(k.results)) === 1 &&
          procs[2].output() !== '',
        30_000,
      );
    } finally {
      probe.disconnect();
    }
    redis.process.kill('SIGKILL');

    for (const p of procs) {
      const res = await p.result;
      expect(res.code, res.stderr).toBe(1);
      expect(errLines(res.stderr)).toEqual([
        expect.stringMatching(
          new RegExp(
            `^metacrawl: lost Redis at ${redis.url}/?: no connection for \\d+ s \\(.*ECONNREFUSED.*\\)$`,
          ),
        ),
      ]);
    }
  }, 120_000);
});
