/**
 * Synthetic results databases for the explorer's benchmark and tests: realistic pages (meta tags, links
 * to pages of the same host, JSON-LD, redirects, headers, failures) written through the real PageWriter.
 * Deterministic for a given size, so figures are comparable between runs.
 */

import type { ErrorCode } from '#metacrawl/errors.js';
import { finishWrites, openDb, PageWriter } from '#metacrawl/store/index.js';
import type { MetaTag, PageRecord } from '#metacrawl/types.js';

export interface FixtureOptions {
  pages: number;
  crawl: string;
  /** Distinct hosts (default: pages / 500, at least 5). */
  hosts?: number;
  /** Records per transaction (default 1000). */
  batch?: number;
}

const TYPES = ['Article', 'Product', 'WebPage', 'BlogPosting', 'Event', 'Organization'];
const ERRORS: ErrorCode[] = [
  'FETCH_TIMEOUT',
  'HTTP_4XX',
  'HTTP_5XX',
  'DNS_NOT_FOUND',
  'ROBOTS_DISALLOWED',
  'NOT_HTML',
];

/** A small deterministic PRNG (mulberry32), so a given size always yields the same database. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function fixtureUrl(host: number, page: number): string {
  return `https://site${host}.example/page/${page}`;
}

/** Page i of the crawl: host chosen with a skew (a few big hosts, a long tail), page number within it. */
function placement(i: number, hosts: number): { host: number; page: number } {
  const host = i % 10 < 4 ? i % Math.min(20, hosts) : i % hosts;
  return { host, page: i };
}

/** Links point to other pages of the crawl (about five incoming each), so "linked from" has answers. */
function linkTarget(i: number, k: number, total: number, hosts: number): string {
  const j = (i + k * 9973) % total;
  return fixtureUrl(placement(j, hosts).host, j);
}

export function fixtureRecord(
  i: number,
  crawl: string,
  total: number,
  hosts: number,
  rand: () => number,
): PageRecord {
  const { host, page } = placement(i, hosts);
  const url = fixtureUrl(host, page);
  const fetchedAt = new Date(Date.UTC(2025, 0, 1) + i * 10).toISOString();
  const elapsedMs = Math.round(20 + rand() * rand() * 2000);
  const roll = rand();
  if (roll < 0.04) {
    const error = ERRORS[Math.floor(rand() * ERRORS.length)];
    const status = error === 'HTTP_4XX' ? 404 : error === 'HTTP_5XX' ? 503 : null;
    return base(crawl, url, i, fetchedAt, {
      status,
      error,
      errorDetail: `GET ${url} → ${error}`,
      elapsedMs: status ? elapsedMs : null,
    });
  }
  const links = [1, 2, 3, 4, 5].map((k) => ({
    url: linkTarget(i, k, total, hosts),
    text: `Related page ${k}`,
    rel: null,
    tag: 'a' as const,
  }));
  const hasOg = rand() > 0.15;
  const hasTw = rand() > 0.3;
  const hasDesc = rand() > 0.1;
  const hasJsonld = rand() > 0.25;
  const hasCanonical = rand() > 0.2;
  const noindex = rand() < 0.03;
  const title = `Page ${page} of site ${host} — ${TYPES[i % TYPES.length]}`;
  const description = hasDesc ? `A description of page ${page} on site ${host}, for the explorer.` : null;
  const image = `https://site${host}.example/img/${page}.png`;
  const type = TYPES[(host + page) % TYPES.length];
  const meta: MetaTag[] = [
    ['charset', 'charset', 'utf-8'],
    ['name', 'viewport', 'width=device-width, initial-scale=1'],
  ];
  if (description) meta.push(['name', 'description', description]);
  if (noindex) meta.push(['name', 'robots', 'noindex, nofollow']);
  const og: Record<string, string> = {};
  if (hasOg) {
    const fields = { title, description: description ?? title, url, type: 'article', image };
    for (const [k, v] of Object.entries(fields)) {
      og[`og:${k}`] = v;
      meta.push(['property', `og:${k}`, v]);
    }
  }
  const twitter: Record<string, string> = {};
  if (hasTw) {
    for (const [k, v] of Object.entries({ card: 'summary', site: `@site${host}`, title })) {
      twitter[`twitter:${k}`] = v;
      meta.push(['name', `twitter:${k}`, v]);
    }
  }
  const jsonldRaw = JSON.stringify({ '@context': 'https://schema.org', '@type': type, name: title, url });
  const redirected = rand() < 0.05;
  return {
    ...base(crawl, url, i, fetchedAt, { status: 200, error: null, errorDetail: null, elapsedMs }),
    finalUrl: redirected ? `${url}/` : url,
    redirects: redirected ? [{ url, status: 301 }] : [],
    contentType: 'text/html; charset=utf-8',
    bytes: 8000 + Math.floor(rand() * 60000),
    encoding: 'utf-8',
    headers: { 'content-type': 'text/html; charset=utf-8', server: 'fixture', 'cache-control': 'max-age=60' },
    meta: {
      title,
      lang: 'en',
      charset: 'utf-8',
      canonical: hasCanonical ? url : null,
      description,
      viewport: 'width=device-width, initial-scale=1',
      meta,
      og,
      twitter,
      jsonld: hasJsonld ? [{ raw: jsonldRaw, valid: true, value: JSON.parse(jsonldRaw), types: [type] }] : [],
      links,
      linksCount: links.length,
      areaLinksCount: 0,
      linksTruncated: false,
      baseUrl: url,
      resolved: {
        bestTitle: title,
        bestDescription: description,
        bestImage: hasOg ? image : null,
        bestUrl: url,
        siteName: `Site ${host}`,
        author: null,
        publishedAt: null,
        modifiedAt: null,
        pageType: hasOg ? 'article' : null,
        favicon: `https://site${host}.example/favicon.ico`,
        feeds: [],
        hreflang: [],
        robots: noindex ? 'noindex, nofollow' : null,
        keywords: null,
        jsonldTypes: hasJsonld ? [type] : [],
      },
    },
  };
}

function base(
  crawl: string,
  url: string,
  i: number,
  fetchedAt: string,
  o: Pick<PageRecord, 'status' | 'error' | 'errorDetail' | 'elapsedMs'>,
): PageRecord {
  return {
    crawl,
    url,
    depth: i % 3,
    discoveredFrom: null,
    finalUrl: o.error ? null : url,
    status: o.status,
    contentType: null,
    error: o.error,
    errorDetail: o.errorDetail,
    attempts: 1,
    fetchedAt,
    elapsedMs: o.elapsedMs,
    queuedMs: 0,
    bytes: null,
    truncated: false,
    redirects: [],
    headers: null,
    encoding: null,
    lastmod: null,
    meta: null,
  };
}

/** Fills (or extends) the database at `path` with `pages` synthetic pages of crawl `crawl`. */
export async function generateDb(path: string, opts: FixtureOptions): Promise<void> {
  const db = openDb(path);
  try {
    const writer = new PageWriter(db);
    const hosts = opts.hosts ?? Math.max(5, Math.floor(opts.pages / 500));
    const size = opts.batch ?? 1000;
    const rand = rng(opts.pages);
    writer.setCrawlSettings(opts.crawl, JSON.stringify({ fixture: true, pages: opts.pages }));
    for (let start = 0; start < opts.pages; start += size) {
      const batch: PageRecord[] = [];
      for (let i = start; i < Math.min(opts.pages, start + size); i++) {
        batch.push(fixtureRecord(i, opts.crawl, opts.pages, hosts, rand));
      }
      writer.writeBatch(batch);
      // Let timers and I/O run between batches when called inside a server process.
      if ((start / size) % 50 === 49) await new Promise((r) => setImmediate(r));
    }
    // As the end of a crawl does: indexes the writer left off, planner statistics.
    finishWrites(db);
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}
