#!/usr/bin/env node
/**
 * A large crawl database for timing the site audit, made in minutes: synthetic records of `--hosts` sites written
 * straight through the store writer (PageWriter, no Redis, no farm), then the end-of-crawl work (finishWrites).
 * Every page's fields are a pure function of its number, so two runs make the same database.
 *
 * What a page is (shares of all pages, roughly):
 *   1% 404, 0.5% 500 (errors, no metadata); 1% one redirect hop, 0.5% two hops (a redirect chain), to a URL of
 *   its own (`/p/<k>/`); 1% noindex (meta robots); 2% canonicalised to the next page; 5% sitemap seeds (depth 0,
 *   discovered_from the host's sitemap); the others at depth 1-7.
 *   Titles unique, except 3% in groups per host (title-duplicate), 2% missing, lengths 20-75 (too long / too
 *   short); descriptions likewise; h1 the title (2% missing, 1% two h1s).
 *   Text: a random SimHash and text hash per page, except 0.5% in exact-duplicate groups of 4 (same text hash)
 *   and 1% in near-duplicate groups of 5 (SimHashes 1-3 bits from the group's base: pairwise within 6 bits).
 *   Words 50-1500 (thin content under 200); 5% images without alt; 1% slow (> 1 s); 0.3% large (> 1 MB);
 *   0.5% invalid JSON-LD; 2% hreflang to the next page (half of them reciprocal).
 *   Links: 24 per page (home, sections, neighbours, 14 pages of the host picked at random, 2 off-site), so
 *   broken links and links to redirects come from the 404s and redirects above.
 *
 * Usage: node bench/audit-db.js --out <file.db> [--pages 1000000] [--hosts 100] [--batch 1000] [--crawl audit]
 *        (needs `npm run build`; an existing file is replaced)
 */
import { rmSync, statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ROOT } from './lib.js';

const dist = (/** @type {string} */ p) => import(pathToFileURL(`${ROOT}dist/${p}`).href);

/** A 32-bit hash of (i, salt): deterministic noise. */
export function mix(/** @type {number} */ i, /** @type {number} */ salt) {
  let h = Math.imul(i ^ Math.imul(salt, 0x9e3779b1), 0x85ebca6b) ^ 0x5bd1e995;
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 13;
  h = Math.imul(h, 0x27d4eb2f);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 64-bit value from (i, salt) as a BigInt (unsigned). */
function mix64(/** @type {number} */ i, /** @type {number} */ salt) {
  return (BigInt(mix(i, salt)) << 32n) | BigInt(mix(i, salt + 7919));
}

const signed = (/** @type {bigint} */ x) => BigInt.asIntN(64, x).toString();
const hex16 = (/** @type {bigint} */ x) => x.toString(16).padStart(16, '0');

/** Words to make titles and descriptions of a given length. */
const LOREM =
  'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu';
function text(/** @type {number} */ i, /** @type {number} */ salt, /** @type {number} */ chars) {
  let s = '';
  let n = 0;
  while (s.length < chars) s += `${LOREM.split(' ')[mix(i, salt + n++) % 26]} `;
  return s.slice(0, chars).trim();
}

/**
 * The record maker: `record(i)` is page i's PageRecord. Page i is page `k` of host `h` (hosts hold consecutive
 * numbers), at `http://h<h>.example/p/<k>`.
 * @param {{ pages: number, hosts: number, crawl: string }} o
 */
export function auditRecords(o) {
  const perHost = Math.ceil(o.pages / o.hosts);
  const pageUrl = (/** @type {number} */ h, /** @type {number} */ k) => `http://h${h}.example/p/${k}`;
  /** What page i is: one draw in 1000. */
  const kind = (/** @type {number} */ i) => {
    const r = mix(i, 1) % 1000;
    if (r < 10) return '404';
    if (r < 15) return '500';
    if (r < 25) return 'redirect';
    if (r < 30) return 'chain';
    if (r < 40) return 'noindex';
    if (r < 60) return 'canonicalised';
    return 'ok';
  };
  return (/** @type {number} */ i) => {
    const h = Math.floor(i / perHost);
    const k = i % perHost;
    const url = pageUrl(h, k);
    const what = kind(i);
    const seed = mix(i, 2) % 100 < 5;
    const base = {
      crawl: o.crawl,
      url,
      depth: seed || k === 0 ? 0 : 1 + (mix(i, 3) % 7),
      discoveredFrom: seed ? `http://h${h}.example/sitemap.xml` : null,
      attempts: 1,
      fetchedAt: new Date(1_700_000_000_000 + i * 10).toISOString(),
      queuedMs: 0,
      truncated: false,
      encoding: 'utf-8',
      lastmod: null,
    };
    if (what === '404' || what === '500') {
      const status = what === '404' ? 404 : 500;
      return {
        ...base,
        finalUrl: url,
        status,
        contentType: 'text/html',
        error: status === 404 ? 'HTTP_4XX' : 'HTTP_5XX',
        errorDetail: `GET ${url} → ${status}`,
        elapsedMs: 20,
        bytes: 300,
        redirects: [],
        headers: { 'content-type': 'text/html' },
        meta: null,
      };
    }
    const finalUrl = what === 'redirect' || what === 'chain' ? `${url}/` : url;
    const redirects =
      what === 'redirect'
        ? [{ url, status: 301 }]
        : what === 'chain'
          ? [
              { url, status: 301 },
              { url: `${url}/index`, status: 302 },
            ]
          : [];
    // Titles and descriptions: unique (the page number in them), some shared per host, some missing.
    const t = mix(i, 4) % 100;
    const titleLen = 20 + (mix(i, 5) % 56);
    const title =
      t < 2 ? null : t < 5 ? `Section ${h}-${mix(i, 6) % 40} of the shop` : `${text(i, 7, titleLen)} ${i}`;
    const d = mix(i, 8) % 100;
    const description =
      d < 3
        ? null
        : d < 6
          ? `About section ${h}-${mix(i, 9) % 40}`
          : `${text(i, 10, 50 + (mix(i, 11) % 130))} ${i}`;
    const hh = mix(i, 12) % 100;
    const h1 = hh < 2 ? null : title;
    // Text fingerprints: exact-duplicate groups of 4, near-duplicate groups of 5, else random.
    let textHash = hex16(mix64(i, 14));
    let simhash = mix64(i, 15);
    if (mix(Math.floor(i / 4), 13) % 1000 < 5) {
      const g = Math.floor(i / 4);
      textHash = hex16(mix64(g, 16));
      simhash = mix64(g, 17);
    } else if (mix(Math.floor(i / 5), 61) % 100 < 1) {
      const g = Math.floor(i / 5);
      simhash = mix64(g, 18);
      const flips = 1 + (mix(i, 19) % 3);
      for (let f = 0; f < flips; f++) simhash ^= 1n << BigInt(mix(i, 20 + f) % 64);
    }
    const links = [];
    const link = (/** @type {string} */ u, /** @type {string} */ anchor) =>
      links.push({ url: u, text: anchor, rel: null, tag: 'a' });
    link(pageUrl(h, 0), 'Home');
    for (let s = 1; s <= 5; s++) link(pageUrl(h, s), `Section ${s}`);
    if (k > 0) link(pageUrl(h, k - 1), 'Previous');
    if (k + 1 < perHost) link(pageUrl(h, k + 1), 'Next');
    for (let r = 0; r < 14; r++) {
      const to = mix(i, 30 + r) % perHost;
      link(pageUrl(h, to), `Item ${to}`);
    }
    link(`https://elsewhere.example/${mix(i, 50) % 1000}`, 'Elsewhere');
    link(`${url}#comments`, 'Comments');
    const canonical = what === 'canonicalised' ? pageUrl(h, (k + 1) % perHost) : finalUrl;
    const hreflang =
      mix(i, 51) % 100 < 2 && k + 1 < perHost
        ? [
            { lang: 'en', url: finalUrl },
            { lang: 'de', url: pageUrl(h, k + 1) },
          ]
        : [];
    const invalidJsonld = mix(i, 52) % 1000 < 5;
    const jsonld = [
      invalidJsonld
        ? { raw: '{"@type": "Product",', valid: false, value: null, types: [] }
        : { raw: '{"@type":"Product"}', valid: true, value: { '@type': 'Product' }, types: ['Product'] },
    ];
    const imgCount = mix(i, 53) % 12;
    const meta = [
      ['name', 'viewport', 'width=device-width'],
      ['property', 'og:type', 'product'],
    ];
    if (description !== null) meta.push(['name', 'description', description]);
    if (what === 'noindex') meta.push(['name', 'robots', 'noindex, follow']);
    return {
      ...base,
      finalUrl,
      status: 200,
      contentType: 'text/html; charset=utf-8',
      error: null,
      errorDetail: null,
      elapsedMs: mix(i, 54) % 100 < 1 ? 1000 + (mix(i, 55) % 3000) : 30 + (mix(i, 55) % 400),
      bytes: mix(i, 56) % 1000 < 3 ? 1_100_000 + (mix(i, 57) % 100_000) : 20_000 + (mix(i, 57) % 180_000),
      redirects,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      meta: {
        title,
        lang: 'en',
        charset: 'utf-8',
        canonical,
        description,
        viewport: 'width=device-width',
        meta,
        og: { 'og:type': 'product' },
        twitter: {},
        jsonld,
        links,
        linksCount: links.length,
        areaLinksCount: 0,
        linksTruncated: false,
        baseUrl: finalUrl,
        resolved: {
          bestTitle: title,
          bestDescription: description,
          bestImage: null,
          bestUrl: canonical,
          siteName: null,
          author: null,
          publishedAt: null,
          modifiedAt: null,
          pageType: 'product',
          favicon: `http://h${h}.example/favicon.ico`,
          feeds: [],
          hreflang,
          robots: what === 'noindex' ? 'noindex, follow' : null,
          keywords: null,
          jsonldTypes: invalidJsonld ? [] : ['Product'],
        },
        audit: {
          h1,
          h1Count: h1 === null ? 0 : mix(i, 58) % 100 < 1 ? 2 : 1,
          titleCount: 1,
          canonicalCount: 1,
          wordCount: 50 + (mix(i, 59) % 1450),
          textHash,
          simhash: signed(simhash),
          imgCount,
          imgMissingAlt: imgCount > 0 && mix(i, 60) % 100 < 5 ? 1 : 0,
          xRobotsTag: null,
        },
      },
    };
  };
}

/**
 * Writes the database: `pages` records in batches of `batch`, then finishWrites. Returns CPU and wall seconds.
 * @param {{ out: string, pages?: number, hosts?: number, batch?: number, crawl?: string, log?: (s: string) => void }} o
 */
export async function buildAuditDb(o) {
  const pages = o.pages ?? 1_000_000;
  const hosts = o.hosts ?? 100;
  const batch = o.batch ?? 1000;
  const log = o.log ?? (() => {});
  const { openDb } = await dist('store/db.js');
  const { PageWriter } = await dist('store/writer.js');
  const { finishWrites } = await dist('store/indexes.js');
  for (const x of ['', '-wal', '-shm']) rmSync(o.out + x, { force: true });
  const db = openDb(o.out);
  const writer = new PageWriter(db);
  const record = auditRecords({ pages, hosts, crawl: o.crawl ?? 'audit' });
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (let i = 0; i < pages; ) {
    const list = [];
    for (let n = 0; n < batch && i < pages; n++) list.push(record(i++));
    writer.writeBatch(list);
    if (i % 100_000 === 0 || i === pages)
      log(`  ${i} pages, ${Math.round((performance.now() - started) / 1000)} s`);
  }
  finishWrites(db, log);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const d = process.cpuUsage(cpu);
  return {
    pages,
    hosts,
    wallS: Math.round((performance.now() - started) / 100) / 10,
    cpuS: Math.round((d.user + d.system) / 1e5) / 10,
    bytes: statSync(o.out).size,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (/** @type {string} */ name) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const out = arg('--out');
  if (!out) throw new Error('usage: node bench/audit-db.js --out <file.db> [--pages n] [--hosts n]');
  const num = (/** @type {string} */ name) => (arg(name) === undefined ? undefined : Number(arg(name)));
  const r = await buildAuditDb({
    out,
    pages: num('--pages'),
    hosts: num('--hosts'),
    batch: num('--batch'),
    crawl: arg('--crawl'),
    log: (s) => process.stdout.write(`${s}\n`),
  });
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
