#!/usr/bin/env node
/**
 * How the store's write cost grows with the database: PageWriter (in process, no Redis) writes farm-like
 * records whose links are distinct across pages, as on a crawl of many sites, and reports CPU ms per page for
 * each slice of the run — with the schema as it is, and with the two child-table indexes (links_url,
 * meta_key) left off during the writes and built once at the end.
 * Usage: node bench/store-growth.js [--pages 60000] [--json]   (needs `npm run build`)
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './lib.js';
import { renderIssuePage } from './page.js';

const dist = (/** @type {string} */ p) => import(pathToFileURL(`${ROOT}dist/${p}`).href);

/** @param {{ pages?: number }} [o] */
export async function runStoreGrowth(o = {}) {
  const total = o.pages ?? 60_000;
  const { openDb } = await dist('store/db.js');
  const { PageWriter } = await dist('store/writer.js');
  const { extract } = await dist('extract/index.js');
  const pool = Array.from({ length: 128 }, (_, i) => {
    const html = renderIssuePage(i);
    return { bytes: html.length, meta: extract(html, `http://127.0.1.${1 + (i % 100)}/issues/${i}`) };
  });
  const record = (/** @type {number} */ i) => {
    const p = pool[i % pool.length];
    const url = `http://site${i % 1000}.example/issues/${i}`;
    // Links distinct per site, as when many sites are crawled.
    const links = p.meta.links.map((/** @type {any} */ l) => ({ ...l, url: `${l.url}#s${i % 1000}` }));
    return {
      crawl: 'growth',
      url,
      depth: 0,
      discoveredFrom: null,
      finalUrl: url,
      status: 200,
      contentType: 'text/html',
      error: null,
      errorDetail: null,
      attempts: 1,
      fetchedAt: new Date().toISOString(),
      elapsedMs: 5,
      queuedMs: 0,
      bytes: p.bytes,
      truncated: false,
      redirects: [],
      headers: { 'content-type': 'text/html' },
      encoding: 'utf-8',
      lastmod: null,
      meta: { ...p.meta, links },
    };
  };
  const slices = [0.1, 0.25, 0.5, 0.75, 1].map((q) => Math.round(total * q));
  const out = {};
  for (const variant of ['as is', 'indexes built at the end']) {
    const file = join(tmpdir(), `metacrawl-store-growth-${process.pid}.db`);
    for (const x of ['', '-wal', '-shm']) rmSync(file + x, { force: true });
    const db = openDb(file);
    const deferred = variant !== 'as is';
    if (deferred) db.exec('DROP INDEX links_url; DROP INDEX meta_key;');
    const writer = new PageWriter(db);
    const rows = [];
    let i = 0;
    for (const upto of slices) {
      const from = i;
      const t = process.cpuUsage();
      while (i < upto) {
        const batch = [];
        for (let k = 0; k < 250 && i < upto; k++) batch.push(record(i++));
        writer.writeBatch(batch);
      }
      const d = process.cpuUsage(t);
      rows.push({
        pages: `${from}-${upto}`,
        cpuMsPerPage: round((d.user + d.system) / 1000 / (upto - from)),
      });
    }
    let endMsPerPage = 0;
    if (deferred) {
      const t = process.cpuUsage();
      db.exec('CREATE INDEX links_url ON links (url); CREATE INDEX meta_key ON meta (key);');
      const d = process.cpuUsage(t);
      endMsPerPage = round((d.user + d.system) / 1000 / total);
    }
    db.close();
    for (const x of ['', '-wal', '-shm']) rmSync(file + x, { force: true });
    out[variant] = { slices: rows, indexAtEndCpuMsPerPage: deferred ? endMsPerPage : undefined };
  }
  return out;
}

function round(/** @type {number} */ x) {
  return Math.round(x * 1000) / 1000;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const i = process.argv.indexOf('--pages');
  const r = await runStoreGrowth({ pages: i > 0 ? Number(process.argv[i + 1]) : undefined });
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  else
    for (const [variant, v] of Object.entries(r)) {
      process.stdout.write(`${variant}:\n`);
      for (const s of v.slices)
        process.stdout.write(`  pages ${s.pages.padEnd(13)} ${s.cpuMsPerPage} CPU ms/page\n`);
      if (v.indexAtEndCpuMsPerPage !== undefined)
        process.stdout.write(`  + both indexes built at the end: ${v.indexAtEndCpuMsPerPage} CPU ms/page\n`);
    }
}
