/**
 * Redis restarted mid-crawl (graceful SHUTDOWN with AOF on, then started again on the same port and
 * dir): the worker, the store writer and a producer reconnect on their own and nothing is lost.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../src/keys.js';
import { type PrivateRedis, startPrivateRedis } from '../../src/redis.js';
import { html, startServer, type TestServer } from '../helpers/http.js';
import {
  cleanup,
  FAST_ENV,
  pageRows,
  runCli,
  seedFile,
  simplePage,
  sleep,
  spawnCli,
  tempDir,
  waitFor,
} from './helpers.js';

const HALF = 40;
let server: TestServer;
let dir: string;
let redis: PrivateRedis;

beforeAll(async () => {
  dir = tempDir('redis-restart');
  redis = await startPrivateRedis(`${dir}/redis`);
  server = await startServer((req, res) => {
    if (req.url === '/robots.txt') {
      res.writeHead(404).end();
      return;
    }
    setTimeout(() => html(res, simplePage(`page ${req.url}`)), 100);
  }, '127.0.0.44');
});
afterAll(async () => {
  await redis?.stop();
  await server?.close();
  cleanup();
});

describe('Redis restarted mid-crawl', () => {
  it('worker, writer and producer reconnect on their own and every URL gets exactly one row', async () => {
    const db = `${dir}/restart.db`;
    const first = Array.from({ length: HALF }, (_, i) => `${server.origin}/a/${i}`);
    const second = Array.from({ length: HALF }, (_, i) => `${server.origin}/b/${i}`);
    const common = ['--redis', redis.url, '--log-level', 'warn'];
    const settings = ['--crawl', 'rr', '--host-rate', '0', '--host-concurrency', '100'];
    const store = spawnCli(['store', '--db', db, '--batch-size', '5', ...common]);
    const worker = spawnCli(['worker', '--allow-private', '--concurrency', '4', ...common], FAST_ENV);
    const sub = await runCli(['submit', seedFile(dir, 'a.txt', first), ...settings, ...common]);
    expect(sub.code, sub.stderr).toBe(0);
    await waitFor('some rows', () => pageRows(db, 'rr').length >= 8, 20_000);
    // A second producer reading stdin is connected while Redis goes away and submits after it is back. Wait until
    // its connection is open (one more client), or a slow start would meet a stopped Redis instead.
    const clients = async () => {
      const c = new Redis(redis.url);
      try {
        return (
          String(await c.client('LIST'))
            .trim()
            .split('\n').length - 1
        );
      } finally {
        c.disconnect();
      }
    };
    const before0 = await clients();
    const producer = spawnCli(['submit', '-', ...settings, ...common]);
    let connected = false;
    const deadline = Date.now() + 20_000;
    while (!connected && Date.now() < deadline) {
      connected = (await clients()) >= before0 + 1;
      if (!connected) await sleep(100);
    }
    expect(connected, 'the producer connected').toBe(true);
    await sleep(300);

    await redis.stop(); // SHUTDOWN: Redis writes and fsyncs the AOF, then exits
    const before = pageRows(db, 'rr').length;
    await sleep(700);
    redis = await startPrivateRedis(`${dir}/redis`, { port: redis.port });
    producer.stdin?.end(`${second.join('\n')}\n`);
    const p = await producer.result;
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toContain(`${HALF} URLs submitted`);

    await waitFor('every row', () => pageRows(db, 'rr').length >= 2 * HALF, 40_000, 100);
    worker.kill('SIGTERM');
    store.kill('SIGTERM');
    const [w, s] = await Promise.all([worker.result, store.result]);
    expect(w.code, w.stderr).toBe(0);
    expect(s.code, s.stderr).toBe(0);

    expect(before).toBeLessThan(2 * HALF);
    const rows = pageRows(db, 'rr');
    expect(rows).toHaveLength(2 * HALF);
    expect(new Set(rows.map((r) => r.url))).toEqual(new Set([...first, ...second]));
    for (const r of rows) expect(r.error, `${r.url}: ${r.error_detail}`).toBeNull();
    // The counters survived the restart too (AOF).
    const r = new Redis(redis.url);
    const stats = await r.hgetall(keys('metacrawl').crawlStats('rr'));
    r.disconnect();
    expect(stats).toMatchObject({ submitted: String(2 * HALF), stored: String(2 * HALF) });
  }, 60_000);
});
