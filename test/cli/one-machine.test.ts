/**
 * A one-machine `crawl` (private redis-server beside its database) can be watched and controlled with --db, and a
 * second `crawl` on the same database refuses at once, naming the process that holds it, and creates nothing.
 * The crawls and the dashboard are real processes; status, pause and resume run the CLI's main() in this process
 * (the same commands finding the crawl through its database, without a process start each).
 */
import { existsSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockPath } from '../../src/cli/db-lock.js';
import {
  cleanup,
  pageRows,
  runCli,
  seedFile,
  simplePage,
  spawnCli,
  tempDir,
  waitFor,
} from '../faults/helpers.js';
import { html, startServer, type TestServer } from '../helpers/http.js';
import { runMain } from '../helpers/main.js';

const PAGES = 10;
let server: TestServer;
let dir: string;
// Pages are answered only once the gate opens, so the crawl is still running while it is watched.
let open = false;
const waiting: Array<() => void> = [];

beforeAll(async () => {
  dir = tempDir('one-machine');
  server = await startServer(async (req, res) => {
    if (req.url === '/robots.txt') {
      res.writeHead(404).end();
      return;
    }
    if (!open) await new Promise<void>((resolve) => waiting.push(resolve));
    html(res, simplePage(`page ${req.url}`));
  }, '127.0.0.191');
});
afterAll(async () => {
  open = true;
  for (const w of waiting.splice(0)) w();
  cleanup();
  await server?.close();
});

function errLines(stderr: string): string[] {
  return stderr
    .trim()
    .split('\n')
    .filter((l) => l && !l.startsWith('{'));
}

describe('a crawl on one machine', () => {
  it('is refused a second crawl on its database, and is watched, paused and resumed with --db', async () => {
    const db = `${dir}/st.db`;
    const seeds = seedFile(
      dir,
      'seeds.txt',
      Array.from({ length: PAGES }, (_, i) => `${server.origin}/p/${i}`),
    );
    const flags = ['--allow-private', '--host-rate', '0', '--host-concurrency', '2', '--no-progress'];
    const crawl = spawnCli(['crawl', seeds, '--db', db, '--crawl', 'st', ...flags, '--log-level', 'warn']);
    crawl.stdin?.end();
    await waitFor('the crawl fetching', () => server.log.length > 0, 30_000);

    // A second crawl on the same database: one line naming the database and the process, exit 1, nothing created.
    const before = readdirSync(dir).sort();
    const second = await runCli([
      'crawl',
      seedFile(dir, 'b.txt', [`${server.origin}/b`]),
      '--db',
      db,
      ...flags,
    ]);
    expect(second.code, second.stderr).toBe(1);
    expect(errLines(second.stderr)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^metacrawl: database ${db} is in use by pid ${crawl.pid} \\(metacrawl crawl ${seeds} --db ${db} --crawl st .*\\) since .*`,
        ),
      ),
    ]);
    expect(readdirSync(dir).sort()).toEqual([...before, 'b.txt'].sort());

    const status = await runMain(['status', '--db', db]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`crawl st \\[running\\]: ${PAGES} submitted`));

    const none = await runMain(['status', '--db', `${dir}/other.db`]);
    expect(none.code).toBe(1);
    expect(errLines(none.stderr)).toEqual([
      expect.stringMatching(
        /^metacrawl: no Redis given and no crawl is running on .*other\.db: pass the --db/,
      ),
    ]);

    const pause = await runMain(['pause', '--crawl', 'st', '--db', db]);
    expect(pause.code, pause.stderr).toBe(0);
    expect(pause.stdout).toMatch(/^crawl st paused/);
    const paused = await runMain(['status', '--crawl', 'st', '--json', '--db', db]);
    expect(JSON.parse(paused.stdout).crawls[0]).toMatchObject({ crawl: 'st', state: 'paused' });

    // The explorer's queue dashboard follows the running crawl too.
    const serve = spawnCli(['serve', '--db', db, '--port', '0']);
    await waitFor('the dashboard line', () => /queue dashboard: .*the crawl running on/.test(serve.output()));
    serve.kill('SIGTERM');
    await serve.result;

    open = true;
    for (const w of waiting.splice(0)) w();
    const resume = await runMain(['resume', '--crawl', 'st', '--db', db]);
    expect(resume.code, resume.stderr).toBe(0);
    expect(resume.stdout).toMatch(/^crawl st resumed/);

    const done = await crawl.result;
    expect(done.code, done.stderr).toBe(0);
    const rows = pageRows(db, 'st');
    expect(rows).toHaveLength(PAGES);
    for (const r of rows) expect(r.error, r.url).toBeNull();
    expect(existsSync(lockPath(db))).toBe(false);
    const after = await runMain(['status', '--db', db]);
    expect(after.code).toBe(1);
    expect(after.stderr).toMatch(/no crawl is running on/);
  }, 180_000);
});
