/**
 * Every audit check's view on a hand-written database: a site of clean pages, one problem (or look-alike)
 * added per test, and exactly the rows the view must answer.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type Db, openDb } from '../../src/store/db.js';
import { auditChecks, runAudit, setAuditSettings } from '../../src/store/index.js';

const H = 'https://s.example';

type Cols = Record<string, string | number | bigint | null>;

/** A stable pseudo-random signed 64-bit value per string. */
function h64(s: string): bigint {
  return BigInt.asIntN(64, BigInt(`0x${createHash('sha256').update(s).digest('hex').slice(0, 16)}`));
}

/** A clean, indexable page: every check passes on it. */
function good(url: string): Cols {
  return {
    url,
    final_url: url,
    status: 200,
    error: null,
    title: `Title of ${url} padded to a decent length`.slice(0, 55),
    title_count: 1,
    description: `A description of ${url} long enough to pass the short check, and not too long either.`,
    h1: `Heading ${url}`,
    h1_count: 1,
    canonical: url,
    canonical_count: 1,
    word_count: 500,
    text_hash: h64(`t${url}`).toString(16),
    simhash: h64(url),
    img_count: 1,
    img_missing_alt: 0,
    jsonld_count: 0,
    jsonld_invalid: 0,
    hreflang: '[]',
    depth: 1,
    redirects: '[]',
    elapsed_ms: 20,
    bytes: 5000,
    robots: null,
    x_robots_tag: null,
    discovered_from: `${H}/`,
  };
}

class Site {
  readonly db: Db = openDb(':memory:');
  private readonly crawlId: number;
  constructor() {
    this.crawlId = Number(
      this.db.prepare("INSERT INTO crawls (name, created_at) VALUES ('c', '2026-01-01T00:00:00Z')").run()
        .lastInsertRowid,
    );
    // A second crawl with a problem of every kind it can have: never reported for crawl 'c'.
    const other = Number(
      this.db.prepare("INSERT INTO crawls (name, created_at) VALUES ('other', '2026-01-01T00:00:00Z')").run()
        .lastInsertRowid,
    );
    this.insert({ ...good(`${H}/x`), status: 404, error: 'HTTP_4XX', title: null }, other);
  }

  page(url: string, patch: Cols = {}): number {
    return this.insert({ ...good(url), ...patch }, this.crawlId);
  }

  private insert(c: Cols, crawlId: number): number {
    const cols = Object.keys(c);
    const sql = `INSERT INTO pages (crawl_id, stored_at, attempts, ${cols.join(', ')}) VALUES (?, 'now', 1, ${cols
      .map(() => '?')
      .join(', ')})`;
    return Number(this.db.prepare(sql).run(crawlId, ...Object.values(c)).lastInsertRowid);
  }

  link(from: number, target: string, text = 'anchor'): void {
    const urlId = this.db.prepare('INSERT INTO urls (url) VALUES (?)').run(target).lastInsertRowid;
    const textId = this.db.prepare('INSERT INTO strings (s) VALUES (?)').run(text).lastInsertRowid;
    // The page's link list (migration 011: url_id * 2^27 + text_id per link), one more link at its end.
    const link = BigInt(urlId) * 134217728n + BigInt(textId);
    this.db
      .prepare(
        `INSERT INTO link_lists (page_id, links) VALUES (@page, json_array(@link))
         ON CONFLICT (page_id) DO UPDATE SET links = json_insert(links, '$[#]', @link)`,
      )
      .run({ page: from, link });
  }

  /** The check's findings for crawl 'c', as runAudit reports them. */
  items(id: string): Record<string, unknown>[] {
    return runAudit(this.db, 'c', { checks: [id] }).checks[0].items;
  }
}

/** A small clean site: home links to a and b, all three fine. */
function site(): { s: Site; home: number; a: number; b: number } {
  const s = new Site();
  const home = s.page(`${H}/`, { depth: 0, discovered_from: null });
  const a = s.page(`${H}/a`);
  const b = s.page(`${H}/b`);
  s.link(home, `${H}/a`, 'A');
  s.link(home, `${H}/b`, 'B');
  s.link(a, `${H}/`, 'Home');
  s.link(b, `${H}/`, 'Home');
  return { s, home, a, b };
}

describe('audit views on a hand-written database', () => {
  it('a clean site has no finding in any check, and every check has a view', () => {
    const { s } = site();
    const report = runAudit(s.db, 'c');
    expect(report.checks.map((c) => c.id)).toEqual(auditChecks(s.db).map((c) => c.id));
    expect(report.checks.length).toBeGreaterThanOrEqual(30);
    expect(report.checks.filter((c) => c.count > 0).map((c) => [c.id, c.items])).toEqual([]);
  });

  it('broken-links: the linking page, target, anchor and status; robots-blocked targets are not broken', () => {
    const { s, a } = site();
    s.page(`${H}/gone`, { status: 404, error: 'HTTP_4XX' });
    s.page(`${H}/down`, { status: null, error: 'CONNECTION_REFUSED' });
    s.page(`${H}/private`, { status: null, error: 'ROBOTS_DISALLOWED' });
    s.link(a, `${H}/gone`, 'Gone');
    s.link(a, `${H}/gone`, 'Gone again');
    s.link(a, `${H}/down`, 'Down');
    s.link(a, `${H}/private`, 'Private');
    expect(s.items('broken-links')).toEqual([
      { url: `${H}/a`, target: `${H}/down`, anchor: 'Down', status: null, error: 'CONNECTION_REFUSED' },
      { url: `${H}/a`, target: `${H}/gone`, anchor: 'Gone', status: 404, error: 'HTTP_4XX' },
    ]);
  });

  it('redirect-chains: 2+ hops and loops, not a single hop', () => {
    const { s } = site();
    s.page(`${H}/one`, {
      final_url: `${H}/one/`,
      redirects: JSON.stringify([{ url: `${H}/one`, status: 301 }]),
    });
    const two = JSON.stringify([
      { url: `${H}/two`, status: 301 },
      { url: `${H}/two-b`, status: 302 },
    ]);
    s.page(`${H}/two`, { final_url: `${H}/a`, redirects: two });
    s.page(`${H}/loop`, {
      final_url: null,
      status: null,
      error: 'TOO_MANY_REDIRECTS',
      error_detail: 'redirect loop: 301 back to x',
      redirects: '[]',
    });
    const rows = s.items('redirect-chains');
    expect(rows.map((r) => [r.url, r.target, r.hops, r.loop])).toEqual([
      [`${H}/loop`, null, 0, 1],
      [`${H}/two`, `${H}/a`, 2, 0],
    ]);
  });

  it('links-to-redirects: links whose target redirected, with where it went', () => {
    const { s, b } = site();
    s.page(`${H}/old`, {
      final_url: `${H}/new`,
      redirects: JSON.stringify([{ url: `${H}/old`, status: 301 }]),
    });
    s.link(b, `${H}/old`, 'Old');
    expect(s.items('links-to-redirects')).toEqual([
      { url: `${H}/b`, target: `${H}/old`, anchor: 'Old', redirects_to: `${H}/new`, hops: 1, status: 200 },
    ]);
  });

  it('non-indexable: every reason, and an indexable self-canonical page is not one', () => {
    const { s } = site();
    s.page(`${H}/r`, { status: null, error: 'ROBOTS_DISALLOWED' });
    s.page(`${H}/t`, { status: null, error: 'FETCH_TIMEOUT' });
    s.page(`${H}/e`, { status: 500, error: 'HTTP_5XX' });
    s.page(`${H}/h`, { x_robots_tag: 'noindex', robots: 'noindex' });
    s.page(`${H}/m`, { robots: 'noindex, follow' });
    s.page(`${H}/n`, { robots: 'none' });
    s.page(`${H}/c`, { canonical: `${H}/a` });
    s.page(`${H}/self`, { canonical: `${H}/self#top` });
    expect(s.items('non-indexable').map((r) => [r.url, r.reason])).toEqual([
      [`${H}/c`, 'canonicalised'],
      [`${H}/e`, 'non-200'],
      [`${H}/h`, 'noindex-header'],
      [`${H}/m`, 'noindex-meta'],
      [`${H}/n`, 'noindex-meta'],
      [`${H}/r`, 'blocked-by-robots'],
      [`${H}/t`, 'no-response'],
    ]);
  });

  it('canonical-missing and canonical-broken (non-200, redirecting, noindex, chained targets)', () => {
    const { s } = site();
    s.page(`${H}/none`, { canonical: null, canonical_count: 0 });
    s.page(`${H}/to404`, { canonical: `${H}/gone` });
    s.page(`${H}/gone`, { status: 404, error: 'HTTP_4XX' });
    s.page(`${H}/toredir`, { canonical: `${H}/moved` });
    s.page(`${H}/moved`, {
      final_url: `${H}/a`,
      redirects: JSON.stringify([{ url: `${H}/moved`, status: 301 }]),
    });
    s.page(`${H}/tonoindex`, { canonical: `${H}/ni` });
    s.page(`${H}/ni`, { robots: 'noindex' });
    s.page(`${H}/tochain`, { canonical: `${H}/mid` });
    s.page(`${H}/mid`, { canonical: `${H}/a` });
    s.page(`${H}/fine`, { canonical: `${H}/a` });
    expect(s.items('canonical-missing')).toEqual([{ url: `${H}/none` }]);
    expect(s.items('canonical-broken').map((r) => [r.url, r.target, r.problem])).toEqual([
      [`${H}/to404`, `${H}/gone`, 'non-200'],
      [`${H}/tochain`, `${H}/mid`, 'canonicalised'],
      [`${H}/tonoindex`, `${H}/ni`, 'noindex'],
      [`${H}/toredir`, `${H}/moved`, 'redirects'],
    ]);
  });

  it('title checks: missing, duplicate among indexable pages, too long, too short, multiple', () => {
    const { s } = site();
    s.page(`${H}/nt`, { title: null });
    s.page(`${H}/et`, { title: '' });
    s.page(`${H}/d1`, { title: 'The same title on two pages of this site' });
    s.page(`${H}/d2`, { title: 'The same title on two pages of this site' });
    s.page(`${H}/d3`, { title: 'The same title on two pages of this site', robots: 'noindex' });
    s.page(`${H}/long`, { title: 'x'.repeat(61) });
    s.page(`${H}/short`, { title: 'Short' });
    s.page(`${H}/two`, { title_count: 2 });
    expect(s.items('title-missing')).toEqual([{ url: `${H}/et` }, { url: `${H}/nt` }]);
    expect(s.items('title-duplicate').map((r) => [r.url, r.pages])).toEqual([
      [`${H}/d1`, 2],
      [`${H}/d2`, 2],
    ]);
    expect(s.items('title-too-long')).toEqual([{ url: `${H}/long`, title: 'x'.repeat(61), chars: 61 }]);
    expect(s.items('title-too-short')).toEqual([{ url: `${H}/short`, title: 'Short', chars: 5 }]);
    expect(s.items('title-multiple')).toEqual([{ url: `${H}/two`, titles: 2 }]);
  });

  it('description checks: missing, duplicate, too long, too short (thresholds from audit_settings)', () => {
    const { s } = site();
    const same = 'One description used by two pages, long enough to pass the short check easily.';
    s.page(`${H}/nd`, { description: '  ' });
    s.page(`${H}/d1`, { description: same });
    s.page(`${H}/d2`, { description: ` ${same}` });
    s.page(`${H}/long`, { description: 'y'.repeat(156) });
    s.page(`${H}/short`, { description: 'Too short.' });
    expect(s.items('description-missing')).toEqual([{ url: `${H}/nd` }]);
    expect(s.items('description-duplicate').map((r) => r.url)).toEqual([`${H}/d1`, `${H}/d2`]);
    expect(s.items('description-too-long').map((r) => [r.url, r.chars])).toEqual([[`${H}/long`, 156]]);
    expect(s.items('description-too-short').map((r) => [r.url, r.chars])).toEqual([[`${H}/short`, 10]]);
    setAuditSettings(s.db, { description_min_chars: 5, description_max_chars: 200 });
    expect(s.items('description-too-long')).toEqual([]);
    expect(s.items('description-too-short')).toEqual([]);
  });

  it('h1 checks: missing, multiple, duplicate', () => {
    const { s } = site();
    s.page(`${H}/nh`, { h1: null, h1_count: 0 });
    s.page(`${H}/many`, { h1_count: 3 });
    s.page(`${H}/s1`, { h1: 'Same heading' });
    s.page(`${H}/s2`, { h1: 'Same heading' });
    expect(s.items('h1-missing')).toEqual([{ url: `${H}/nh` }]);
    expect(s.items('h1-multiple')).toEqual([{ url: `${H}/many`, h1s: 3 }]);
    expect(s.items('h1-duplicate').map((r) => [r.url, r.h1, r.pages])).toEqual([
      [`${H}/s1`, 'Same heading', 2],
      [`${H}/s2`, 'Same heading', 2],
    ]);
  });

  it('duplicate-content as groups by text hash; near-duplicate-content as pairs over the similarity threshold', () => {
    const { s } = site();
    s.page(`${H}/c1`, { text_hash: 'aaaa', simhash: 1000n });
    s.page(`${H}/c2`, { text_hash: 'aaaa', simhash: 1000n });
    // 6 bits apart: 58/64 = 0.906 similar; 7 bits: 0.89, below the default 0.9.
    s.page(`${H}/n1`, { text_hash: 'n1', simhash: -1n });
    s.page(`${H}/n2`, { text_hash: 'n2', simhash: -1n ^ 0b111111n });
    s.page(`${H}/n3`, { text_hash: 'n3', simhash: BigInt.asIntN(64, -1n ^ (0b1111111n << 57n)) });
    expect(s.items('duplicate-content')).toEqual([
      { url: `${H}/c1`, group: 'aaaa', words: 500, pages: 2 },
      { url: `${H}/c2`, group: 'aaaa', words: 500, pages: 2 },
    ]);
    expect(s.items('near-duplicate-content')).toEqual([
      { url: `${H}/n1`, target: `${H}/n2`, similarity: 0.9063 },
    ]);
    setAuditSettings(s.db, { near_duplicate_min_similarity: 0.85 });
    expect(s.items('near-duplicate-content').map((r) => [r.url, r.target])).toEqual([
      [`${H}/n1`, `${H}/n2`],
      [`${H}/n1`, `${H}/n3`],
    ]);
  });

  it('thin-content: indexable pages under the word threshold', () => {
    const { s } = site();
    s.page(`${H}/thin`, { word_count: 120 });
    s.page(`${H}/thin-noindex`, { word_count: 10, robots: 'noindex' });
    expect(s.items('thin-content')).toEqual([{ url: `${H}/thin`, words: 120 }]);
    setAuditSettings(s.db, { thin_content_min_words: 100 });
    expect(s.items('thin-content')).toEqual([]);
  });

  it('hreflang-missing-return and hreflang-broken; a reciprocal pair is fine', () => {
    const { s } = site();
    const alt = (...l: [string, string][]) => JSON.stringify(l.map(([lang, url]) => ({ lang, url })));
    s.page(`${H}/en`, { hreflang: alt(['en', `${H}/en`], ['fr', `${H}/fr`]) });
    s.page(`${H}/fr`, { hreflang: alt(['en', `${H}/en`], ['fr', `${H}/fr`]) });
    s.page(`${H}/de`, {
      hreflang: alt(['es', `${H}/es`], ['it', `${H}/it`], ['nl', `${H}/nl`], ['pt', `${H}/pt`]),
    });
    s.page(`${H}/es`, { hreflang: '[]' });
    s.page(`${H}/it`, { status: 404, error: 'HTTP_4XX' });
    s.page(`${H}/nl`, { final_url: `${H}/a`, redirects: JSON.stringify([{ url: `${H}/nl`, status: 301 }]) });
    s.page(`${H}/pt`, { canonical: `${H}/a`, hreflang: alt(['de', `${H}/de`]) });
    expect(s.items('hreflang-missing-return').map((r) => [r.url, r.target, r.lang])).toEqual([
      [`${H}/de`, `${H}/es`, 'es'],
    ]);
    expect(s.items('hreflang-broken').map((r) => [r.url, r.target, r.problem])).toEqual([
      [`${H}/de`, `${H}/it`, 'non-200'],
      [`${H}/de`, `${H}/nl`, 'redirects'],
      [`${H}/de`, `${H}/pt`, 'canonicalised'],
    ]);
  });

  it('jsonld-invalid, images-missing-alt', () => {
    const { s } = site();
    s.page(`${H}/j`, { jsonld_count: 2, jsonld_invalid: 1 });
    s.page(`${H}/i`, { img_count: 3, img_missing_alt: 2 });
    expect(s.items('jsonld-invalid')).toEqual([{ url: `${H}/j`, invalid: 1, blocks: 2 }]);
    expect(s.items('images-missing-alt')).toEqual([{ url: `${H}/i`, missing: 2, images: 3 }]);
  });

  it('orphan-pages and sitemap-bad-urls: sitemap URLs are depth-0 rows discovered from a sitemap', () => {
    const { s, a } = site();
    const sm = `${H}/sitemap.xml`;
    s.page(`${H}/listed`, { depth: 0, discovered_from: sm });
    s.page(`${H}/orphan`, { depth: 0, discovered_from: sm });
    const self = s.page(`${H}/selfonly`, { depth: 0, discovered_from: sm });
    s.link(a, `${H}/listed`);
    s.link(self, `${H}/selfonly`);
    s.page(`${H}/sm404`, { depth: 0, discovered_from: sm, status: 404, error: 'HTTP_4XX' });
    s.page(`${H}/smredir`, {
      depth: 0,
      discovered_from: sm,
      final_url: `${H}/b`,
      redirects: JSON.stringify([{ url: `${H}/smredir`, status: 301 }]),
    });
    s.page(`${H}/smni`, { depth: 0, discovered_from: sm, robots: 'noindex' });
    s.page(`${H}/smcanon`, { depth: 0, discovered_from: sm, canonical: `${H}/a` });
    for (const u of ['sm404', 'smredir', 'smni', 'smcanon']) s.link(a, `${H}/${u}`);
    expect(s.items('orphan-pages')).toEqual([
      { url: `${H}/orphan`, sitemap: sm },
      { url: `${H}/selfonly`, sitemap: sm },
    ]);
    expect(s.items('sitemap-bad-urls').map((r) => [r.url, r.problem])).toEqual([
      [`${H}/sm404`, 'non-200'],
      [`${H}/smcanon`, 'canonicalised'],
      [`${H}/smni`, 'noindex'],
      [`${H}/smredir`, 'redirects'],
    ]);
  });

  it('deep-pages, slow-pages, large-pages with their thresholds', () => {
    const { s } = site();
    s.page(`${H}/deep`, { depth: 5 });
    s.page(`${H}/edge`, { depth: 4 });
    s.page(`${H}/slow`, { elapsed_ms: 1500 });
    s.page(`${H}/big`, { bytes: 2_000_000 });
    expect(s.items('deep-pages')).toEqual([{ url: `${H}/deep`, depth: 5 }]);
    expect(s.items('slow-pages')).toEqual([{ url: `${H}/slow`, elapsed_ms: 1500 }]);
    expect(s.items('large-pages')).toEqual([{ url: `${H}/big`, bytes: 2_000_000 }]);
    setAuditSettings(s.db, {
      deep_pages_max_depth: 3,
      slow_pages_max_ms: 2000,
      large_pages_max_bytes: 4_000_000,
    });
    expect(s.items('deep-pages').map((r) => r.url)).toEqual([`${H}/deep`, `${H}/edge`]);
    expect(s.items('slow-pages')).toEqual([]);
    expect(s.items('large-pages')).toEqual([]);
  });

  it('a redirected row counts once as its final document; --limit and bad input are reported clearly', () => {
    const { s } = site();
    // /a/ reached from a seed /a-slash with a trailing-slash redirect, and crawled itself too: one document.
    s.page(`${H}/dup`, {
      final_url: `${H}/a`,
      redirects: JSON.stringify([{ url: `${H}/dup`, status: 301 }]),
    });
    expect(s.items('title-duplicate')).toEqual([]);
    expect(runAudit(s.db, 'c', { checks: ['title-missing'], limit: 0 }).checks[0]).toEqual({
      id: 'title-missing',
      severity: 'error',
      count: 0,
      items: [],
    });
    expect(() => runAudit(s.db, 'nope')).toThrow(/no crawl named "nope".*crawls: c, other/);
    expect(() => runAudit(s.db, 'c', { checks: ['title-missin'] })).toThrow(/unknown check title-missin/);
    expect(() => setAuditSettings(s.db, { thin_words: 3 })).toThrow(/unknown audit setting "thin_words"/);
  });
});
