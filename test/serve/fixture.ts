/** Fixture databases for the explorer tests: synthetic pages plus one page carrying injection payloads. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../src/store/db.js';
import { PageWriter } from '../../src/store/writer.js';
import type { PageRecord } from '../../src/types.js';
import { generateDb } from '../../tools/fixture-db.js';

export const XSS = {
  title: `<script>window.__xss=1</script>"><img src=x onerror="window.__xss=2">`,
  meta: `"><script>window.__xss=3</script><svg onload="window.__xss=4">`,
  linkText: `<b onmouseover="window.__xss=5">click</b>`,
  jsonld: `{"@context":"https://schema.org","@type":"Article","name":"</script><script>window.__xss=6</script>"}`,
  extract: `<script>window.__xss=8</script>`,
  reason: `<img src=x onerror="window.__xss=9"> no good`,
  microdata: `</pre><script>window.__xss=10</script>`,
};

export const HOSTILE_URL = 'https://evil.example/xss';

/** A title a spreadsheet would run as a formula, long enough to be an audit finding (title-too-long). */
export const FORMULA_TITLE =
  '=HYPERLINK("http://x/","y") and words enough to be longer than sixty characters';

export function hostileRecord(crawl: string): PageRecord {
  const raw = XSS.jsonld;
  return {
    crawl,
    url: HOSTILE_URL,
    depth: 0,
    discoveredFrom: null,
    finalUrl: HOSTILE_URL,
    status: 200,
    contentType: 'text/html',
    error: null,
    errorDetail: null,
    attempts: 1,
    fetchedAt: '2025-01-01T00:00:00.000Z',
    elapsedMs: 12,
    queuedMs: 0,
    bytes: 100,
    truncated: false,
    redirects: [{ url: 'javascript:alert(1)', status: 302 }],
    headers: { 'x-evil': XSS.meta },
    encoding: 'utf-8',
    lastmod: null,
    meta: {
      title: XSS.title,
      lang: 'en',
      charset: 'utf-8',
      canonical: 'javascript:alert(1)',
      description: XSS.meta,
      viewport: null,
      meta: [
        ['name', 'description', XSS.meta],
        ['property', `og:title"><script>window.__xss=7</script>`, XSS.title],
      ],
      og: {
        'og:title': XSS.title,
        'og:url': 'javascript:alert(1)',
        'og:image': 'data:text/html,<script>alert(1)</script>',
      },
      twitter: { 'twitter:site': XSS.meta, 'twitter:title': XSS.title },
      jsonld: [{ raw, valid: true, value: JSON.parse(raw), types: ['Article'] }],
      links: [
        { url: 'javascript:alert(1)', text: XSS.linkText, rel: null, tag: 'a' as const },
        { url: 'https://site0.example/page/0', text: XSS.linkText, rel: XSS.meta, tag: 'a' as const },
        {
          url: 'https://site0.example/page/12#comments',
          text: 'to a fragment',
          rel: null,
          tag: 'a' as const,
        },
      ],
      linksCount: 3,
      areaLinksCount: 0,
      linksTruncated: false,
      baseUrl: HOSTILE_URL,
      resolved: {
        bestTitle: XSS.title,
        bestDescription: XSS.meta,
        bestImage: 'javascript:alert(1)',
        bestUrl: HOSTILE_URL,
        siteName: XSS.meta,
        author: XSS.title,
        publishedAt: null,
        modifiedAt: null,
        pageType: null,
        favicon: 'javascript:alert(1)',
        feeds: ['javascript:alert(1)'],
        hreflang: [{ lang: XSS.meta, url: 'javascript:alert(1)' }],
        robots: null,
        keywords: null,
        jsonldTypes: ['Article'],
      },
      // The crawl's own fields: a plain rule, a keep-every-match rule with a payload, one that matched nothing,
      // one that failed (its reason is hostile too), and a microdata item.
      extracts: { price: '12.50', tags: ['first', XSS.extract, 'third'], nothing: null, broken: null },
      extractErrors: { broken: XSS.reason },
      microdata: [
        { type: ['https://schema.org/Product'], properties: { name: [XSS.microdata], sku: ['S-1'] } },
      ],
      microdataTypes: ['https://schema.org/Product'],
    },
  };
}

export interface FixtureDb {
  dir: string;
  dbPath: string;
  cleanup(): void;
}

/** `pages` synthetic pages of crawl `crawl` plus the hostile page. */
export async function fixtureDb(pages = 600, crawl = 'fixture'): Promise<FixtureDb> {
  const dir = mkdtempSync(join(tmpdir(), 'metacrawl-serve-'));
  const dbPath = join(dir, 'results.db');
  await generateDb(dbPath, { pages, crawl, hosts: 12 });
  const db = openDb(dbPath);
  try {
    new PageWriter(db).writeBatch([hostileRecord(crawl)]);
    // Audit findings: the content checks read pages with a word count (the synthetic ones have none), so the
    // hostile page (its long title) and one synthetic page (a formula-looking long title) become findings.
    db.prepare('UPDATE pages SET word_count = 40 WHERE url = ?').run(HOSTILE_URL);
    db.prepare(
      `UPDATE pages SET title = ?, word_count = 40 WHERE id = (SELECT id FROM pages WHERE error IS NULL AND status = 200 AND url <> ? ORDER BY url LIMIT 1)`,
    ).run(FORMULA_TITLE, HOSTILE_URL);
  } finally {
    db.close();
  }
  return { dir, dbPath, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
