/**
 * A worker process killed with SIGKILL while its fetches are in flight: BullMQ's stalled-job check hands
 * its jobs to another worker and the crawl still ends with exactly one row per submitted URL.
 */
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
  // Slow answers keep many fetches in flight when the worker dies.
  server = await startServer((req, res) => {
    if (req.url === '/robots.txt') {
      res.writeHead(404).end();
      return;
    }
    setTimeout(() => html(res, simplePage(`page ${req.url}`)), 700);
  }, '127.0.0.41');
});
afterAll(async () => {
  await server?.close();
  cleanup();
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
