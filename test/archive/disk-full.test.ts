/**
 * A full disk under `--archive`: the crawl stops with one clear error, every stored row points at a whole record,
 * the file ends on a record boundary, and the same command resumes once there is room. The archive directory is a
 * 160 KB tmpfs mounted in a private mount namespace (`unshare -rm`, no root needed where user namespaces are on).
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WARCParser } from 'warcio';
import { runCli } from '../helpers/cli.js';
import { startServer, type TestServer } from '../helpers/http.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';

const PAGES = 30;
const canUnshare = spawnSync('unshare', ['-rm', 'true']).status === 0;
let site: TestServer;
let dir: string;

// Incompressible pages (~24 KB gzipped each), so a few fill the tmpfs.
const NOISE = Array.from({ length: PAGES }, () => randomBytes(24_000).toString('base64'));
function page(i: number): string {
  return `<html><head><title>page ${i}</title></head><body><!-- ${NOISE[i]} --></body></html>`;
}

beforeAll(async () => {
  site = await startServer((req, res) => {
    const m = /^\/p(\d+)$/.exec(req.url ?? '');
    if (!m) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html' }).end(page(Number(m[1])));
  });
  dir = mkdtempSync(join(tmpdir(), 'mc-full-'));
  writeFileSync(
    join(dir, 'seeds.txt'),
    Array.from({ length: PAGES }, (_, i) => `${site.origin}/p${i}`).join('\n'),
  );
});
afterAll(async () => {
  await site?.close();
});

function rows(db: string) {
  const d = new Database(db, { readonly: true });
  try {
    return d.prepare('SELECT url, final_url, warc_file, warc_offset, warc_length FROM pages').all() as Array<{
      url: string;
      final_url: string;
      warc_file: string | null;
      warc_offset: number;
      warc_length: number;
    }>;
  } finally {
    d.close();
  }
}

describe.skipIf(!canUnshare)('crawl --archive on a full disk', () => {
  it('stops cleanly with a clear error, records nothing half, and resumes', async () => {
    const db = join(dir, 'c.db');
    const tiny = join(dir, 'tiny');
    const kept = join(dir, 'kept');
    mkdirSync(tiny);
    mkdirSync(kept);
    const prefix = testPrefix();
    const common = [
      join(dir, 'seeds.txt'),
      '--crawl',
      'full',
      '--db',
      db,
      '--redis',
      testRedisUrl(),
      '--prefix',
      prefix,
      '--allow-private',
      '--no-progress',
      '--host-rate',
      '1000',
      '--concurrency',
      '4',
    ];
    const bin = resolve('bin/metacrawl.js');
    const args = [...common, '--archive', tiny].map((a) => `'${a}'`).join(' ');
    // The crawl runs in the namespace; what it left in the tmpfs is copied out before the namespace ends.
    const script = `mount -t tmpfs -o size=160k tmpfs '${tiny}' && { node '${bin}' crawl ${args}; rc=$?; cp '${tiny}'/* '${kept}'/ 2>/dev/null; exit $rc; }`;
    const child = spawn('unshare', ['-rm', 'sh', '-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((r) => child.on('close', r));

    expect(code, stderr.slice(-3000)).toBe(1);
    expect(stderr).toMatch(
      /metacrawl: archive: cannot write .*metacrawl-.*\.warc\.gz: ENOSPC: no space left on device/,
    );
    const stored = rows(db);
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.length).toBeLessThan(PAGES);
    // Every stored row points at a whole record of its own page.
    for (const r of stored) {
      expect(r.warc_file, r.url).not.toBeNull();
      const file = readFileSync(join(kept, String(r.warc_file)));
      const text = gunzipSync(file.subarray(r.warc_offset, r.warc_offset + r.warc_length)).toString('latin1');
      expect(text).toContain(`WARC-Target-URI: ${r.final_url}\r\n`);
    }
    // The file ends on a record boundary: an independent reader reads it to the end.
    const files = readdirSync(kept);
    expect(files).toHaveLength(1);
    let responses = 0;
    for await (const rec of WARCParser.iterRecords(createReadStream(join(kept, files[0])))) {
      if (rec.warcType === 'response') responses++;
      await rec.readFully(false);
    }
    expect(responses).toBeGreaterThanOrEqual(stored.length);

    // With room, the same command finishes the crawl.
    const again = await runCli(['crawl', ...common, '--archive', join(dir, 'roomy')]);
    expect(again.code, again.stderr).toBe(0);
    const all = rows(db);
    expect(all).toHaveLength(PAGES);
    expect(all.every((r) => r.warc_file !== null)).toBe(true);
  }, 90_000);
});
