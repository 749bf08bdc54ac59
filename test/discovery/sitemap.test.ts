import { createReadStream, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  cleanLastmod,
  isSitemapLocation,
  parseSitemap,
  type SitemapEntry,
  SitemapError,
} from '../../src/producer/sitemap.js';

async function* chunks(data: string | Buffer, size = 7): AsyncGenerator<Buffer> {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function all(data: string | Buffer, maxBytes?: number): Promise<SitemapEntry[]> {
  const out: SitemapEntry[] = [];
  for await (const e of parseSitemap(chunks(data), { maxBytes })) out.push(e);
  return out;
}

const URLSET = `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"
        xmlns:xhtml="http://www.w3.org/1999/xhtml">
  <url>
    <loc> https://example.com/a?x=1&amp;y=2 </loc>
    <lastmod>2024-05-01</lastmod>
    <changefreq>daily</changefreq>
    <image:image><image:loc>https://cdn.example.com/a.jpg</image:loc></image:image>
    <xhtml:link rel="alternate" hreflang="de" href="https://example.com/de/a"/>
  </url>
  <url><loc><![CDATA[https://example.com/b]]></loc><lastmod>2024-05-02T10:00:00+02:00</lastmod></url>
  <url><loc>https://example.com/c</loc><lastmod>yesterday</lastmod></url>
  <url><lastmod>2024-05-03</lastmod></url>
</urlset>`;

describe('parseSitemap', () => {
  it('reads <url> entries with lastmod, entities and CDATA, ignoring image and alternate links', async () => {
    expect(await all(URLSET)).toEqual([
      { kind: 'page', loc: 'https://example.com/a?x=1&y=2', lastmod: '2024-05-01' },
      { kind: 'page', loc: 'https://example.com/b', lastmod: '2024-05-02T10:00:00+02:00' },
      { kind: 'page', loc: 'https://example.com/c', lastmod: null },
    ]);
  });

  it('reads a sitemap index as child sitemaps, with prefixed names and a BOM', async () => {
    const xml = `\uFEFF<sm:sitemapindex xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sm:sitemap><sm:loc>https://example.com/s1.xml.gz</sm:loc><sm:lastmod>2024-01-01</sm:lastmod></sm:sitemap>
      <sm:sitemap><sm:loc>/s2.xml</sm:loc></sm:sitemap>
    </sm:sitemapindex>`;
    expect(await all(xml)).toEqual([
      { kind: 'sitemap', loc: 'https://example.com/s1.xml.gz', lastmod: '2024-01-01' },
      { kind: 'sitemap', loc: '/s2.xml', lastmod: null },
    ]);
  });

  it('recognizes gzip by its magic bytes and reports corrupt gzip data', async () => {
    expect(await all(gzipSync(URLSET))).toHaveLength(3);
    const bad = Buffer.concat([gzipSync(URLSET).subarray(0, 40), Buffer.alloc(40, 7)]);
    await expect(all(bad)).rejects.toThrow(/bad gzip data/);
  });

  it('reads RSS 2.0 and Atom feeds, and text sitemaps', async () => {
    const rss = `<rss version="2.0"><channel><link>https://example.com/</link>
      <item><title>A</title><link>https://example.com/post/1</link></item>
      <item><link>https://example.com/post/2</link></item></channel></rss>`;
    expect((await all(rss)).map((e) => e.loc)).toEqual([
      'https://example.com/post/1',
      'https://example.com/post/2',
    ]);
    const atom = `<feed xmlns="http://www.w3.org/2005/Atom"><link href="https://example.com/"/>
      <entry><link rel="self" href="https://example.com/self"/><link href="https://example.com/e1"/>
      <updated>2024-03-04T05:06:07Z</updated></entry></feed>`;
    expect(await all(atom)).toEqual([
      { kind: 'page', loc: 'https://example.com/e1', lastmod: '2024-03-04T05:06:07Z' },
    ]);
    const text = 'https://example.com/t1\r\n\n# comment\nhttps://example.com/t2';
    expect((await all(text)).map((e) => e.loc)).toEqual(['https://example.com/t1', 'https://example.com/t2']);
  });

  it('refuses documents that are not sitemaps', async () => {
    await expect(all('<html><body><a href="/x">x</a></body></html>')).rejects.toThrow(/root element <html>/);
    await expect(all('')).rejects.toThrow(SitemapError);
  });

  it('stops at maxBytes (uncompressed, so a gzip bomb is cut too) after yielding what came before', async () => {
    const big = `<urlset>${Array.from({ length: 2000 }, (_, i) => `<url><loc>https://e.com/${i}</loc></url>`).join('')}</urlset>`;
    const seen: SitemapEntry[] = [];
    const run = async () => {
      for await (const e of parseSitemap(chunks(gzipSync(big), 1024), { maxBytes: 20_000 })) seen.push(e);
    };
    await expect(run()).rejects.toThrow(/larger than 20000 bytes/);
    expect(seen.length).toBeGreaterThan(100);
    expect(seen.length).toBeLessThan(2000);
  });

  it('parses a 50,000-URL sitemap as a stream: entries arrive before the file is read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mc-sitemap-'));
    const file = join(dir, 'big.xml');
    const lines = ['<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'];
    for (let i = 0; i < 50_000; i++) {
      lines.push(
        `<url><loc>https://www.example.com/catalogue/section-${i % 50}/item-${i}.html</loc><lastmod>2024-01-${String((i % 28) + 1).padStart(2, '0')}</lastmod></url>`,
      );
    }
    lines.push('</urlset>');
    writeFileSync(file, lines.join('\n'));
    const size = statSync(file).size;
    expect(size).toBeGreaterThan(5_000_000);
    const stream = createReadStream(file, { highWaterMark: 64 * 1024 });
    let n = 0;
    let readAtFirst = -1;
    let last: SitemapEntry | null = null;
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    for await (const e of parseSitemap(stream)) {
      if (n === 0) readAtFirst = stream.bytesRead;
      if (n % 5000 === 0) heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
      last = e;
      n++;
    }
    expect(n).toBe(50_000);
    expect(last).toEqual({
      kind: 'page',
      loc: 'https://www.example.com/catalogue/section-49/item-49999.html',
      lastmod: '2024-01-20',
    });
    // The first entry came after one 64 KiB chunk, not after the whole file.
    expect(readAtFirst).toBeLessThanOrEqual(128 * 1024);
    // Garbage aside, the heap never held anything like the file (loose bound: GC timing is not ours).
    expect(heapPeak - heapBefore).toBeLessThan(size * 4);
  });
});

describe('sitemap helpers', () => {
  it.each([
    ['https://example.com/sitemap.xml', true],
    ['https://example.com/sitemap.XML?page=2', true],
    ['https://example.com/sitemap.xml.gz', true],
    ['sitemaps/news.xml.gz', true],
    ['https://example.com/page.html', false],
    ['https://example.com/feed.xml/', false],
    ['seeds.txt', false],
  ])('isSitemapLocation(%s) → %s', (loc, expected) => {
    expect(isSitemapLocation(loc)).toBe(expected);
  });

  it.each([
    ['2024', '2024'],
    [' 2024-05-01 ', '2024-05-01'],
    ['2024-05-01T10:00Z', '2024-05-01T10:00Z'],
    ['2024-05-01T10:00:00.123+0200', '2024-05-01T10:00:00.123+0200'],
    ['May 1st', null],
    ['', null],
  ])('cleanLastmod(%j) → %j', (v, expected) => {
    expect(cleanLastmod(v)).toBe(expected);
  });
});
