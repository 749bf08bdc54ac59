/** A crawl of a local site without --allow-private says which flag allows it: in the rows, the log and the summary. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { html, startServer, type TestServer } from '../helpers/http.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';

let dir: string;
let server: TestServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mc-allow-private-'));
  server = await startServer((_req, res) => html(res, '<title>local</title>'), '127.0.0.94');
});
afterAll(async () => {
  await server?.close();
});

describe('BLOCKED_PRIVATE_ADDRESS names --allow-private', () => {
  it('in error_detail, once in the log and in the summary; no request reaches the host', async () => {
    const seeds = join(dir, 'local.txt');
    writeFileSync(seeds, ['/a', '/b', '/c'].map((p) => `${server.origin}${p}`).join('\n'));
    const db = join(dir, 'local.db');
    const r = await runCli([
      'crawl',
      seeds,
      '--db',
      db,
      '--crawl',
      'local',
      '--redis',
      testRedisUrl(),
      '--prefix',
      testPrefix(),
      '--host-rate',
      '0',
      '--no-progress',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(server.log).toHaveLength(0);
    const d = new Database(db, { readonly: true });
    const rows = d.prepare('SELECT error, error_detail FROM pages').all() as {
      error: string;
      error_detail: string;
    }[];
    d.close();
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row.error).toBe('BLOCKED_PRIVATE_ADDRESS');
      expect(row.error_detail).toContain(
        '127.0.0.94 (loopback): non-public address refused (--allow-private allows it)',
      );
    }
    const warnings = r.stderr.split('\n').filter((l) => l.includes('--allow-private allows private'));
    expect(warnings).toHaveLength(1);
    expect(r.stdout).toMatch(
      /BLOCKED_PRIVATE_ADDRESS +3\n {2}hint +non-public addresses were refused: --allow-private allows them/,
    );
  }, 120_000);
});
