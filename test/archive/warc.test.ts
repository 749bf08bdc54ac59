/**
 * `crawl --archive`: the WARC files of a crawl over a scripted local site, read back by two readers that share
 * no code with metacrawl's writer (Webrecorder's warcio and node-warc), and the page rows pointing into them.
 */
import { createReadStream, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGunzip, gunzipSync, gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { WARCStreamTransform } from 'node-warc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WARCParser, type WARCRecord as WarcioRecord } from 'warcio';
import { runCli } from '../helpers/cli.js';
import { startServer, type TestServer } from '../helpers/http.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';

const BIN = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 131 + 7) % 256));
const BIG = `<html><head><title>big</title></head><body>${'<p>x</p>'.repeat(40_000)}</body></html>`;
const PAGE = '<html><head><title>Grüße aus Köln</title></head><body><a href="/nowhere">x</a></body></html>';
const SAME = '<html><head><title>same</title></head><body>identical payload</body></html>';

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

/** The crawl's one WARC file (the first test checks there is one). */
const warcPath = () => join(arch(), readdirSync(arch())[0]);

/**
 * A finder over one reader's records (`fields` gives a record's target URI and type): the first record of the
 * URL ending in `path` of type `type` ('not request': a response or a revisit).
 */
function recordOf<R>(recs: R[], fields: (r: R) => [string | null | undefined, string]) {
  return (path: string, type: string): R | undefined =>
    recs.find((r) => {
      const [uri, t] = fields(r);
      return uri?.endsWith(path) && (type === 'not request' ? t !== 'request' : t === type);
    });
}

const REVISIT_PROFILE = 'http://netpreserve.org/warc/1.1/revisit/';

beforeAll(async () => {
  site = await startServer((req, res) => {
    const p = req.url ?? '';
    if (p === '/robots.txt') return void res.writeHead(404).end();
    if (p === '/r1') return void res.writeHead(301, { location: '/r2' }).end('moved');
    if (p === '/r2') return void res.writeHead(302, { location: '/page' }).end();
    if (p === '/page') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-encoding': 'gzip' });
      return void res.end(gzipSync(PAGE));
    }
    if (p === '/nm') return void res.writeHead(304, { etag: '"v1"' }).end();
    if (p === '/big') return void res.writeHead(200, { 'content-type': 'text/html' }).end(BIG);
    if (p === '/bin') return void res.writeHead(200, { 'content-type': 'image/png' }).end(BIN);
    if (p === '/d1' || p === '/d2') return void res.writeHead(200, { 'content-type': 'text/html' }).end(SAME);
    res.writeHead(404).end();
  });
  dir = mkdtempSync(join(tmpdir(), 'mc-warc-'));
  const seeds = join(dir, 'seeds.txt');
  writeFileSync(seeds, ['/r1', '/nm', '/big', '/bin', '/d1', '/d2'].map((p) => site.origin + p).join('\n'));
  const r = await runCli([
    'crawl',
    seeds,
    '--crawl',
    'arc',
    '--db',
    db(),
    '--redis',
    testRedisUrl(),
    '--prefix',
    testPrefix(),
    '--allow-private',
    '--no-progress',
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
afterAll(async () => {
  await site?.close();
});

type PageRow = { url: string; status: number; error: string | null } & Record<string, unknown>;

/** The gzip member a page row points at (warc_file, warc_offset, warc_length), unzipped. */
function memberOf(row: PageRow | undefined): Buffer {
  const offset = Number(row?.warc_offset);
  return gunzipSync(
    readFileSync(join(arch(), String(row?.warc_file))).subarray(offset, offset + Number(row?.warc_length)),
  );
}

function rowsOf(): PageRow[] {
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
    // Stored decoded: the original coding is kept as X-Archive-Orig-Content-Encoding.
    const page = chain[5];
    expect(page.body.toString('utf8')).toBe(PAGE);
    expect(page.httpHeaders.get('x-archive-orig-content-encoding')).toBe('gzip');
    expect(page.httpHeaders.get('content-encoding')).toBeUndefined();
    expect(page.httpHeaders.get('content-length')).toBe(String(Buffer.byteLength(PAGE)));
    expect(page.headers.get('warc-ip-address')).toBe('127.0.0.1');
  });

  it('marks a 304 as a server-not-modified revisit, a body cut at --max-bytes as WARC-Truncated, keeps binary bytes', async () => {
    const recs = await readWarcio(warcPath());
    const record = recordOf(recs, (r) => [r.uri, r.type]);
    const nm = record('/nm', 'not request');
    expect(nm?.type).toBe('revisit');
    expect(nm?.status).toBe(304);
    expect(nm?.headers.get('warc-profile')).toBe(`${REVISIT_PROFILE}server-not-modified`);
    const big = record('/big', 'response');
    expect(big?.headers.get('warc-truncated')).toBe('length');
    expect(big?.body.length).toBe(100 * 1024);
    expect(big?.body.toString()).toBe(BIG.slice(0, 100 * 1024));
    const bin = record('/bin', 'response');
    expect(bin?.body.equals(BIN)).toBe(true);
    expect(bin?.httpHeaders.get('content-type')).toBe('image/png');
    // The second of two identical payloads is an identical-payload-digest revisit of the first.
    const dups = recs.filter((r) => /\/d[12]$/.test(r.uri ?? '') && r.type !== 'request');
    expect(dups.map((r) => r.type).sort()).toEqual(['response', 'revisit']);
    const rv = dups.find((r) => r.type === 'revisit');
    const orig = dups.find((r) => r.type === 'response');
    expect(rv?.headers.get('warc-profile')).toBe(`${REVISIT_PROFILE}identical-payload-digest`);
    expect(rv?.headers.get('warc-refers-to')).toBe(orig?.headers.get('warc-record-id'));
    expect(rv?.headers.get('warc-payload-digest')).toBe(orig?.headers.get('warc-payload-digest'));
  });

  it('is read in full by node-warc too (another parser), digests and profiles as declared', async () => {
    const path = warcPath();
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
    // warcinfo + (request, response|revisit) for 3 hops + 5 other pages.
    expect(recs).toHaveLength(1 + 2 * 8);
    expect(recs.filter((r) => r.warcType === 'request')).toHaveLength(8);
    for (const r of recs) expect(r.warcBlockDigest).toMatch(/^sha1:[A-Z2-7]{32}$/);
    const record = recordOf(recs, (r) => [r.warcTargetURI, r.warcType]);
    expect(record('/big', 'response')?.warcTruncated).toBe('length');
    expect(record('/nm', 'revisit')?.warcProfile).toMatch(/server-not-modified$/);
    const bin = record('/bin', 'response');
    expect(bin?.content?.subarray(0, BIN.length).equals(BIN)).toBe(true);
  });

  it('points each page row at its record: one gzip member at warc_offset, warc_length long', () => {
    const rows = rowsOf();
    expect(rows).toHaveLength(6);
    for (const row of rows) {
      expect(row.warc_file, row.url).toBe(readdirSync(arch())[0]);
      const text = memberOf(row).toString('latin1');
      expect(text.startsWith('WARC/1.1\r\n'), row.url).toBe(true);
      expect(text).toMatch(/WARC-Type: (response|revisit)\r\n/);
    }
    const m = memberOf(rows.find((r) => r.url.endsWith('/r1'))).toString('utf8');
    expect(m).toContain(`WARC-Target-URI: ${site.origin}/page`);
    expect(rows.find((r) => r.url.endsWith('/big'))?.truncated).toBe(1);
  });

  it('reextract --as: the archived bytes extracted again give the rows the crawl stored; a rerun resumes', async () => {
    const reextract = (archive: string, ...more: string[]) =>
      runCli(['reextract', '--db', db(), '--crawl', 'arc', '--from-archive', archive, ...more]);
    const r = await reextract(arch(), '--as', 'arc2');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /reextract arc → arc2: 6 pages extracted again, 0 failed pages copied, 0 already done/,
    );
    expect(r.stderr).toMatch(/reextract: 6\/6 pages/);
    expect(snapshot('arc2')).toEqual(snapshot('arc'));
    const again = await reextract(arch(), '--as', 'arc2');
    expect(again.stdout).toMatch(/0 pages extracted again, 0 failed pages copied, 6 already done/);
    // In place: the same rows again.
    const before = snapshot('arc');
    const inPlace = await reextract(arch());
    expect(inPlace.code, inPlace.stderr).toBe(0);
    expect(snapshot('arc')).toEqual(before);
    const missing = await reextract(join(dir, 'nope'));
    expect(missing.code).toBe(1);
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
