/** PageRecord builders and temp databases for the store tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { ErrorCode } from '../../src/errors.js';
import { type Db, openDb } from '../../src/store/db.js';
import { PageWriter } from '../../src/store/writer.js';
import type { JsonLdBlock, LinkInfo, MetaTag, PageRecord } from '../../src/types.js';

export function tempDir(): { dir: string; dbPath: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'mc-store-'));
  return { dir, dbPath: join(dir, 'test.db'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A new database (openDb) and its PageWriter for each test of the calling describe, closed and removed after it. */
export function storePerTest(set: (db: Db, writer: PageWriter) => void): void {
  let t: ReturnType<typeof tempDir>;
  let db: Db;
  beforeEach(() => {
    t = tempDir();
    db = openDb(t.dbPath);
    set(db, new PageWriter(db));
  });
  afterEach(() => {
    db.close();
    t.cleanup();
  });
}

export function okRecord(
  crawl: string,
  url: string,
  opts: { links?: number; meta?: number; title?: string } = {},
): PageRecord {
  const links: LinkInfo[] = Array.from({ length: opts.links ?? 3 }, (_, i) => ({
    url: `https://example.com/to/${i}`,
    text: `link ${i}`,
    tag: 'a' as const,
    rel: i % 2 === 0 ? null : 'nofollow',
  }));
  const meta: MetaTag[] = Array.from({ length: opts.meta ?? 2 }, (_, i) => [
    'name',
    `key-${i}`,
    `value ${i}`,
  ]);
  const jsonld: JsonLdBlock[] = [
    {
      raw: '{"@type":"Article","headline":"H"}',
      valid: true,
      value: { '@type': 'Article' },
      types: ['Article'],
    },
    { raw: '{broken', valid: false, value: null, types: [] },
    {
      raw: '{"@graph":[{"@type":"WebPage"},{"@type":["Organization","Brand"]}]}',
      valid: true,
      value: {},
      types: ['WebPage', 'Organization', 'Brand'],
    },
  ];
  const title = opts.title ?? `Title of ${url}`;
  return {
    crawl,
    url,
    depth: 1,
    discoveredFrom: 'https://example.com/',
    finalUrl: `${url}?final`,
    status: 200,
    contentType: 'text/html; charset=utf-8',
    error: null,
    errorDetail: null,
    attempts: 1,
    fetchedAt: '2025-01-02T03:04:05.000Z',
    elapsedMs: 42,
    queuedMs: 7,
    bytes: 12345,
    truncated: false,
    redirects: [{ url: `${url}?r`, status: 301 }],
    headers: { 'content-type': 'text/html; charset=utf-8', server: 'test' },
    encoding: 'utf-8',
    lastmod: null,
    meta: {
      title,
      lang: 'en',
      charset: 'utf-8',
      canonical: url,
      description: 'A description',
      viewport: 'width=device-width',
      meta,
      og: {
        'og:title': `og ${title}`,
        'og:image': 'https://example.com/i.png',
        'og:site_name': 'Example',
        'og:type': 'article',
      },
      twitter: { 'twitter:card': 'summary', 'twitter:site': '@ex' },
      jsonld,
      links,
      linksCount: links.length + 10,
      areaLinksCount: 0,
      linksTruncated: true,
      baseUrl: url,
      resolved: {
        bestTitle: `og ${title}`,
        bestDescription: 'A description',
        bestImage: 'https://example.com/i.png',
        bestUrl: url,
        siteName: 'Example',
        author: 'Ann Author',
        publishedAt: '2024-12-31',
        modifiedAt: null,
        pageType: 'article',
        favicon: 'https://example.com/favicon.ico',
        feeds: ['https://example.com/feed.xml'],
        hreflang: [{ lang: 'de', url: 'https://example.com/de' }],
        robots: 'index,follow',
        keywords: 'a, b',
        jsonldTypes: ['Article', 'WebPage', 'Organization', 'Brand'],
      },
    },
  };
}

export function failRecord(
  crawl: string,
  url: string,
  error: ErrorCode = 'FETCH_TIMEOUT',
  status: number | null = null,
): PageRecord {
  return {
    crawl,
    url,
    depth: 0,
    discoveredFrom: null,
    finalUrl: null,
    status,
    contentType: null,
    error,
    errorDetail: `GET ${url} failed with ${error}`,
    attempts: 3,
    fetchedAt: '2025-01-02T03:05:00.000Z',
    elapsedMs: null,
    queuedMs: null,
    bytes: null,
    truncated: false,
    redirects: [],
    headers: null,
    encoding: null,
    lastmod: '2024-11-01',
    meta: null,
  };
}

/** Non-ASCII text with a quote, a comma and a newline: what every export format must carry through unchanged. */
export const EXPORT_UNICODE = 'Ünïcödé — 日本語 🚀 "quoted", comma\nnewline';
/** A cell a spreadsheet would run as a formula: CSV exports neutralise it. */
export const EXPORT_FORMULA = '=HYPERLINK("http://evil.example/","click")';

/**
 * The export tests' crawl `exp`: a page with non-ASCII text, a very long description (`long`), a meta tag without
 * content and formula-looking cells; a page with a formula-looking title and no links or metas; a failed fetch.
 */
export function exportRecords(long: string): PageRecord[] {
  const a = okRecord('exp', 'https://example.com/a', { title: EXPORT_UNICODE, links: 2 });
  if (a.meta) {
    a.meta.description = long;
    a.meta.meta.push(['name', 'nocontent', null], ['name', 'formula', EXPORT_FORMULA]);
    a.meta.links[0].text = '@SUM(A1:A9)';
  }
  const b = okRecord('exp', 'https://example.com/b', { title: '-2+3', links: 0, meta: 0 });
  return [a, b, failRecord('exp', 'https://example.com/c')];
}
