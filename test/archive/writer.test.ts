/**
 * WarcArchive directly: pages written concurrently (grouped into shared writes) across file rotations, each
 * location read back to its own page, by metacrawl's reader and by warcio over the whole files.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { WARCParser, type WARCRecord } from 'warcio';
import { WarcArchive, WarcReader } from '../../src/archive/index.js';
import type { CapturedExchange } from '../../src/fetch/index.js';

function page(i: number, encoded: boolean): CapturedExchange {
  const body = Buffer.from(`<html><title>page ${i}</title>${'<p>text</p>'.repeat(200 + i)}</html>`);
  return {
    url: `http://example.test/p${i}`,
    date: new Date().toISOString(),
    requestHeaders: { 'user-agent': 'metacrawl-test' },
    status: 200,
    responseHeaders: [
      ['content-type', 'text/html'],
      ...(encoded ? ([['content-encoding', 'gzip']] as Array<[string, string]>) : []),
    ],
    body,
    wire: encoded ? gzipSync(body) : null,
    truncated: false,
    remoteAddress: '127.0.0.1',
  };
}

it('groups concurrent pages into writes, rotates between them, and every location holds its own page', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mc-warcw-'));
  const archive = new WarcArchive({ dir, workerId: 'w1', maxFileBytes: 6000, software: 'test' });
  const pages = Array.from({ length: 40 }, (_, i) => page(i, i % 2 === 0));
  const locations = await Promise.all(pages.map((p) => archive.write([p])));
  await archive.close();
  const files = readdirSync(dir).sort();
  expect(files.length).toBeGreaterThan(3);
  const reader = new WarcReader(dir);
  try {
    for (const [i, loc] of locations.entries()) {
      const got = reader.readSync(loc as NonNullable<typeof loc>);
      expect(got.type).toBe('response');
      expect(got.body.equals(pages[i].body), `page ${i}`).toBe(true);
    }
  } finally {
    reader.close();
  }
  // Every file is a whole WARC to an independent reader: warcinfo, then request/response pairs.
  let responses = 0;
  for (const f of files) {
    const types: string[] = [];
    for await (const r of WARCParser.iterRecords(
      createReadStream(join(dir, f)),
    ) as AsyncIterable<WARCRecord>) {
      types.push(r.warcType);
      await r.readFully(false);
    }
    expect(types[0]).toBe('warcinfo');
    responses += types.filter((t) => t === 'response').length;
  }
  expect(responses).toBe(40);
  expect(archive.stats.records).toBe(80);
});

it('writes a group of more parts than one system call takes (IOV_MAX, 1,024) whole and in order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mc-warcv-'));
  const archive = new WarcArchive({ dir, workerId: 'w2', software: 'test' });
  // Incompressible bodies sent gzipped: each response member keeps its payload as a part of its own.
  const pages = Array.from({ length: 600 }, (_, i) => {
    const p = page(i, true);
    const body = Buffer.concat([p.body, randomBytes(2000)]);
    return { ...p, body, wire: gzipSync(body) };
  });
  const locations = await Promise.all(pages.map((p) => archive.write([p])));
  await archive.close();
  expect(readdirSync(dir)).toHaveLength(1);
  const reader = new WarcReader(dir);
  try {
    for (const [i, loc] of locations.entries())
      expect(reader.readSync(loc as NonNullable<typeof loc>).body.equals(pages[i].body), `page ${i}`).toBe(
        true,
      );
  } finally {
    reader.close();
  }
  expect(archive.stats.records).toBe(1200);
});
