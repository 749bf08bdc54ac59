/**
 * What reextract's threads send: a page's result packed as JSON text (extractPacked) and read back by the
 * writing thread (unpackResults) is the result extract() gives on one thread, field for field, with its hashes
 * as the worker computes them; a page that is not HTML crosses as its error.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { WarcArchive } from '../../src/archive/index.js';
import { ArchivedPageExtractor, type ArchivedPageJob, unpackResults } from '../../src/archived-page.js';
import type { CapturedExchange } from '../../src/fetch/index.js';
import { bodyHash, metaHash } from '../../src/hashes.js';

const PAGE = `<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Käse \u{1F9C0} &amp; Brot</title>
<meta name="description" content="Grüße, &quot;quoted&quot; \\ backslash">
<meta property="og:title" content="og Käse"><meta name="twitter:card" content="summary">
<link rel="canonical" href="/kaese"><base href="https://shop.example/base/">
<script type="application/ld+json">{"@type": "Product", "name": "Käse", "offers": {"price": 3.5}}</script>
<script type="application/ld+json"><!-- {"@type": "Organization", "name": "wrapped"} --></script>
<script type="application/ld+json">{not json</script></head>
<body><h1>Käse</h1><p class="price">3,50 €</p><p class="tag">a</p><p class="tag">b</p>
<div itemscope itemtype="https://schema.org/Offer"><span itemprop="price">3.50</span></div>
<a href="/x#frag" rel="nofollow">x \u00e9</a><a href="https://other.example/">other</a>
<map><area href="/area" alt="area"></map><img src="i.png"></body></html>`;

function exchange(url: string, body: Buffer, type: string): CapturedExchange {
  return {
    url,
    date: new Date().toISOString(),
    requestHeaders: { 'user-agent': 'metacrawl-test' },
    status: 200,
    responseHeaders: [
      ['content-type', type],
      ['content-encoding', 'gzip'],
    ],
    body,
    wire: gzipSync(body),
    truncated: false,
    remoteAddress: '127.0.0.1',
  };
}

it('a result packed on a thread reads back as the one extract() gives, hashes included', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mc-packed-'));
  const archive = new WarcArchive({ dir, workerId: 'w1', software: 'test' });
  const html = Buffer.from(PAGE);
  const bin = Buffer.from(Array.from({ length: 2000 }, (_, i) => (i * 7) % 256));
  const pages = [
    { url: 'https://shop.example/kaese', body: html, type: 'text/html; charset=utf-8' },
    { url: 'https://shop.example/img', body: bin, type: 'image/png' },
  ];
  const jobs: ArchivedPageJob[] = [];
  for (const p of pages) {
    const loc = await archive.write([exchange(p.url, p.body, p.type)]);
    if (!loc) throw new Error('not archived');
    jobs.push({ url: p.url, finalUrl: p.url, headers: { 'content-type': p.type }, archive: loc });
  }
  await archive.close();
  const extractor = new ArchivedPageExtractor({
    dir,
    maxLinks: 100,
    custom: { extract: ['price=css:.price', 'tags[]=css:.tag', 'nope=css:.missing'], microdata: true },
  });
  try {
    const direct = jobs.map((j) => extractor.extract(j));
    const packed = unpackResults(`[${jobs.map((j) => extractor.extractPacked(j)).join(',')}]`);
    expect(packed).toEqual(direct);
    const [ok, notHtml] = packed;
    if (!ok.ok) throw new Error('the HTML page was not extracted');
    // The fields the rows come from, as extract() set them: custom values, microdata, JSON-LD, links.
    expect(ok.meta.extracts).toEqual({ price: '3,50 €', tags: ['a', 'b'], nope: null });
    expect(ok.meta.microdataTypes).toEqual(['https://schema.org/Offer']);
    expect(ok.meta.jsonld.map((b) => [b.valid, b.unwrapped !== undefined, b.value !== null])).toEqual([
      [true, false, true],
      [true, true, true],
      [false, false, false],
    ]);
    expect(ok.meta.links.map((l) => [l.url, l.rel, l.tag])).toEqual([
      ['https://shop.example/x#frag', 'nofollow', 'a'],
      ['https://other.example/', null, 'a'],
      ['https://shop.example/area', null, 'area'],
    ]);
    expect(ok.meta.title).toBe('Käse \u{1F9C0} & Brot');
    expect(ok.meta.audit?.h1).toBe('Käse');
    expect(ok.metaHash).toBe(metaHash(ok.meta));
    expect(ok.bodyHash).toBe(bodyHash(html));
    expect(notHtml).toMatchObject({ ok: false, error: 'NOT_HTML' });
    // A body hash the crawl stored for the same bytes is taken as it is.
    const reused = unpackResults(
      `[${extractor.extractPacked({ ...jobs[0], bodyHash: 'feedfacefeedface' })}]`,
    );
    expect(reused[0]).toEqual({ ...ok, bodyHash: 'feedfacefeedface' });
  } finally {
    extractor.close();
  }
});
