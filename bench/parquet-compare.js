#!/usr/bin/env node
/**
 * The Parquet writer choice, measured: hyparquet-writer (pure JavaScript, what `metacrawl export` uses) against
 * parquet-wasm (the Rust parquet crate in WebAssembly, fed Apache Arrow JS tables), on the same pages rows of a
 * synthetic crawl. Prints rows/s, file size and installed size. `node bench/parquet-compare.js [pages]`
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import Database from 'better-sqlite3';
import { Compression, Table, WriterPropertiesBuilder, writeParquet } from 'parquet-wasm';
import { exportCrawl, openDb, PageWriter } from '../dist/store/index.js';
import { fetchedPage } from './lib.js';

const N = Number(process.argv[2] ?? 20000);
const dir = mkdtempSync(join(tmpdir(), 'mc-pq-'));
const dbPath = join(dir, 'b.db');

function record(i) {
  const url = `https://site${i % 50}.example/page/${i}`;
  return fetchedPage('b', url, {
    depth: 1,
    fetchedAt: new Date(1.7e12 + i * 1000).toISOString(),
    elapsedMs: 40 + (i % 50),
    queuedMs: 3,
    bytes: 20000 + i,
    headers: { 'content-type': 'text/html', server: 'x' },
    meta: {
      title: `Page ${i} — a title of some length`,
      lang: 'en',
      charset: 'utf-8',
      canonical: url,
      description: `Description of page ${i}: ${'lorem ipsum '.repeat(10)}`,
      viewport: null,
      meta: [],
      og: {},
      twitter: {},
      jsonld: [],
      links: [],
      linksCount: 0,
      areaLinksCount: 0,
      linksTruncated: false,
      baseUrl: url,
    },
  });
}

function du(p) {
  const s = statSync(p);
  if (!s.isDirectory()) return s.size;
  return readdirSync(p).reduce((a, f) => a + du(join(p, f)), 0);
}

const db = openDb(dbPath);
const w = new PageWriter(db);
for (let i = 0; i < N; i += 1000)
  w.writeBatch(Array.from({ length: Math.min(1000, N - i) }, (_, k) => record(i + k)));
db.close();

const out1 = join(dir, 'hy.parquet');
let t = performance.now();
await exportCrawl({
  db: dbPath,
  crawl: 'b',
  format: 'parquet',
  table: 'pages',
  out: out1,
  gzip: false,
  nested: false,
  stdout: process.stdout,
});
const hy = { ms: performance.now() - t, bytes: statSync(out1).size };

// parquet-wasm: the same rows, in Arrow record batches of 10,000 rows, one writeParquet per file.
t = performance.now();
const rdb = new Database(dbPath, { readonly: true });
const stmt = rdb.prepare('SELECT * FROM pages ORDER BY id');
const cols = stmt.columns();
const arrays = Object.fromEntries(cols.map((c) => [c.name, []]));
for (const row of stmt.raw(true).iterate()) {
  for (let i = 0; i < cols.length; i++) arrays[cols[i].name].push(row[i]);
}
const typed = Object.fromEntries(
  cols.map((c) => [
    c.name,
    (c.type ?? '').includes('INT')
      ? Float64Array.from(arrays[c.name], (v) => v ?? Number.NaN)
      : arrays[c.name],
  ]),
);
const arrow = tableFromArrays(typed);
const props = new WriterPropertiesBuilder().setCompression(Compression.SNAPPY).build();
const bytes = writeParquet(Table.fromIPCStream(tableToIPC(arrow, 'stream')), props);
const out2 = join(dir, 'wasm.parquet');
writeFileSync(out2, bytes);
const wasm = { ms: performance.now() - t, bytes: statSync(out2).size };
rdb.close();

const nm = new URL('../node_modules/', import.meta.url).pathname;
const size = (pkgs) => (pkgs.reduce((a, p) => a + du(join(nm, p)), 0) / 1e6).toFixed(1);
console.log(`pages rows: ${N}`);
console.log(
  `hyparquet-writer: ${Math.round(N / (hy.ms / 1000))} rows/s, ${(hy.bytes / N).toFixed(0)} B/row, installed ${size(['hyparquet-writer', 'hyparquet'])} MB (streams row groups)`,
);
console.log(
  `parquet-wasm+arrow: ${Math.round(N / (wasm.ms / 1000))} rows/s, ${(wasm.bytes / N).toFixed(0)} B/row, installed ${size(['parquet-wasm', 'apache-arrow', 'flatbuffers'])} MB (whole table in memory here)`,
);
rmSync(dir, { recursive: true, force: true });
