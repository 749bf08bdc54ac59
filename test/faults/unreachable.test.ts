/**
 * Redis unreachable at start: every command that needs Redis prints one clear line and exits non-zero,
 * with no stack trace and no hang — refused, silent (accepts but never answers), not Redis at all.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/redis.js';
import { cleanup, runCli, seedFile, tempDir } from './helpers.js';

let dir: string;
let seeds: string;
let silent: Server;
let http: HttpServer;
const sockets = new Set<Socket>();

async function listen(s: Server | HttpServer): Promise<number> {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as { port: number }).port;
}

beforeAll(async () => {
  dir = tempDir('unreachable');
  seeds = seedFile(dir, 'seeds.txt', ['http://127.0.0.46/a']);
  // Accepts connections and never says a word.
  silent = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
  });
  http = createHttpServer((_req, res) => res.end('hello'));
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => silent?.close(r));
  await new Promise((r) => http?.close(r));
  cleanup();
});

function commands(redis: string): string[][] {
  return [
    ['crawl', seeds, '--db', `${dir}/crawl.db`, '--redis', redis],
    ['submit', seeds, '--crawl', 'x', '--redis', redis],
    ['worker', '--redis', redis],
    ['store', '--db', `${dir}/store.db`, '--redis', redis],
    ['status', '--redis', redis],
  ];
}

function expectOneLine(res: { code: number | null; stderr: string; stdout: string }, pattern: RegExp) {
  expect(res.code, res.stderr).toBe(1);
  const lines = res.stderr.trim().split('\n');
  expect(lines, res.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(res.stderr).not.toMatch(/\n\s+at |Error:/);
  expect(res.stdout).toBe('');
}

describe.concurrent('Redis unreachable at start', () => {
  it('crawl, submit, worker, store and status each exit 1 with one line naming Redis and the reason', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const results = await Promise.all(commands(url).map((args) => runCli(args)));
    for (const res of results) {
      expectOneLine(
        res,
        new RegExp(`^metacrawl: cannot reach Redis at redis://127\\.0\\.0\\.1:${port}/?: .*ECONNREFUSED`),
      );
    }
  });

  it('gives up on a server that accepts the connection but never answers (no hang)', async () => {
    const port = await listen(silent);
    const res = await runCli(['status', '--redis', `redis://127.0.0.1:${port}`]);
    expectOneLine(res, /cannot reach Redis at .*: no answer within 5000 ms$/);
  }, 60_000);

  it('says when the server is not Redis at all', async () => {
    const port = await listen(http);
    const res = await runCli(['status', '--redis', `redis://127.0.0.1:${port}`]);
    // Which comes first, its HTTP error reply or its hang-up, is up to the server.
    expectOneLine(
      res,
      /cannot reach Redis at .*: the server (does not speak the Redis protocol|closed the connection)$/,
    );
  });

  it('says how to get redis-server when crawl finds none to start', async () => {
    const env = {
      PATH: dirname(process.execPath) === '/usr/bin' ? '/nonexistent' : dirname(process.execPath),
    };
    const crawl = await runCli(['crawl', seeds, '--db', `${dir}/nobin.db`], { env });
    expectOneLine(crawl, /redis-server was not found on PATH\. Install it .*docker compose up -d redis/);
  });
});
