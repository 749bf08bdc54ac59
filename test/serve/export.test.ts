/**
 * The explorer's export downloads over HTTP: each format read back by a reader that shares no code with the
 * writer (JSON.parse, csv-parse, the Rust parquet crate through parquet-wasm + Apache Arrow JS), on a crawl with
 * non-ASCII text, NULLs, a very long value and formula-looking cells; and a client that stops reading holds
 * the export back, and one that disconnects ends it and releases its database connection.
 */
import { get as httpGet, type IncomingMessage } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { tableFromIPC } from 'apache-arrow';
import * as cheerio from 'cheerio';
import { parse } from 'csv-parse/sync';
import { readParquet } from 'parquet-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExplorer } from '../../src/serve/server.js';
import { type Db, openDb } from '../../src/store/db.js';
import { PageWriter } from '../../src/store/writer.js';
import { EXPORT_FORMULA, EXPORT_UNICODE, exportRecords, okRecord, tempDir } from '../store/records.js';

const tmp = tempDir();
const LONG = `long ${'ü'.repeat(200_000)} end`;
const UNICODE = EXPORT_UNICODE;
const FORMULA = EXPORT_FORMULA;
const ODD_NAME = 'Ünï "x"/../a b';
/** Pages of the crawl that is large beside the sockets' buffers (about 20 MB of JSONL). */
const BIG = 1000;

let base: string;
let close: () => Promise<void>;

beforeAll(async () => {
  const db = openDb(tmp.dbPath);
  const exp = exportRecords(LONG);
  const writer = new PageWriter(db);
  writer.writeBatch([...exp, okRecord(ODD_NAME, 'https://example.com/odd')]);
  const big = Array.from({ length: BIG }, (_, i) => {
    const r = okRecord('big', `https://example.com/big/${i}`, { links: 1, meta: 1 });
    if (r.meta) r.meta.description = `${i} ${'d'.repeat(20_000)}`;
    return r;
  });
  writer.writeBatch(big);
  db.close();
  const e = await startExplorer({ dbPath: tmp.dbPath, port: 0 });
  base = e.url;
  close = e.close;
}, 60_000);
afterAll(async () => {
  await close?.();
  tmp.cleanup();
});

async function download(path: string): Promise<{ res: Response; bytes: Buffer }> {
  const res = await fetch(new URL(path, base));
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

const lines = (text: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));

/**
 * Whether some connection still reads from the WAL: a TRUNCATE checkpoint cannot reset the log under a reader
 * (each export reads on a connection of its own, inside one read transaction from its first row to its last).
 */
function walHeld(w: Db): boolean {
  const [r] = w.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
  return r.busy !== 0;
}

describe("the explorer's export downloads", () => {
  it("links every table in every format from the crawl's view, each answering with its type and file name", async () => {
    const $ = cheerio.load(await (await fetch(new URL('/crawl/exp', base))).text());
    const hrefs = $('#exports a[href]')
      .map((_, a) => $(a).attr('href'))
      .get();
    expect(hrefs).toHaveLength(4 * 5 + 2);
    expect(hrefs).toContain('/crawl/exp/export/nested.jsonl.gz');
    expect($('#crawl-tabs a[href="#export"]').length).toBe(1);
    const types = { jsonl: 'application/x-ndjson; charset=utf-8', csv: 'text/csv; charset=utf-8' };
    for (const href of hrefs) {
      const { res, bytes } = await download(href);
      expect(res.status, href).toBe(200);
      const file = href.split('/').pop() ?? '';
      expect(res.headers.get('content-disposition'), href).toBe(`attachment; filename="exp-${file}"`);
      const [, ext, gz] = /\.(jsonl|csv|parquet)(\.gz)?$/.exec(file) ?? [];
      const type = gz
        ? 'application/gzip'
        : ext === 'parquet'
          ? 'application/vnd.apache.parquet'
          : types[ext as 'csv'];
      expect(res.headers.get('content-type'), href).toBe(type);
      expect(res.headers.get('content-security-policy'), href).toContain("default-src 'none'");
      expect(bytes.length, href).toBeGreaterThan(0);
      if (gz) expect(gunzipSync(bytes).length, href).toBeGreaterThan(0);
      if (ext === 'parquet') expect(bytes.subarray(0, 4).toString(), href).toBe('PAR1');
    }
  });

  it('JSONL: every page row of the crawl, values exact, NULLs as null; nested (gzip) with children', async () => {
    const pages = lines((await download('/crawl/exp/export/pages.jsonl')).bytes.toString('utf8'));
    expect(pages.map((p) => p.url)).toEqual([
      'https://example.com/a',
      'https://example.com/b',
      'https://example.com/c',
    ]);
    expect(pages[0].title).toBe(UNICODE);
    expect(pages[0].description).toBe(LONG);
    expect(pages[2].title).toBeNull();
    expect(pages[2].error).toBe('FETCH_TIMEOUT');
    const docs = lines(
      gunzipSync((await download('/crawl/exp/export/nested.jsonl.gz')).bytes).toString('utf8'),
    );
    expect(docs).toHaveLength(3);
    expect(docs[0].links.map((l: { text: string }) => l.text)).toEqual(['@SUM(A1:A9)', 'link 1']);
    expect(docs[0].meta.find((m: { key: string }) => m.key === 'nocontent').content).toBeNull();
    expect(docs[0].redirects).toEqual([{ url: 'https://example.com/a?r', status: 301 }]);
  });

  it('CSV (plain and gzip) round-trips through csv-parse with formula-looking cells neutralised', async () => {
    const csv = (bytes: Buffer) => parse(bytes, { columns: true }) as Record<string, string>[];
    const pages = csv((await download('/crawl/exp/export/pages.csv')).bytes);
    expect(pages.map((p) => p.title)).toEqual([UNICODE, "'-2+3", '']);
    expect(pages[0].description).toBe(LONG);
    expect(pages[0].status).toBe('200');
    const meta = csv(gunzipSync((await download('/crawl/exp/export/meta.csv.gz')).bytes));
    expect(meta.find((m) => m.key === 'formula')?.content).toBe(`'${FORMULA}`);
    expect(meta.find((m) => m.key === 'nocontent')?.content).toBe('');
    const links = csv((await download('/crawl/exp/export/links.csv')).bytes);
    expect(links[0].text).toBe("'@SUM(A1:A9)");
    expect(links[0].page_url).toBe('https://example.com/a');
  });

  it('Parquet is read by the Rust parquet crate with typed columns and NULLs kept', async () => {
    const read = async (path: string) =>
      tableFromIPC(readParquet((await download(path)).bytes).intoIPCStream());
    const pages = await read('/crawl/exp/export/pages.parquet');
    expect(pages.schema.fields.find((f) => f.name === 'status')?.type.toString()).toBe('Int64');
    const rows = pages.toArray().map((r) => r.toJSON());
    expect(rows.map((r) => r.title)).toEqual([UNICODE, '-2+3', null]);
    expect(rows[0].description).toBe(LONG);
    expect(rows[2].status).toBeNull();
    const meta = (await read('/crawl/exp/export/meta.parquet')).toArray().map((r) => r.toJSON());
    expect(meta.find((m) => m.key === 'formula')?.content).toBe(FORMULA);
    expect(meta.find((m) => m.key === 'nocontent')?.content).toBeNull();
  });

  it('names the file from a sanitised crawl name, answers HEAD without running, and 404s what is not offered', async () => {
    const odd = await download(`/crawl/${encodeURIComponent(ODD_NAME)}/export/pages.csv`);
    expect(odd.res.status).toBe(200);
    expect(odd.res.headers.get('content-disposition')).toBe('attachment; filename="n_x_.._a_b-pages.csv"');
    expect(parse(odd.bytes, { columns: true })).toHaveLength(1);
    const head = await fetch(new URL('/crawl/big/export/pages.jsonl', base), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    for (const path of [
      '/crawl/nope/export/pages.csv',
      '/crawl/exp/export/nested.csv',
      '/crawl/exp/export/pages.parquet.gz',
      '/crawl/exp/export/crawls.csv',
    ]) {
      expect((await download(path)).res.status, path).toBe(404);
    }
  });

  it('holds the export back while the client does not read, and ends it when the client disconnects', async () => {
    const w = openDb(tmp.dbPath, { busyTimeoutMs: 0 });
    try {
      w.exec('CREATE TABLE IF NOT EXISTS scratch (x); INSERT INTO scratch VALUES (1)');
      expect(walHeld(w)).toBe(false);
      // Something in the log, so that the export's snapshot reads from it.
      w.exec('INSERT INTO scratch VALUES (2)');
      let received = 0;
      const req = httpGet(new URL('/crawl/big/export/pages.jsonl', base));
      const res = await new Promise<IncomingMessage>((resolve) => req.on('response', resolve));
      expect(res.statusCode).toBe(200);
      await new Promise<void>((resolve) =>
        res.once('data', (chunk: Buffer) => {
          received += chunk.length;
          res.pause();
          resolve();
        }),
      );
      // The export is still reading: it waits for the client, it has not buffered the file.
      for (let i = 0; i < 10; i++) {
        await new Promise((r) => setTimeout(r, 50));
        expect(walHeld(w)).toBe(true);
      }
      expect(received).toBeLessThan(BIG * 20_000);
      req.destroy();
      let held = true;
      for (let i = 0; i < 200 && held; i++) {
        await new Promise((r) => setTimeout(r, 25));
        held = walHeld(w);
      }
      expect(held).toBe(false);
    } finally {
      w.close();
    }
    // The explorer goes on answering, and a whole download of the same crawl is complete.
    const whole = lines((await download('/crawl/big/export/pages.jsonl')).bytes.toString('utf8'));
    expect(whole).toHaveLength(BIG);
    expect(whole[BIG - 1].description.startsWith(`${BIG - 1} `)).toBe(true);
  });
});
