import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';
import { type GraphSite, type GraphSpec, startGraphSite } from './graph.js';
import { runCrawl } from './run.js';

// Host a: a sitemap index naming two gzipped sitemaps (5 pages each). Host b: robots.txt names a sitemap.
const SPEC: GraphSpec = { 'b:/': { links: ['b:/linked'] }, 'b:/linked': { links: [] } };
const S1 = Array.from({ length: 5 }, (_, i) => `a:/s1/${i}`);
const S2 = Array.from({ length: 5 }, (_, i) => `a:/s2/${i}`);
const R = Array.from({ length: 3 }, (_, i) => `b:/r/${i}`);
for (const n of [...S1, ...S2, ...R]) SPEC[n] = { links: ['a:/not-in-sitemap'] };
const lastmodOf = (n: string) => (n.startsWith('a:/s2/4') ? null : `2024-0${(Number(n.at(-1)) % 9) + 1}-15`);

let site: GraphSite;
let dir: string;

function urlset(nodes: string[]): string {
  const urls = nodes.map((n) => {
    const lm = lastmodOf(n);
    return `<url><loc>${site.url(n)}</loc>${lm ? `<lastmod>${lm}</lastmod>` : ''}</url>`;
  });
  return `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${urls.join('')}</urlset>`;
}

beforeAll(async () => {
  site = await startGraphSite(SPEC, {
    hosts: { a: '127.0.0.101', b: '127.0.0.102' },
    special: (host, req, res) => {
      const send = (body: string | Buffer, type: string) => {
        res.writeHead(200, { 'content-type': type });
        res.end(body);
      };
      if (host === 'a' && req.url === '/sitemap_index.xml') {
        send(
          `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
            <sitemap><loc>${site.url('a:/sm1.xml.gz')}</loc></sitemap>
            <sitemap><loc>/sm2.xml.gz</loc><lastmod>2024-01-01</lastmod></sitemap>
          </sitemapindex>`,
          'application/xml',
        );
        return true;
      }
      if (host === 'a' && (req.url === '/sm1.xml.gz' || req.url === '/sm2.xml.gz')) {
        send(gzipSync(urlset(req.url === '/sm1.xml.gz' ? S1 : S2)), 'application/x-gzip');
        return true;
      }
      if (host === 'b' && req.url === '/robots.txt') {
        send(`User-agent: *\nDisallow: /private\n\nSitemap: ${site.url('b:/sitemap.xml')}\n`, 'text/plain');
        return true;
      }
      if (host === 'b' && req.url === '/sitemap.xml') {
        send(urlset(R), 'text/xml');
        return true;
      }
      return false;
    },
  });
  dir = mkdtempSync(join(tmpdir(), 'mc-sitemap-crawl-'));
});
afterAll(async () => {
  await site?.close();
});

function rowsOf(db: string): Array<{ url: string; depth: number; lastmod: string | null }> {
  const conn = new Database(db, { readonly: true });
  try {
    return conn.prepare('SELECT url, depth, lastmod FROM pages ORDER BY url').all() as never;
  } finally {
    conn.close();
  }
}

describe.concurrent('sitemaps as seeds', () => {
  it('a sitemap index with two gzipped child sitemaps yields exactly their URLs, with lastmod', async ({
    expect,
  }) => {
    const run = await runCrawl({ seeds: [], sitemaps: [site.url('a:/sitemap_index.xml')] });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.rows.map((r) => site.node(r.url)).sort()).toEqual([...S1, ...S2].sort());
    for (const r of run.rows) {
      expect(r.depth).toBe(0);
      expect(r.error).toBeNull();
      expect(r.lastmod, r.url).toBe(lastmodOf(site.node(r.url)));
    }
    expect(run.stdout).toMatch(/sitemaps\s+3 read, 0 failed/);
  });

  it('reads a *.xml URL in a seed file and a *.xml.gz seed file as sitemaps', async ({ expect }) => {
    const file = join(dir, 'local-sitemap.xml.gz');
    writeFileSync(file, gzipSync(urlset(R)));
    const run = await runCrawl({ seeds: [site.url('b:/'), site.url('a:/sm1.xml.gz')], sources: [file] });
    expect(run.rows.map((r) => site.node(r.url)).sort()).toEqual(['b:/', ...S1, ...R].sort());
    expect(run.rows.find((r) => r.url === site.url('b:/r/1'))?.lastmod).toBe('2024-02-15');
  });

  it('reports a sitemap that cannot be read and keeps the rest of the crawl', async ({ expect }) => {
    const run = await runCrawl({
      seeds: [site.url('b:/')],
      sitemaps: [site.url('a:/missing.xml'), join(dir, 'nope.xml')],
    });
    expect(run.rows.map((r) => site.node(r.url))).toEqual(['b:/']);
    expect(run.stderr).toMatch(/missing\.xml: GET .*missing\.xml → 404/);
    expect(run.stderr).toMatch(/nope\.xml: sitemap file not found/);
    expect(run.stdout).toMatch(/sitemaps\s+0 read, 2 failed/);
  });

  it('metacrawl crawl --sitemaps-from-robots submits the sitemaps named in each seed host robots.txt', async ({
    expect,
  }) => {
    const seeds = join(dir, 'robots-seeds.txt');
    writeFileSync(seeds, `${site.url('b:/')}\n`);
    const db = join(dir, 'robots.db');
    const res = await runCli([
      'crawl',
      seeds,
      '--sitemaps-from-robots',
      '--allow-private',
      '--host-rate',
      '0',
      '--db',
      db,
      '--redis',
      testRedisUrl(),
      '--prefix',
      testPrefix(),
      '--no-progress',
      '--log-level',
      'warn',
    ]);
    expect(res.code, res.stderr).toBe(0);
    const rows = rowsOf(db);
    expect(rows.map((r) => site.node(r.url)).sort()).toEqual(['b:/', ...R].sort());
    expect(rows.find((r) => r.url === site.url('b:/r/2'))?.lastmod).toBe('2024-03-15');
  });

  it('metacrawl submit --sitemap fetches private addresses only with --allow-private', async ({ expect }) => {
    const common = ['--redis', testRedisUrl(), '--crawl', 'sm', '--log-level', 'warn'];
    const index = site.url('a:/sitemap_index.xml');
    const [refused, allowed] = await Promise.all([
      runCli(['submit', '--sitemap', index, '--prefix', testPrefix(), ...common]),
      runCli(['submit', '--sitemap', index, '--allow-private', '--prefix', testPrefix(), ...common]),
    ]);
    expect(refused.code).toBe(0);
    expect(refused.stdout).toMatch(/0 URLs submitted/);
    expect(refused.stderr).toMatch(/sitemap_index\.xml: BLOCKED_PRIVATE_ADDRESS/);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toMatch(/10 URLs submitted/);
    expect(allowed.stdout).toMatch(/sitemaps: 3 read, 0 failed/);
  });
});
