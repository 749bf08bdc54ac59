/**
 * `metacrawl crawl` in a real pseudo-terminal (util-linux `script`): the progress bar is drawn, and a line
 * written while it shows (here the Ctrl-C message) appears on a line of its own, not inside the bar.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, seedFile, simplePage, tempDir, waitFor } from '../faults/helpers.js';
import { BIN } from '../helpers/cli.js';
import { html, startServer, type TestServer } from '../helpers/http.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';
import { screen } from '../helpers/terminal.js';

const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

let server: TestServer;
let release: () => void = () => {};
const released = new Promise<void>((r) => {
  release = r;
});

beforeAll(async () => {
  server = await startServer(async (req, res) => {
    const n = Number(/\/p\/(\d+)/.exec(req.url ?? '')?.[1] ?? 0);
    if (n >= 3) await released;
    if (!res.destroyed) html(res, simplePage(`page ${n}`));
  }, '127.0.0.46');
});
afterAll(async () => {
  release();
  await server?.close();
  cleanup();
});

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

describe.skipIf(!hasScript)('the progress bar in a terminal', () => {
  it('keeps a line written while the bar shows off the bar line, and exits 130 on Ctrl-C', async () => {
    const dir = tempDir('tty');
    const seeds = seedFile(
      dir,
      'seeds.txt',
      Array.from({ length: 10 }, (_, i) => `${server.origin}/p/${i}`),
    );
    const args = [
      BIN,
      'crawl',
      seeds,
      '--db',
      `${dir}/tty.db`,
      '--crawl',
      'tty',
      '--redis',
      testRedisUrl(),
      '--prefix',
      testPrefix(),
      '--allow-private',
      '--ignore-robots',
      '--host-rate',
      '0',
      '--host-concurrency',
      '0',
      '--workers',
      '1',
      '--grace',
      '300',
    ];
    const command = `echo PID=$$; exec ${[process.execPath, ...args].map(quote).join(' ')}`;
    const env: NodeJS.ProcessEnv = { ...process.env, COLUMNS: '150', LINES: '40' };
    delete env.CI;
    const child: ChildProcess = spawn('script', ['-qfec', command, '/dev/null'], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
    });
    child.stderr?.on('data', (d) => {
      out += d;
    });
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    try {
      await waitFor('the bar at 3/10', () => out.includes('3/10 | ok 3'), 30_000);
      const pid = Number(/PID=(\d+)/.exec(out)?.[1]);
      process.kill(pid, 'SIGINT');
      await waitFor('the stop message', () => out.includes('metacrawl: stopping'), 10_000);
      release();
      expect(await exited).toBe(130);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    const lines = screen(out);
    const stopping = lines.filter((l) => l.includes('metacrawl: stopping'));
    expect(stopping).toEqual(['metacrawl: stopping (finishing in-flight work; press Ctrl-C again to force)']);
    const bars = lines.filter((l) => l.includes('pages/s | ETA'));
    expect(bars.length).toBeGreaterThan(0);
    for (const b of bars)
      expect(b).toMatch(/^ [\u2588\u2591]{40} \d+\/10 \| ok \d+ \| .* pages\/s \| ETA \S+$/);
    expect(out).toContain('interrupted: run the same command again to resume');
  }, 60_000);
});
