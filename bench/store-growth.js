#!/usr/bin/env node
/**
 * How the store's write cost grows with the database: PageWriter (in process, no Redis) writes farm-like
 * records as a crawl of many sites would produce them, and reports the cost per page of each tenth of the
 * run, the end-of-crawl work (indexes the writer left off, statistics) and the bytes per page at the end.
 *
 * The records are the farm's pages made site-specific, as on the real web: `--sites` sites (default 1000),
 * every link URL on a host of its own site (links are mostly distinct across sites), each page linking to
 * ~20 URLs no page linked to before (other issues, images, its own #comments), and the long meta contents
 * (descriptions, titles, tokens) unique to the page; navigation links, short meta values and anchor texts
 * repeat within a site.
 * Usage: node bench/store-growth.js [--pages 60000] [--sites 1000] [--batch 500] [--keep] [--json]
 *        (needs `npm run build`; --keep leaves the database in $TMPDIR)
 */
import { rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fetchedPage, ROOT } from './lib.js';
import { renderIssuePage } from './page.js';

const dist = (/** @type {string} */ p) => import(pathToFileURL(`${ROOT}dist/${p}`).href);

const POOL = 128;

/**
 * The farm-like records of site-specific pages (see above): `record(i)` makes page i's, fresh each call.
 * @param {(html: string, url: string) => any} extract
 * @param {number} sites
 */
export function growthRecords(extract, sites) {
  const pool = Array.from({ length: POOL }, (_, i) => {
    const html = renderIssuePage(i);
    return { bytes: html.length, meta: extract(html, `http://farm.example/issues/${i}`) };
  });
  const record = (/** @type {number} */ i) => {
    const p = pool[i % POOL];
    const site = i % sites;
    const url = `http://site${site}.example/issues/${i}`;
    const onSite = (/** @type {string} */ u) => u.replace(/^(https?:\/\/)([^/]+)/, `$1s${site}.$2`);
    const self = `http://farm.example/issues/${i % POOL}`;
    const links = p.meta.links.map((/** @type {any} */ l) => {
      /** @type {string} */
      let u = l.url;
      // Links to the page itself (its comments' anchors): to this page.
      if (u === self || u.startsWith(`${self}#`))
        u = `http://farm.example/issues/${i}${u.slice(self.length)}`;
      // Other issues and images: URLs no earlier page linked to.
      if (/\/issues\/\d+$|camo\./.test(u)) u = `${u}-${i}`;
      return { ...l, url: onSite(u) };
    });
    const meta = p.meta.meta.map((/** @type {[string, string, string | null]} */ [a, k, c]) => [
      a,
      k,
      c !== null && c.length > 40 ? `${c} ${i}` : c,
    ]);
    return fetchedPage('growth', url, {
      fetchedAt: new Date().toISOString(),
      elapsedMs: 5 + (i % 50),
      queuedMs: 0,
      bytes: p.bytes,
      headers: { 'content-type': 'text/html; charset=utf-8', 'content-encoding': 'gzip' },
      meta: { ...p.meta, title: `${p.meta.title} ${i}`, links, meta },
    });
  };
  return record;
}

/**
 * The records of `bench/run.js --only store`: the farm's pages (a pool of 256 over 100 hosts, links as the farm
 * has them, so they repeat), under distinct page URLs. `record(i)` makes page i's, fresh each call.
 * @param {(html: string, url: string) => any} extract
 * @param {number} n pages in all (the pool is at most that many)
 * @param {string} [fetchedAt]
 */
export function storePhaseRecords(extract, n, fetchedAt = new Date().toISOString()) {
  const pool = Array.from({ length: Math.min(256, n) }, (_, i) => {
    const url = `http://127.0.1.${1 + (i % 100)}:8080/issues/${i}`;
    const html = renderIssuePage(i);
    return { url, bytes: Buffer.byteLength(html), meta: extract(html, url) };
  });
  return (/** @type {number} */ i) => {
    const p = pool[i % pool.length];
    const url = `http://127.0.1.${1 + (i % 100)}:8080/issues/${i}`;
    return fetchedPage('bench-store', url, {
      fetchedAt,
      elapsedMs: 3 + (i % 20),
      queuedMs: 0,
      bytes: p.bytes,
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'content-encoding': 'gzip',
        vary: 'Accept-Encoding',
      },
      meta: p.meta,
    });
  };
}

/**
 * The records of `bench/run.js --only user` as its crawl's writer gets them: the farm's pages (host h's page p is
 * pool[(h * 100 + p) % 256], hosts interleaved as the crawl takes them) extracted from their bytes by `extractUtf8`
 * afresh at each call, handed over as objects (no JSON): the strings the extractor made (resolved URLs are
 * concatenations), none hashed yet.
 * @param {(body: Uint8Array, url: string) => any} extractUtf8
 * @param {number} [hosts]
 * @param {string} [fetchedAt]
 */
export function crawlPhaseRecords(extractUtf8, hosts = 100, fetchedAt = new Date().toISOString()) {
  const pool = Array.from({ length: 256 }, (_, i) => Buffer.from(renderIssuePage(i)));
  return (/** @type {number} */ i) => {
    const h = i % hosts;
    const p = Math.floor(i / hosts);
    const body = pool[(h * 100 + p) % pool.length];
    const url = `http://127.0.1.${1 + h}:8080/issues/${p}`;
    return fetchedPage('bench-crawl', url, {
      fetchedAt,
      elapsedMs: 3 + (i % 20),
      queuedMs: 0,
      bytes: body.length,
      headers: { 'content-type': 'text/html; charset=utf-8', 'content-encoding': 'gzip' },
      meta: extractUtf8(body, url),
    });
  };
}

/** @param {{ pages?: number, sites?: number, batch?: number, keep?: boolean, log?: (s: string) => void }} [o] */
export async function runStoreGrowth(o = {}) {
  const total = o.pages ?? 60_000;
  const sites = o.sites ?? 1000;
  const batchSize = o.batch ?? 500;
  const log = o.log ?? (() => {});
  const { openDb } = await dist('store/db.js');
  const { PageWriter } = await dist('store/writer.js');
  const { finishWrites } = await dist('store/indexes.js');
  const { extract } = await dist('extract/index.js');
  const record = growthRecords(extract, sites);
  const file = join(tmpdir(), `metacrawl-store-growth-${process.pid}.db`);
  const clean = () => {
    for (const x of ['', '-wal', '-shm']) rmSync(file + x, { force: true });
  };
  clean();
  const db = openDb(file);
  const writer = new PageWriter(db);
  const slices = [];
  const tenth = Math.max(batchSize, Math.round(total / 10 / batchSize) * batchSize);
  let i = 0;
  while (i < total) {
    const from = i;
    const upto = Math.min(total, i + tenth);
    const cpu = process.cpuUsage();
    const wall = performance.now();
    let buildCpuUs = 0;
    let buildMs = 0;
    while (i < upto) {
      const t = performance.now();
      const c = process.cpuUsage();
      const batch = [];
      for (let k = 0; k < batchSize && i < upto; k++) batch.push(record(i++));
      const b = process.cpuUsage(c);
      buildCpuUs += b.user + b.system;
      buildMs += performance.now() - t;
      writer.writeBatch(batch);
    }
    const d = process.cpuUsage(cpu);
    const n = upto - from;
    // The records are made in this process: their making is not the writer's cost.
    const cpuMs = (d.user + d.system - buildCpuUs) / 1000;
    const wallMs = performance.now() - wall - buildMs;
    slices.push({
      pages: `${from}-${upto}`,
      cpuMsPerPage: round(cpuMs / n),
      wallMsPerPage: round(wallMs / n),
      pagesPerS: Math.round(n / (wallMs / 1000)),
    });
    log(
      `  pages ${from}-${upto}: ${round(cpuMs / n)} CPU ms/page, ${Math.round(n / (wallMs / 1000))} pages/s`,
    );
  }
  const cpu = process.cpuUsage();
  const wall = performance.now();
  const built = finishWrites(db, log);
  const d = process.cpuUsage(cpu);
  db.pragma('wal_checkpoint(TRUNCATE)');
  const objects = db
    .prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC LIMIT 8')
    .all()
    .map((/** @type {any} */ r) => ({ name: r.name, bytesPerPage: Math.round(r.bytes / total) }));
  const urls = db.prepare('SELECT max(id) FROM urls').pluck().get();
  const distinctUrls = db.prepare('SELECT count(DISTINCT url) FROM urls').pluck().get();
  db.close();
  const bytes = statSync(file).size;
  if (o.keep) log(`  kept ${file}`);
  else clean();
  const first = slices[0].cpuMsPerPage;
  const last = slices.at(-1).cpuMsPerPage;
  return {
    pages: total,
    sites,
    slices,
    lastVsFirst: round(last / first),
    finish: {
      cpuMsPerPage: round((d.user + d.system) / 1000 / total),
      wallS: round((performance.now() - wall) / 1000),
      built: built.map((/** @type {any} */ b) => b.name),
    },
    bytesPerPage: Math.round(bytes / total),
    urlRows: urls,
    distinctUrls,
    objects,
  };
}

function round(/** @type {number} */ x) {
  return Math.round(x * 1000) / 1000;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (/** @type {string} */ name) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const json = process.argv.includes('--json');
  const r = await runStoreGrowth({
    pages: arg('--pages'),
    sites: arg('--sites'),
    batch: arg('--batch'),
    keep: process.argv.includes('--keep'),
    log: json ? undefined : (s) => process.stdout.write(`${s}\n`),
  });
  if (json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  else {
    process.stdout.write(
      `last tenth / first tenth: ×${r.lastVsFirst} CPU per page; end of writes: ${r.finish.wallS} s (${r.finish.cpuMsPerPage} CPU ms/page)\n`,
    );
    process.stdout.write(
      `${r.bytesPerPage} bytes/page on disk; ${r.distinctUrls} distinct URLs in ${r.urlRows} rows; ${r.objects.map((x) => `${x.name} ${x.bytesPerPage}`).join(', ')}\n`,
    );
  }
}
