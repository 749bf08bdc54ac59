/** `metacrawl config`: the effective configuration, flags > environment > --config file > defaults. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { DEFAULT_USER_AGENT } from '../../src/config.js';
import { runMain, tempDir } from './helpers.js';

const dir = tempDir('config');
const file = join(dir, 'metacrawl.json');
writeFileSync(
  file,
  JSON.stringify({
    redis: 'redis://crawler:s3cret@10.0.0.5:6379/2',
    prefix: 'fromfile',
    concurrency: 10,
    hostRate: '5/s',
    timeout: 1234,
    metricsPort: 9100,
    depth: 2,
  }),
);

const saved = { ...process.env };
function restoreEnv() {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
}
afterEach(restoreEnv);

/** Runs the CLI in this process with exactly `env` on top of the test's environment. */
async function run(args: string[], env: Record<string, string> = {}) {
  restoreEnv();
  for (const k of Object.keys(process.env))
    if (k === 'REDIS_URL' || k.startsWith('METACRAWL_')) delete process.env[k];
  Object.assign(process.env, env);
  return runMain(args);
}

describe('metacrawl config', () => {
  it('prints defaults when nothing is given', async () => {
    const r = await run(['config']);
    expect(r.code, r.err).toBe(0);
    const c = JSON.parse(r.out);
    expect(c).toMatchObject({
      configFile: null,
      redis: null,
      prefix: 'metacrawl',
      db: './metacrawl.db',
      metrics: { port: null, host: '127.0.0.1' },
      fetch: { concurrency: 64, userAgent: DEFAULT_USER_AGENT, timeoutMs: 30_000, maxBytes: 5 * 1024 * 1024 },
      settings: { hostRate: 2, hostConcurrency: 2, depth: 0, priority: 0, retries: 3 },
    });
  });

  it('takes the file, lets the environment beat it and flags beat both; hides the password', async () => {
    const r = await run(['config', '--config', file, '--concurrency', '30', '--host-rate', '0'], {
      METACRAWL_CONCURRENCY: '20',
      METACRAWL_PREFIX: 'fromenv',
    });
    expect(r.code, r.err).toBe(0);
    const c = JSON.parse(r.out);
    expect(c.configFile).toBe(file);
    expect(c.redis).toBe('redis://crawler:***@10.0.0.5:6379/2');
    expect(r.out).not.toContain('s3cret');
    expect(c.prefix).toBe('fromenv');
    expect(c.fetch.concurrency).toBe(30);
    expect(c.fetch.timeoutMs).toBe(1234);
    expect(c.settings.hostRate).toBe('unlimited');
    expect(c.settings.depth).toBe(2);
    expect(c.metrics).toEqual({ port: 9100, host: '127.0.0.1' });

    const envOnly = JSON.parse(
      (await run(['config', '--config', file], { METACRAWL_CONCURRENCY: '20', METACRAWL_CONFIG: file })).out,
    );
    expect(envOnly.fetch.concurrency).toBe(20);
    expect(envOnly.settings.hostRate).toBe(5);
    expect(envOnly.prefix).toBe('fromfile');
    const viaEnv = JSON.parse(
      (await run(['config'], { METACRAWL_CONFIG: file, REDIS_URL: 'redis://:pw@h:1' })).out,
    );
    expect(viaEnv.redis).toBe('redis://:***@h:1');
    expect(viaEnv.fetch.concurrency).toBe(10);
  });

  it('validates like the other commands, naming the flag', async () => {
    const bad = await run(['config', '--priority', '12']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--priority must be an integer from 1 \(first\) to 9/);
    const port = await run(['config', '--metrics-port', 'http']);
    expect(port.code).toBe(2);
    expect(port.err).toMatch(/--metrics-port must be a port number/);
    const cluster = await run(['config', '--redis', 'redis+cluster://127.0.0.1:7000,127.0.0.1:7001']);
    expect(cluster.code).toBe(2);
    expect(cluster.err).toMatch(/--prefix must contain a hash tag on Redis Cluster, e\.g\. \{metacrawl\}/);
    const ok = await run([
      'config',
      '--redis',
      'redis+cluster://u:pw@127.0.0.1:7000,127.0.0.1:7001',
      '--prefix',
      '{mc}',
    ]);
    expect(ok.code, ok.err).toBe(0);
    expect(JSON.parse(ok.out).redis).toBe('redis+cluster://u:***@127.0.0.1:7000,127.0.0.1:7001');
  });

  it('takes every flag crawl takes, a bare number as a rate, and shows no internal field', async () => {
    const r = await run([
      'config',
      '--workers',
      '3',
      '--grace',
      '500',
      '--no-progress',
      '--sitemap',
      'https://example.com/sitemap.xml',
      '--sitemaps-from-robots',
      '--host-rate',
      '5',
      '--host-concurrency',
      '4',
    ]);
    expect(r.code, r.err).toBe(0);
    const c = JSON.parse(r.out);
    expect(c.run).toEqual({ workers: 3, graceMs: 500, progress: false });
    expect(c.sitemap).toEqual({ sitemaps: ['https://example.com/sitemap.xml'], sitemapsFromRobots: true });
    expect(c.settings.hostRate).toBe(5);
    expect(c.settings.hostConcurrency).toBe(4);
    expect(r.out).not.toContain('explicit');
    const defaults = JSON.parse((await run(['config'])).out);
    expect(defaults.run).toEqual({ workers: 'auto', graceMs: 10_000, progress: true });
    expect((await run(['config', '--host-rate', '30/min'])).out).toContain('"hostRate": 0.5');
    const bad = await run(['config', '--workers', 'many']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--workers must be a positive integer/);
  });

  it('accepts every flag of crawl, so a crawl command line can be checked', async () => {
    const io = {
      stdout: process.stdout,
      stderr: process.stderr,
      stdin: process.stdin,
      stopSignal: new AbortController().signal,
    };
    const program = buildProgram(io, () => {});
    const flags = (name: string) =>
      new Set(program.commands.find((c) => c.name() === name)?.options.map((o) => o.long));
    const config = flags('config');
    for (const f of flags('crawl')) expect(config.has(f), String(f)).toBe(true);
  });
});
