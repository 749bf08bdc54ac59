/**
 * The audit end to end: a local site with a planted problem of every kind, and look-alikes that are not
 * problems (a seed answering 301 to its trailing-slash form once, an intentional alt="", self-referencing
 * canonicals, a reciprocal hreflang pair), crawled once by the real crawl command; `metacrawl audit --format
 * json` must report exactly the planted findings. Every finding listed below is planted on purpose; the
 * comments say which page plants it when a page plants more than one.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCommand } from '../../src/cli/audit.js';
import { crawlCommand } from '../../src/cli/crawl.js';
import { DEFAULTS } from '../../src/config.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';

/** Deterministic words: `n` of them for a seed (distinct seeds give unrelated texts). */
function words(n: number, seed: string): string[] {
  let s = 0;
  for (const c of seed) s = (Math.imul(s, 31) + c.charCodeAt(0)) | 0;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) | 0;
    out.push(`w${(s >>> 8) % 20000}`);
  }
  return out;
}

interface PageSpec {
  title?: string | null;
  titles?: string[];
  description?: string | null;
  canonical?: string | null;
  h1?: string[];
  body?: string;
  links?: string[];
  head?: string;
  img?: string;
  headers?: Record<string, string>;
  delayMs?: number;
}

let B = '';

function page(
  path: string,
  p: PageSpec = {},
): { html: string; headers?: Record<string, string>; delayMs?: number } {
  const titles =
    p.titles ?? (p.title === null ? [] : [p.title ?? `Audit test site: the page at ${path} here`]);
  const desc =
    p.description === null
      ? ''
      : `<meta name="description" content="${p.description ?? `Description of ${path}: a page of the audit test site, with enough words to pass.`}">`;
  const canonical =
    p.canonical === null ? '' : `<link rel="canonical" href="${p.canonical ?? `${B}${path}`}">`;
  const h1 = (p.h1 ?? [`Heading of ${path}`]).map((h) => `<h1>${h}</h1>`).join('');
  const links = ['/', ...(p.links ?? [])].map((l) => `<a href="${l}">link ${l}</a>`).join(' ');
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8">${titles.map((t) => `<title>${t}</title>`).join('')}${desc}${canonical}${p.head ?? ''}</head>
<body>${h1}<p>${p.body ?? words(250, path).join(' ')}</p>${p.img ?? '<img src="/i.png" alt="a picture">'}<nav>${links}</nav></body></html>`;
  return { html, headers: p.headers, delayMs: p.delayMs };
}

const HOME_LINKS = [
  '/about',
  '/shop/',
  '/gone',
  '/old',
  '/chain1',
  '/loop',
  '/private',
  '/noindex-meta',
  '/noindex-header',
  '/canon-other',
  '/canon-broken',
  '/no-canonical',
  '/no-title',
  '/dup-title-a',
  '/dup-title-b',
  '/long-title',
  '/short-title',
  '/two-titles',
  '/no-desc',
  '/dup-desc-a',
  '/dup-desc-b',
  '/long-desc',
  '/short-desc',
  '/no-h1',
  '/two-h1',
  '/dup-h1-a',
  '/dup-h1-b',
  '/dup-content-a',
  '/dup-content-b',
  '/near-a',
  '/near-b',
  '/thin',
  '/en',
  '/fr',
  '/de',
  '/es',
  '/bad-jsonld',
  '/deep1',
  '/slow',
  '/large',
  '/no-alt',
  '/empty-alt',
];

function site(): Record<string, ReturnType<typeof page>> {
  const alt = (...l: [string, string][]) =>
    l.map(([lang, p]) => `<link rel="alternate" hreflang="${lang}" href="${B}${p}">`).join('');
  const dupText = words(300, 'dup').join(' ');
  const near = words(1000, 'near');
  const nearB = [...near];
  nearB[500] = 'different';
  const sameDesc = 'This description is shared by two pages of the audit test site, which is a finding.';
  return {
    '/': page('/', { links: HOME_LINKS }),
    '/about': page('/about'),
    '/shop/': page('/shop/'),
    '/noindex-meta': page('/noindex-meta', { head: '<meta name="robots" content="noindex, follow">' }),
    '/noindex-header': page('/noindex-header', { headers: { 'x-robots-tag': 'noindex' } }),
    '/canon-other': page('/canon-other', { canonical: `${B}/about` }),
    '/canon-broken': page('/canon-broken', { canonical: `${B}/gone` }),
    '/no-canonical': page('/no-canonical', { canonical: null }),
    '/no-title': page('/no-title', { title: null }),
    '/dup-title-a': page('/dup-title-a', { title: 'The same title on two pages of the site' }),
    '/dup-title-b': page('/dup-title-b', { title: 'The same title on two pages of the site' }),
    '/long-title': page('/long-title', {
      title: 'A title that goes on and on, far longer than the sixty characters allowed',
    }),
    '/short-title': page('/short-title', { title: 'Short' }),
    '/two-titles': page('/two-titles', { titles: ['Audit test site: the first of two titles', 'Second'] }),
    '/no-desc': page('/no-desc', { description: null }),
    '/dup-desc-a': page('/dup-desc-a', { description: sameDesc }),
    '/dup-desc-b': page('/dup-desc-b', { description: sameDesc }),
    '/long-desc': page('/long-desc', {
      description: `A long description. ${'More words here. '.repeat(10)}`,
    }),
    '/short-desc': page('/short-desc', { description: 'Too short.' }),
    '/no-h1': page('/no-h1', { h1: [] }),
    '/two-h1': page('/two-h1', { h1: ['The first heading of two', 'Another heading'] }),
    '/dup-h1-a': page('/dup-h1-a', { h1: ['A shared heading'] }),
    '/dup-h1-b': page('/dup-h1-b', { h1: ['A shared heading'] }),
    // Same visible text, so the same <h1> too (h1-duplicate lists them as well).
    '/dup-content-a': page('/dup-content-a', { h1: ['Duplicate'], body: dupText }),
    '/dup-content-b': page('/dup-content-b', { h1: ['Duplicate'], body: dupText }),
    '/near-a': page('/near-a', { h1: ['Near duplicate a'], body: near.join(' ') }),
    '/near-b': page('/near-b', { h1: ['Near duplicate b'], body: nearB.join(' ') }),
    '/thin': page('/thin', { body: words(50, 'thin').join(' ') }),
    '/en': page('/en', { head: alt(['en', '/en'], ['fr', '/fr']) }),
    '/fr': page('/fr', { head: alt(['en', '/en'], ['fr', '/fr']) }),
    '/de': page('/de', { head: alt(['de', '/de'], ['es', '/es'], ['nl', '/old']) }),
    '/es': page('/es'),
    '/bad-jsonld': page('/bad-jsonld', {
      head: '<script type="application/ld+json">{"@type": "Thing",}</script>',
    }),
    '/deep1': page('/deep1', { links: ['/deep2'] }),
    '/deep2': page('/deep2', { links: ['/deep3'] }),
    '/deep3': page('/deep3', { links: ['/deep4'] }),
    '/deep4': page('/deep4', { links: ['/deep5'] }),
    '/deep5': page('/deep5'),
    '/slow': page('/slow', { delayMs: 2500 }),
    '/large': page('/large', { head: `<!-- ${'x'.repeat(300_000)} -->` }),
    '/no-alt': page('/no-alt', { img: '<img src="/a.png"><img src="/b.png" alt="b">' }),
    '/empty-alt': page('/empty-alt', { img: '<img src="/spacer.png" alt="">' }),
    '/orphan': page('/orphan'),
    '/sm-noindex': page('/sm-noindex', { head: '<meta name="robots" content="noindex">' }),
  };
}

const REDIRECTS: Record<string, [number, string]> = {
  '/shop': [301, '/shop/'],
  '/old': [301, '/about'],
  '/chain1': [302, '/chain2'],
  '/chain2': [301, '/about'],
  '/loop': [301, '/loop2'],
  '/loop2': [301, '/loop'],
};

type Report = {
  crawl: string;
  checks: { id: string; severity: string; count: number; items: Record<string, unknown>[] }[];
};

describe('metacrawl audit on a crawled site with planted problems', () => {
  let server: Server;
  let report: Report;
  let stdout = '';

  beforeAll(async () => {
    let pages: ReturnType<typeof site> = {};
    server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/robots.txt') return void res.end('User-agent: *\nDisallow: /private\n');
      if (path === '/sitemap.xml') {
        res.setHeader('content-type', 'application/xml');
        const locs = ['/about', '/orphan', '/sm-noindex']
          .map((p) => `<url><loc>${B}${p}</loc></url>`)
          .join('');
        return void res.end(
          `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${locs}</urlset>`,
        );
      }
      const r = REDIRECTS[path];
      if (r) {
        res.writeHead(r[0], { location: r[1] });
        return void res.end();
      }
      const p = pages[path];
      if (!p) {
        res.writeHead(404, { 'content-type': 'text/html' });
        return void res.end('<title>Not found</title>');
      }
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...p.headers });
        res.end(p.html);
      }, p.delayMs ?? 0);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    B = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    pages = site();

    const dir = mkdtempSync(join(tmpdir(), 'mc-audit-'));
    const db = join(dir, 'audit.db');
    const sink = new PassThrough();
    sink.resume();
    const io = {
      stdout: sink,
      stderr: sink,
      stdin: Readable.from([]),
      stopSignal: new AbortController().signal,
    };
    const seedFile = join(dir, 'seeds.txt');
    (await import('node:fs')).writeFileSync(seedFile, `${B}/\n${B}/shop\n`);
    const code = await crawlCommand(
      {
        seeds: [seedFile],
        db,
        redisUrl: testRedisUrl(),
        prefix: testPrefix(),
        crawl: 'site',
        fetch: { ...DEFAULTS.fetch, allowPrivate: true, timeoutMs: 15_000, concurrency: 16 },
        settings: { ...DEFAULTS.crawl, depth: 10, hostRate: Number.POSITIVE_INFINITY, hostConcurrency: 8 },
        progress: false,
        logLevel: 'silent',
        sitemaps: [`${B}/sitemap.xml`],
      },
      io,
    );
    expect(code).toBe(0);
    const out = new PassThrough();
    out.on('data', (d) => {
      stdout += d;
    });
    const auditCode = await auditCommand(
      {
        db,
        crawl: 'site',
        checks: null,
        format: 'json',
        limit: null,
        // The planted slow page takes 2.5 s and the large one 300 KB; a busy test machine stays under 2 s.
        set: { slow_pages_max_ms: 2000, large_pages_max_bytes: 200_000, near_duplicate_min_similarity: 0.85 },
      },
      { ...io, stdout: out },
    );
    expect(auditCode).toBe(0);
    report = JSON.parse(stdout) as Report;
  }, 120_000);

  afterAll(() => new Promise<void>((resolve) => server?.close(() => resolve())));

  it('reports exactly the planted findings, none missed, none extra', () => {
    const u = (p: string) => `${B}${p}`;
    const expected: Record<string, string[]> = {
      'broken-links': ['/ -> /gone', '/ -> /loop'],
      'redirect-chains': ['/chain1 -> /about', '/loop'],
      'links-to-redirects': ['/ -> /chain1', '/ -> /old'],
      'non-indexable': [
        '/canon-broken',
        '/canon-other',
        '/gone',
        '/loop',
        '/noindex-header',
        '/noindex-meta',
        '/private',
        '/sm-noindex',
      ],
      'canonical-missing': ['/no-canonical'],
      'canonical-broken': ['/canon-broken -> /gone'],
      'title-missing': ['/no-title'],
      'title-duplicate': ['/dup-title-a', '/dup-title-b'],
      'title-too-long': ['/long-title'],
      'title-too-short': ['/short-title'],
      'title-multiple': ['/two-titles'],
      'description-missing': ['/no-desc'],
      'description-duplicate': ['/dup-desc-a', '/dup-desc-b'],
      'description-too-long': ['/long-desc'],
      'description-too-short': ['/short-desc'],
      'h1-missing': ['/no-h1'],
      'h1-multiple': ['/two-h1'],
      'h1-duplicate': ['/dup-content-a', '/dup-content-b', '/dup-h1-a', '/dup-h1-b'],
      'duplicate-content': ['/dup-content-a', '/dup-content-b'],
      'near-duplicate-content': ['/near-a -> /near-b'],
      'thin-content': ['/thin'],
      'hreflang-missing-return': ['/de -> /es'],
      'hreflang-broken': ['/de -> /old'],
      'jsonld-invalid': ['/bad-jsonld'],
      'orphan-pages': ['/orphan', '/sm-noindex'],
      'deep-pages': ['/deep5'],
      'slow-pages': ['/slow'],
      'large-pages': ['/large'],
      'images-missing-alt': ['/no-alt'],
      'sitemap-bad-urls': ['/sm-noindex'],
    };
    const strip = (s: unknown) => (typeof s === 'string' && s.startsWith(B) ? s.slice(B.length) : s);
    const got: Record<string, string[]> = {};
    for (const c of report.checks) {
      got[c.id] = c.items.map((i) =>
        i.target == null ? String(strip(i.url)) : `${strip(i.url)} -> ${strip(i.target)}`,
      );
      expect(c.count, c.id).toBe(c.items.length);
    }
    expect(got).toEqual(expected);
    expect(report.crawl).toBe('site');
    expect(u('/')).toMatch(/^http:/);
  });

  it('gives the details that explain each finding', () => {
    const items = (id: string) => report.checks.find((c) => c.id === id)!.items;
    const reasons = Object.fromEntries(
      items('non-indexable').map((i) => [String(i.url).slice(B.length), i.reason]),
    );
    expect(reasons).toEqual({
      '/canon-broken': 'canonicalised',
      '/canon-other': 'canonicalised',
      '/gone': 'non-200',
      '/loop': 'no-response',
      '/noindex-header': 'noindex-header',
      '/noindex-meta': 'noindex-meta',
      '/private': 'blocked-by-robots',
      '/sm-noindex': 'noindex-meta',
    });
    expect(items('broken-links')[0]).toMatchObject({ anchor: 'link /gone', status: 404, error: 'HTTP_4XX' });
    expect(items('redirect-chains')[0]).toMatchObject({ hops: 2, loop: 0 });
    expect(items('redirect-chains')[1]).toMatchObject({ loop: 1, error: 'TOO_MANY_REDIRECTS' });
    expect(items('links-to-redirects')[1]).toMatchObject({ redirects_to: `${B}/about`, hops: 1 });
    expect(items('canonical-broken')[0]).toMatchObject({ problem: 'non-200', status: 404 });
    expect(items('hreflang-broken')[0]).toMatchObject({ lang: 'nl', problem: 'redirects' });
    expect(items('sitemap-bad-urls')[0]).toMatchObject({ problem: 'noindex', sitemap: `${B}/sitemap.xml` });
    expect(items('images-missing-alt')[0]).toMatchObject({ missing: 1, images: 2 });
    expect(items('thin-content')[0].words).toBeLessThan(200);
    expect(items('near-duplicate-content')[0].similarity).toBeGreaterThanOrEqual(0.85);
    expect(report.checks.map((c) => c.severity)).not.toContain(undefined);
  });
});
