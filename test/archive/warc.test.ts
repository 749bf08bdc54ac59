/**
 * `crawl --archive`: the WARC files of a crawl over a scripted local site, read back by two readers that share
 * no code with metacrawl's writer (Webrecorder's warcio and node-warc), and the page rows pointing into them.
 */

import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, createGunzip, deflateRawSync, gunzipSync, gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { WARCStreamTransform } from 'node-warc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WARCParser, type WARCRecord as WarcioRecord } from 'warcio';
import { crawlArgs, runCli } from '../helpers/cli.js';
import { startServer, type TestServer } from '../helpers/http.js';
import { runMain } from '../helpers/main.js';

const BIN = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 131 + 7) % 256));
const BIG = `<html><head><title>big</title></head><body>${'<p>x</p>'.repeat(40_000)}</body></html>`;
const PAGE = '<html><head><title>Grüße aus Köln</title></head><body><a href="/nowhere">x</a></body></html>';
const BIGZ = BIG.replace('<title>big', '<title>bigz');
const PAGE_GZ = gzipSync(PAGE);
const SAME = '<html><head><title>same</title></head><body>identical payload</body></html>';

const BR_PAGE = '<html><head><title>brotli</title><meta name="description" content="über br"></head></html>';
const DEFLATE_PAGE = '<html><head><title>raw deflate</title></head><body><a href="/x">x</a></body></html>';

/** `sha1:` and RFC 4648 base32, written here apart from the writer's. */
function sha1Base32(data: Buffer): string {
  const bits = [...createHash('sha1').update(data).digest()]
    .map((b) => b.toString(2).padStart(8, '0'))
    .join('');
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const out = (bits.match(/.{1,5}/g) ?? [])
    .map((g) => alphabet[Number.parseInt(g.padEnd(5, '0'), 2)])
    .join('');
  return `sha1:${out.padEnd(Math.ceil(out.length / 8) * 8, '=')}`;
}

let site: TestServer;
let dir: string;
const arch = () => join(dir, 'warc');
const db = () => join(dir, 'c.db');

interface Read {
  type: string;
  uri: string | null | undefined;
  headers: Map<string, string>;
  status: number | null;
  httpHeaders: Map<string, string>;
  statusline: string | undefined;
  body: Buffer;
}

async function readWarcio(path: string): Promise<Read[]> {
  const out: Read[] = [];
  for await (const r of WARCParser.iterRecords(createReadStream(path)) as AsyncIterable<WarcioRecord>) {
    const info = r.getResponseInfo();
    const body = Buffer.from(await r.readFully(false));
    const httpHeaders = new Map<string, string>();
    if (r.httpHeaders) for (const [k, v] of r.httpHeaders.headers) httpHeaders.set(k.toLowerCase(), v);
    const headers = new Map<string, string>();
    for (const [k, v] of r.warcHeaders.headers) headers.set(k.toLowerCase(), v);
    out.push({
      type: r.warcType,
      uri: r.warcTargetURI,
      headers,
      status: info && r.warcType !== 'request' ? Number(info.status) : null,
      httpHeaders,
      statusline: r.httpHeaders?.statusline,
      body,
    });
  }
  return out;
}

beforeAll(async () => {
  site = await startServer((req, res) => {
    const p = req.url ?? '';
    if (p === '/robots.txt') return void res.writeHead(404).end();
    if (p === '/r1') return void res.writeHead(301, { location: '/r2' }).end('moved');
    if (p === '/r2') return void res.writeHead(302, { location: '/page' }).end();
    if (p === '/page') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-encoding': 'gzip' });
      return void res.end(PAGE_GZ);
    }
    if (p === '/nm') return void res.writeHead(304, { etag: '"v1"' }).end();
    if (p === '/big') return void res.writeHead(200, { 'content-type': 'text/html' }).end(BIG);
    if (p === '/bigz') {
      res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' });
      return void res.end(gzipSync(BIGZ));
    }
    if (p === '/br') {
      res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'br' });
      return void res.end(brotliCompressSync(BR_PAGE));
    }
    if (p === '/defl') {
      res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'deflate' });
      return void res.end(deflateRawSync(DEFLATE_PAGE));
    }
    if (p === '/bin') return void res.writeHead(200, { 'content-type': 'image/png' }).end(BIN);
    if (p === '/d1' || p === '/d2') return void res.writeHead(200, { 'content-type': 'text/html' }).end(SAME);
    res.writeHead(404).end();
  });
  dir = mkdtempSync(join(tmpdir(), 'mc-warc-'));
  const seeds = join(dir, 'seeds.txt');
  writeFileSync(
    seeds,
    ['/r1', '/nm', '/big', '/bigz', '/br', '/defl', '/bin', '/d1', '/d2']
      .map((p) => site.origin + p)
      .join('\n'),
  );
  const r = await runCli([
    'crawl',
    seeds,
    ...crawlArgs({ crawl: 'arc', db: db() }),
    '--concurrency',
    '1',
    '--host-rate',
    '100',
    '--max-bytes',
    '100KB',
    '--archive',
    arch(),
  ]);
  expect(r.code, r.stderr).toBe(0);
}, 60_000);
const reextractArgs = (...more: string[]) => ['reextract', '--db', db(), '--crawl', 'arc', ...more];

afterAll(async () => {
  await site?.close();
});

function rowsOf(): Array<{ url: string; status: number; error: string | null } & Record<string, unknown>> {
  const d = new Database(db(), { readonly: true });
  try {
    return d
      .prepare('SELECT url, status, error, truncated, warc_file, warc_offset, warc_length FROM pages')
      .all() as never;
  } finally {
    d.close();
  }
}

describe('crawl --archive', () => {
  it('writes one file opened by warcinfo, request/response pairs for every hop, read back by warcio', async () => {
    const files = readdirSync(arch());
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^metacrawl-\d{8}T\d{6}Z-.+-00000\.warc\.gz$/);
    const recs = await readWarcio(join(arch(), files[0]));
    expect(recs[0].type).toBe('warcinfo');
    expect(recs[0].body.toString()).toContain('software: metacrawl/');
    for (const r of recs) expect(r.headers.get('warc-record-id')).toMatch(/^<urn:uuid:[0-9a-f-]{36}>$/);
    // Redirect chain: 301 → 302 → 200, each with its request.
    const chain = recs.filter((r) => /\/(r1|r2|page)$/.test(r.uri ?? ''));
    expect(chain.map((r) => `${r.type} ${r.uri?.replace(site.origin, '')} ${r.status ?? ''}`)).toEqual([
      'request /r1 ',
      'response /r1 301',
      'request /r2 ',
      'response /r2 302',
      'request /page ',
      'response /page 200',
    ]);
    expect(chain[1].httpHeaders.get('location')).toBe('/r2');
    expect(chain[1].body.toString()).toBe('moved');
    // The request record says what was sent; the response is WARC-Concurrent-To it.
    expect(chain[0].headers.get('warc-concurrent-to')).toBe(chain[1].headers.get('warc-record-id'));
    expect(chain[0].statusline).toBe('GET /r1 HTTP/1.1');
    expect(chain[0].httpHeaders.get('host')).toBe(site.origin.replace('http://', ''));
    expect(chain[0].httpHeaders.get('user-agent')).toMatch(/^metacrawl/);
    // Stored as received: the gzip bytes the server sent, Content-Encoding kept, the payload digest over them.
    const page = chain[5];
    expect(page.body.equals(PAGE_GZ)).toBe(true);
    expect(gunzipSync(page.body).toString('utf8')).toBe(PAGE);
    expect(page.httpHeaders.get('content-encoding')).toBe('gzip');
    expect(page.httpHeaders.get('content-length')).toBe(String(PAGE_GZ.length));
    expect(page.headers.get('warc-payload-digest')).toBe(sha1Base32(PAGE_GZ));
    expect(page.headers.get('warc-ip-address')).toBe('127.0.0.1');
  });

  it('marks a 304 as a server-not-modified revisit, a body cut at --max-bytes as WARC-Truncated, keeps binary bytes', async () => {
    const recs = await readWarcio(join(arch(), readdirSync(arch())[0]));
    const nm = recs.find((r) => r.uri?.endsWith('/nm') && r.type !== 'request');
    expect(nm?.type).toBe('revisit');
    expect(nm?.status).toBe(304);
    expect(nm?.headers.get('warc-profile')).toBe(
      'http://netpreserve.org/warc/1.1/revisit/server-not-modified',
    );
    const big = recs.find((r) => r.uri?.endsWith('/big') && r.type === 'response');
    expect(big?.headers.get('warc-truncated')).toBe('length');
    expect(big?.body.length).toBe(100 * 1024);
    expect(big?.body.toString()).toBe(BIG.slice(0, 100 * 1024));
    // Cut short while it was being inflated: stored decoded (a cut gzip stream is no use), the coding renamed.
    const bigz = recs.find((r) => r.uri?.endsWith('/bigz') && r.type === 'response');
    expect(bigz?.headers.get('warc-truncated')).toBe('length');
    expect(bigz?.body.toString()).toBe(BIGZ.slice(0, 100 * 1024));
    expect(bigz?.httpHeaders.get('content-encoding')).toBeUndefined();
    expect(bigz?.httpHeaders.get('x-archive-orig-content-encoding')).toBe('gzip');
    expect(bigz?.headers.get('warc-payload-digest')).toBe(sha1Base32(Buffer.from(BIGZ.slice(0, 100 * 1024))));
    // br and (raw) deflate stored as received too.
    const br = recs.find((r) => r.uri?.endsWith('/br') && r.type === 'response');
    expect(br?.httpHeaders.get('content-encoding')).toBe('br');
    expect(br?.body.equals(brotliCompressSync(BR_PAGE))).toBe(true);
    const defl = recs.find((r) => r.uri?.endsWith('/defl') && r.type === 'response');
    expect(defl?.body.equals(deflateRawSync(DEFLATE_PAGE))).toBe(true);
    const bin = recs.find((r) => r.uri?.endsWith('/bin') && r.type === 'response');
    expect(bin?.body.equals(BIN)).toBe(true);
    expect(bin?.httpHeaders.get('content-type')).toBe('image/png');
    // The second of two identical payloads is an identical-payload-digest revisit of the first.
    const dups = recs.filter((r) => /\/d[12]$/.test(r.uri ?? '') && r.type !== 'request');
    expect(dups.map((r) => r.type).sort()).toEqual(['response', 'revisit']);
    const rv = dups.find((r) => r.type === 'revisit');
    const orig = dups.find((r) => r.type === 'response');
    expect(rv?.headers.get('warc-profile')).toBe(
      'http://netpreserve.org/warc/1.1/revisit/identical-payload-digest',
    );
    expect(rv?.headers.get('warc-refers-to')).toBe(orig?.headers.get('warc-record-id'));
    expect(rv?.headers.get('warc-payload-digest')).toBe(orig?.headers.get('warc-payload-digest'));
  });

  it('is read in full by node-warc too (another parser), digests and profiles as declared', async () => {
    const path = join(arch(), readdirSync(arch())[0]);
    const t = new WARCStreamTransform() as WARCStreamTransform & {
      buffered?: Buffer;
      _consumeChunk(b: Buffer, done: () => void, last: boolean): void;
    };
    // node-warc 3.3.1 calls its flush callback twice on Node >= 14: the same flush, calling it once.
    t._flush = function (this: typeof t, done: () => void) {
      if (this.buffered) this._consumeChunk(this.buffered, done, true);
      else done();
    };
    const recs: Array<{
      warcType: string;
      warcTargetURI?: string;
      warcProfile?: string;
      warcTruncated?: string;
      warcBlockDigest: string;
      content: Buffer | null;
    }> = [];
    for await (const r of createReadStream(path).pipe(createGunzip()).pipe(t)) recs.push(r as never);
    // warcinfo + (request, response|revisit) for 3 hops + 8 other pages.
    expect(recs).toHaveLength(1 + 2 * 11);
    expect(recs.filter((r) => r.warcType === 'request')).toHaveLength(11);
    for (const r of recs) expect(r.warcBlockDigest).toMatch(/^sha1:[A-Z2-7]{32}$/);
    expect(
      recs.find((r) => r.warcTargetURI?.endsWith('/big') && r.warcType === 'response')?.warcTruncated,
    ).toBe('length');
    expect(
      recs.find((r) => r.warcTargetURI?.endsWith('/nm') && r.warcType === 'revisit')?.warcProfile,
    ).toMatch(/server-not-modified$/);
    const bin = recs.find((r) => r.warcTargetURI?.endsWith('/bin') && r.warcType === 'response');
    expect(bin?.content?.subarray(0, BIN.length).equals(BIN)).toBe(true);
  });

  it('points each page row at its record: one gzip member at warc_offset, warc_length long', () => {
    const rows = rowsOf();
    expect(rows).toHaveLength(9);
    for (const row of rows) {
      expect(row.warc_file, row.url).toBe(readdirSync(arch())[0]);
      const file = readFileSync(join(arch(), String(row.warc_file)));
      const member = file.subarray(
        Number(row.warc_offset),
        Number(row.warc_offset) + Number(row.warc_length),
      );
      const text = gunzipSync(member).toString('latin1');
      expect(text.startsWith('WARC/1.1\r\n'), row.url).toBe(true);
      expect(text).toMatch(/WARC-Type: (response|revisit)\r\n/);
    }
    const r1 = rows.find((r) => r.url.endsWith('/r1'));
    const m = gunzipSync(
      readFileSync(join(arch(), String(r1?.warc_file))).subarray(
        Number(r1?.warc_offset),
        Number(r1?.warc_offset) + Number(r1?.warc_length),
      ),
    ).toString('utf8');
    expect(m).toContain(`WARC-Target-URI: ${site.origin}/page`);
    expect(rows.find((r) => r.url.endsWith('/big'))?.truncated).toBe(1);
  });

  it('reextract --as: the archived bytes extracted again give the rows the crawl stored; a rerun resumes', async () => {
    const r = await runMain(reextractArgs('--from-archive', arch(), '--as', 'arc2'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /reextract arc → arc2: 9 pages extracted again, 0 failed pages copied, 0 already done/,
    );
    expect(r.stderr).toMatch(/reextract: 9\/9 pages/);
    expect(snapshot('arc2')).toEqual(snapshot('arc'));
    // Payloads archived content-encoded (gzip, br, deflate) are decoded again: their titles are there.
    const titles = snapshot('arc2').pages.map((p) => `${String(p.url).replace(site.origin, '')} ${p.title}`);
    expect(titles).toEqual(expect.arrayContaining(['/r1 Grüße aus Köln', '/br brotli', '/defl raw deflate']));
    const again = await runMain(reextractArgs('--from-archive', arch(), '--as', 'arc2'));
    expect(again.stdout).toMatch(/0 pages extracted again, 0 failed pages copied, 9 already done/);
    // In place: the same rows again.
    const before = snapshot('arc');
    const inPlace = await runMain(reextractArgs('--from-archive', arch()));
    expect(inPlace.code, inPlace.stderr).toBe(0);
    expect(snapshot('arc')).toEqual(before);
    const missing = await runMain(reextractArgs('--from-archive', join(dir, 'nope')));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/archive: cannot open .*nope.*ENOENT/);
  });

  it('reextract --workers 3: two threads extract, the rows are the same; a record that cannot be read stops it', async () => {
    const r = await runCli(reextractArgs('--from-archive', arch(), '--as', 'arc3', '--workers', '3'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/reextract: extracting on 2 threads, writing on this one/);
    expect(r.stdout).toMatch(/reextract arc → arc3: 9 pages extracted again, 0 failed pages copied/);
    expect(snapshot('arc3')).toEqual(snapshot('arc'));
    const missing = await runCli(
      reextractArgs('--from-archive', join(dir, 'nope'), '--as', 'arc4', '--workers', '2'),
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/reextract: extracting on 1 thread,/);
    expect(missing.stderr).toMatch(/archive: cannot open .*nope.*ENOENT/);
  });
});

/** Every row of a crawl in every table, without ids and store times: what two equal crawls share. */
function snapshot(crawl: string) {
  const d = new Database(db(), { readonly: true });
  try {
    const where = 'FROM pages p JOIN crawls c ON c.id = p.crawl_id WHERE c.name = ?';
    const pages = (
      d.prepare(`SELECT p.* ${where} ORDER BY p.url`).all(crawl) as Record<string, unknown>[]
    ).map(({ id, crawl_id, stored_at, ...rest }) => rest);
    const child = (sql: string) => d.prepare(sql).all(crawl);
    return {
      pages,
      meta: child(
        `SELECT p.url, m.position, m.attr, m.key, m.content ${where.replace('FROM pages p', 'FROM meta m JOIN pages p ON p.id = m.page_id')} ORDER BY p.url, m.position`,
      ),
      links: child(
        `SELECT p.url, l.position, l.url AS href, l.text, l.rel ${where.replace('FROM pages p', 'FROM links l JOIN pages p ON p.id = l.page_id')} ORDER BY p.url, l.position`,
      ),
      jsonld: child(
        `SELECT p.url, j.position, j.type, j.json, j.valid ${where.replace('FROM pages p', 'FROM jsonld j JOIN pages p ON p.id = j.page_id')} ORDER BY p.url, j.position`,
      ),
    };
  } finally {
    d.close();
  }
}
