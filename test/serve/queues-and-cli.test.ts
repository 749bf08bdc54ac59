import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { serveCommand } from '../../src/cli/serve.js';
import { startExplorer } from '../../src/serve/server.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';
import { type FixtureDb, fixtureDb } from './fixture.js';

describe('metacrawl serve: Bull Board and the CLI command', () => {
  let fx: FixtureDb;
  beforeAll(async () => {
    fx = await fixtureDb(50);
  });
  afterAll(() => fx?.cleanup());

  it('mounts Bull Board at /queues for the crawl queue when a Redis URL is given, still under a CSP', async () => {
    const e = await startExplorer({
      dbPath: fx.dbPath,
      port: 0,
      redisUrl: testRedisUrl(),
      prefix: testPrefix(),
    });
    try {
      const home = await (await fetch(e.url)).text();
      expect(home).toContain('href="/queues/"');
      const res = await fetch(new URL('/queues/', e.url));
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('__UI_CONFIG__');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      const api = await fetch(new URL('/queues/api/queues', e.url));
      expect(api.status).toBe(200);
      const body = (await api.json()) as { queues: { name: string }[] };
      expect(body.queues.map((q) => q.name)).toEqual(['crawl']);
      expect(
        (await fetch(new URL('/queues/api/queues/crawl/clean/completed', e.url), { method: 'PUT' })).status,
      ).toBe(405);
    } finally {
      await e.close();
    }
  });

  it('has no /queues and no Queues link without Redis', async () => {
    const e = await startExplorer({ dbPath: fx.dbPath, port: 0 });
    try {
      expect(await (await fetch(e.url)).text()).not.toContain('/queues/');
      expect((await fetch(new URL('/queues/', e.url))).status).toBe(404);
    } finally {
      await e.close();
    }
  });

  it('serveCommand prints the URL, serves until the stop signal, then exits 0', async () => {
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (d) => {
      out += d;
    });
    const ctrl = new AbortController();
    const io: CliIO = {
      stdout,
      stderr: new PassThrough(),
      stdin: new PassThrough(),
      stopSignal: ctrl.signal,
    };
    const done = serveCommand(
      { db: fx.dbPath, host: '127.0.0.1', port: 0, redisUrl: null, prefix: 'metacrawl' },
      io,
    );
    await expect.poll(() => out, { timeout: 5000 }).toMatch(/http:\/\/127\.0\.0\.1:\d+\//);
    const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(out)![0];
    expect((await fetch(url)).status).toBe(200);
    ctrl.abort();
    await expect(done).resolves.toBe(0);
    await expect(fetch(url)).rejects.toThrow();
  });

  it('fails clearly on a missing database', async () => {
    await expect(startExplorer({ dbPath: '/nonexistent/x.db', port: 0 })).rejects.toThrow(
      /database not found/,
    );
  });
});
