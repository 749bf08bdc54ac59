/**
 * `metacrawl export`: every format read back by a reader that shares no code with the writer (JSON.parse,
 * csv-parse, and the Rust parquet crate through parquet-wasm + Apache Arrow JS), on a crawl holding non-ASCII
 * text, NULLs, very long values and formula-looking cells.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { tableFromIPC } from 'apache-arrow';
import { parse } from 'csv-parse/sync';
import { readParquet } from 'parquet-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCrawl } from '../../src/store/export.js';
import { openDb } from '../../src/store/index.js';
import { PageWriter } from '../../src/store/writer.js';
import { runCli } from '../helpers/cli.js';
import { EXPORT_FORMULA, EXPORT_UNICODE, exportRecords, okRecord, tempDir } from './records.js';

const tmp = tempDir();
const LONG = `long ${'ü'.repeat(300_000)} end`;
const UNICODE = EXPORT_UNICODE;
const FORMULA = EXPORT_FORMULA;
let pageIds: number[] = [];

beforeAll(() => {
  const db = openDb(tmp.dbPath);
  const exp = exportRecords(LONG);
  const other = okRecord('other', 'https://example.com/a');
  new PageWriter(db).writeBatch([...exp, other]);
  pageIds = (
    db
      .prepare(
        "SELECT p.id FROM pages p JOIN crawls c ON c.id = p.crawl_id WHERE c.name = 'exp' ORDER BY p.id",
      )
      .pluck()
      .all() as number[]
  ).slice();
  db.close();
});
afterAll(() => tmp.cleanup());

const base = { db: tmp.dbPath, crawl: 'exp', gzip: false, nested: false, stdout: process.stdout };

describe('export', () => {
  it('JSONL (gzip by .gz) holds every page row of the crawl, values exact', async () => {
    const out = join(tmp.dir, 'pages.jsonl.gz');
    const [r] = await exportCrawl({ ...base, format: 'jsonl', table: 'pages', out });
    expect(r.rows).toBe(3);
    const rows = gunzipSync(readFileSync(out))
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((p) => p.id)).toEqual(pageIds);
    expect(rows[0].title).toBe(UNICODE);
    expect(rows[0].description).toBe(LONG);
    expect(rows[2].title).toBeNull();
    expect(rows[2].error).toBe('FETCH_TIMEOUT');
    expect(JSON.parse(rows[0].redirects)).toEqual([{ url: 'https://example.com/a?r', status: 301 }]);
  });

  it('CSV round-trips through csv-parse, formula-looking texts neutralised, numbers kept', async () => {
    const out = join(tmp.dir, 'x');
    const results = await exportCrawl({ ...base, format: 'csv', table: 'all', out });
    expect(results.map((r) => [r.table, r.rows])).toEqual([
      ['pages', 3],
      ['links', 2],
      ['meta', 4],
      ['jsonld', 6],
    ]);
    const pages = parse(readFileSync(join(out, 'pages.csv')), { columns: true }) as Record<string, string>[];
    expect(pages[0].title).toBe(UNICODE);
    expect(pages[0].description).toBe(LONG);
    expect(pages[1].title).toBe("'-2+3");
    expect(pages[2].title).toBe('');
    expect(pages[0].status).toBe('200');
    const meta = parse(readFileSync(join(out, 'meta.csv')), { columns: true }) as Record<string, string>[];
    expect(meta.find((m) => m.key === 'formula')?.content).toBe(`'${FORMULA}`);
    expect(meta.find((m) => m.key === 'nocontent')?.content).toBe('');
    const links = parse(readFileSync(join(out, 'links.csv')), { columns: true }) as Record<string, string>[];
    expect(links[0].text).toBe("'@SUM(A1:A9)");
    expect(links[0].page_url).toBe('https://example.com/a');
  });

  it('Parquet (several row groups) is read by the Rust parquet crate with typed columns', async () => {
    const out = join(tmp.dir, 'pages.parquet');
    await exportCrawl({ ...base, format: 'parquet', table: 'pages', out, rowGroupRows: 2 });
    const table = tableFromIPC(readParquet(readFileSync(out)).intoIPCStream());
    expect(table.numRows).toBe(3);
    const field = (n: string) => table.schema.fields.find((f) => f.name === n)?.type.toString();
    expect(field('status')).toBe('Int64');
    expect(field('truncated')).toBe('Bool');
    expect(field('title')).toMatch(/Utf8/);
    expect(field('fetched_at')).toMatch(/Timestamp/);
    const rows = table.toArray().map((r) => r.toJSON());
    expect(rows.map((r) => Number(r.id))).toEqual(pageIds);
    expect(rows[0].title).toBe(UNICODE);
    expect(rows[0].description).toBe(LONG);
    expect(rows[0].truncated).toBe(false);
    expect(Number(rows[0].status)).toBe(200);
    expect(rows[2].title).toBeNull();
    expect(rows[2].status).toBeNull();
    expect(new Date(Number(rows[0].fetched_at)).toISOString()).toBe('2025-01-02T03:04:05.000Z');
  });

  it('Parquet of the child tables, NULL contents kept', async () => {
    const out = join(tmp.dir, 'pq');
    await exportCrawl({ ...base, format: 'parquet', table: 'all', out });
    const meta = tableFromIPC(readParquet(readFileSync(join(out, 'meta.parquet'))).intoIPCStream())
      .toArray()
      .map((r) => r.toJSON());
    expect(meta.find((m) => m.key === 'nocontent')?.content).toBeNull();
    expect(meta.find((m) => m.key === 'formula')?.content).toBe(FORMULA);
    const jsonld = tableFromIPC(readParquet(readFileSync(join(out, 'jsonld.parquet'))).intoIPCStream());
    expect(jsonld.numRows).toBe(6);
    expect(jsonld.toArray()[1].toJSON().valid).toBe(false);
  });

  it('--nested: one document per page with its meta tags, links and JSON-LD, through the CLI to stdout', async () => {
    const r = await runCli(['export', '--db', tmp.dbPath, '--crawl', 'exp', '--format', 'jsonl', '--nested']);
    expect(r.code).toBe(0);
    const docs = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(docs).toHaveLength(3);
    expect(docs[0].title).toBe(UNICODE);
    expect(docs[0].links.map((l: { text: string }) => l.text)).toEqual(['@SUM(A1:A9)', 'link 1']);
    expect(docs[0].meta.find((m: { key: string }) => m.key === 'nocontent').content).toBeNull();
    expect(docs[0].jsonld[0]).toEqual({
      type: 'Article',
      valid: true,
      data: { '@type': 'Article', headline: 'H' },
    });
    expect(docs[0].jsonld[1].valid).toBe(false);
    expect(docs[0].redirects).toEqual([{ url: 'https://example.com/a?r', status: 301 }]);
    expect(docs[2].links).toEqual([]);
  });

  it('names what is wrong: an unknown crawl, --table all to stdout, --nested with CSV', async () => {
    await expect(
      exportCrawl({ ...base, crawl: 'nope', format: 'csv', table: 'pages', out: null }),
    ).rejects.toThrow(/no crawl named "nope"/);
    await expect(exportCrawl({ ...base, format: 'csv', table: 'all', out: null })).rejects.toThrow(
      /--out <directory>/,
    );
    await expect(
      exportCrawl({ ...base, format: 'csv', table: 'pages', nested: true, out: null }),
    ).rejects.toThrow(/only for --format jsonl/);
  });
});
