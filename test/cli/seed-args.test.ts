/**
 * Seed arguments are checked before anything starts (a bad one is bad usage: exit 2, nothing created), an
 * http(s) URL given as a seed argument is a seed, and a seed list with no URL says so. `crawl` runs as a real
 * process; `submit` and the directory check run the CLI's main() in this process (same parsing and messages).
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { html, startServer, type TestServer } from '../helpers/http.js';
import { runMain } from '../helpers/main.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';

let dir: string;
let server: TestServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mc-seed-args-'));
  server = await startServer((req, res) => {
    if (req.url === '/robots.txt') return void res.writeHead(404).end();
    html(res, `<html><head><title>page ${req.url}</title></head><body></body></html>`);
  }, '127.0.0.93');
});
afterAll(async () => {
  await server?.close();
});

function titles(db: string): Record<string, string> {
  const d = new Database(db, { readonly: true });
  try {
    const rows = d.prepare('SELECT url, title FROM pages').all() as { url: string; title: string }[];
    return Object.fromEntries(rows.map((r) => [r.url, r.title]));
  } finally {
    d.close();
  }
}

/** No --redis: a crawl that got as far as Redis would start a private redis-server beside the database. */
async function expectRefusedBeforeStart(
  seedArgs: string[],
  message: string,
  run: (args: string[]) => Promise<{ code: number | null; stderr: string }> = runCli,
) {
  const db = join(dir, `refused-${Math.random().toString(36).slice(2)}.db`);
  const r = await run(['crawl', ...seedArgs, '--db', db, '--no-progress']);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toContain(message);
  expect(r.stderr).not.toContain('crawl name');
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(existsSync(db)).toBe(false);
  expect(existsSync(`${db}.redis`)).toBe(false);
}

describe('seed arguments', () => {
  it('a missing seed file is bad usage, found before a database, a Redis or a crawl name exists', async () => {
    const good = join(dir, 'good.txt');
    writeFileSync(good, `${server.origin}/a\n`);
    await expectRefusedBeforeStart(
      [good, join(dir, 'missing.txt')],
      `seed file not found: ${join(dir, 'missing.txt')} (a seed argument is a file of URLs, '-' for standard input, or an http(s) URL`,
    );
  });

  it('a directory given as a seed file is bad usage too', async () => {
    const sub = join(dir, 'a-directory');
    mkdirSync(sub);
    await expectRefusedBeforeStart([sub], `seed path is a directory: ${sub}`, runMain);
  });

  it('submit checks its seed arguments before it connects', async () => {
    const r = await runMain([
      'submit',
      join(dir, 'nope.txt'),
      '--crawl',
      'nope',
      '--redis',
      'redis://127.0.0.1:1',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`seed file not found: ${join(dir, 'nope.txt')}`);
    expect(r.stderr).not.toContain('cannot reach Redis');
  });

  it('crawls an http(s) URL given as a seed argument, beside a seed file', async () => {
    const file = join(dir, 'one.txt');
    writeFileSync(file, `${server.origin}/from-file\n`);
    const db = join(dir, 'url-arg.db');
    const r = await runCli([
      'crawl',
      `${server.origin}/from-argument`,
      file,
      '--db',
      db,
      '--crawl',
      'url-arg',
      '--allow-private',
      '--redis',
      testRedisUrl(),
      '--prefix',
      testPrefix(),
      '--host-rate',
      '0',
      '--no-progress',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('pages stored   2 (2 ok, 0 failed)');
    expect(titles(db)).toEqual({
      [`${server.origin}/from-argument`]: 'page /from-argument',
      [`${server.origin}/from-file`]: 'page /from-file',
    });
  }, 120_000);

  it('submit takes a URL argument as a seed too', async () => {
    const r = await runMain([
      'submit',
      `${server.origin}/x`,
      `${server.origin}/y`,
      '--crawl',
      'submit-urls',
      '--redis',
      testRedisUrl(),
      '--prefix',
      testPrefix(),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('crawl submit-urls: 2 URLs submitted');
  }, 120_000);

  it('warns when the seeds hold no URL at all (and still exits 0 with nothing stored)', async () => {
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '# nothing here yet\n\n');
    const db = join(dir, 'empty.db');
    const r = await runCli([
      'crawl',
      empty,
      '--db',
      db,
      '--crawl',
      'empty',
      '--redis',
      testRedisUrl(),
      '--prefix',
      testPrefix(),
      '--no-progress',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`warning: no seed URLs in ${empty}: nothing to crawl`);
    expect(r.stdout).toContain('pages stored   0');
    const stdin = await runMain(
      ['submit', '-', '--crawl', 'empty-stdin', '--redis', testRedisUrl(), '--prefix', testPrefix()],
      { input: '' },
    );
    expect(stdin.code, stdin.stderr).toBe(0);
    expect(stdin.stderr).toContain('warning: no seed URLs in standard input: nothing to crawl');
  }, 120_000);
});
