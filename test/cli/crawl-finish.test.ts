import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/store/db.js';
import { linkTargetsBehind } from '../../src/store/indexes.js';
import { PageWriter } from '../../src/store/writer.js';
import { type Site, startSite } from '../../tools/site.js';
import { runCli } from '../helpers/cli.js';
import { okRecord } from '../store/records.js';

let site: Site;
let dir: string;

beforeAll(async () => {
  site = await startSite({ hosts: 2, pagesPerHost: 5, firstOctet: 23 });
  dir = mkdtempSync(join(tmpdir(), 'mc-crawl-finish-'));
});
afterAll(async () => {
  await site?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the end of metacrawl crawl', () => {
  it('builds the links index a large crawl left off, saying so before the summary', async () => {
    const db = join(dir, 'left-off.db');
    // A crawl that stored many pages and was interrupted before its end: the index is still off.
    const d = openDb(db);
    new PageWriter(d, { deferIndexesAfter: 0 }).writeBatch(
      Array.from({ length: 20 }, (_, i) => okRecord('earlier', `https://example.com/${i}`)),
    );
    expect(linkTargetsBehind(d)).toBe(true);
    d.close();
    const seeds = join(dir, 'seeds.txt');
    writeFileSync(seeds, `${site.urls.join('\n')}\n`);
    const res = await runCli(
      [
        'crawl',
        seeds,
        '--allow-private',
        '--db',
        db,
        '--crawl',
        'next',
        '--no-progress',
        '--log-level',
        'warn',
      ],
      { cwd: dir },
    );
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(
      /indexing links by target URL \(\d+ pages\)…\nindexing links by target URL: done in [\d.]+ s/,
    );
    expect(res.stdout).toMatch(/pages stored\s+10 \(10 ok/);
    const after = openDb(db, { readonly: true });
    expect(linkTargetsBehind(after)).toBe(false);
    after.close();
  }, 60_000);
});
