/**
 * extractUtf8(bytes) is extract(decoded text) without decoding the page: the same PageMetadata on every
 * UTF-8 corpus page, on pure-ASCII pages, and on pages whose bytes were broken (invalid and cut UTF-8
 * sequences next to the delimiters HTML splits on).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extract, extractUtf8 } from '../../src/extract/index.js';

const dir = new URL('../fixtures/corpus/', import.meta.url);
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

function utf8Pages(): { url: string; bytes: Buffer }[] {
  const out: { url: string; bytes: Buffer }[] = [];
  for (const f of readdirSync(new URL('pages/', dir)).sort()) {
    const name = f.slice(0, -'.html'.length);
    const e = JSON.parse(readFileSync(new URL(`expected/${name}.json`, dir), 'utf8'));
    if (String(e.encoding_used).toLowerCase() !== 'utf-8') continue;
    let bytes = readFileSync(new URL(`pages/${f}`, dir));
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    out.push({ url: `https://${name}.example/p`, bytes });
  }
  return out;
}

/** Field names where the two extractions differ (empty when they agree). */
function differences(bytes: Buffer, url: string): string[] {
  const a = extract(decoder.decode(bytes), url);
  const b = extractUtf8(bytes, url);
  return (Object.keys(a) as (keyof typeof a)[]).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

const BROKEN = [
  [0xc3],
  [0xe2, 0x82],
  [0xff],
  [0x80, 0x80],
  [0xf0, 0x9f, 0x98],
  [0xed, 0xa0, 0x80],
  [0xc0, 0xaf],
];
const SYNTAX = ['<', '>', '&', '"', "'", '=', '&amp;', '&eacute', '</a>', '<a href=x>', '<title>'];

describe('extractUtf8', () => {
  const pages = utf8Pages();

  it('equals extract() of the decoded text on every UTF-8 corpus page', () => {
    expect(pages.length).toBeGreaterThan(150);
    const wrong = pages.map((p) => [p.url, differences(p.bytes, p.url)]).filter(([, d]) => d.length > 0);
    expect(wrong).toEqual([]);
  });

  it('equals extract() of the decoded text on pages with broken and cut UTF-8 sequences', () => {
    let s = 5;
    const r = () => {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      return s / 0x7fffffff;
    };
    const wrong: string[] = [];
    for (const p of pages) {
      let b = Buffer.from(p.bytes.subarray(0, Math.max(2_000, Math.floor(r() * p.bytes.length))));
      for (let k = 0; k < 25; k++) {
        const at = Math.floor(r() * b.length);
        const ins =
          r() < 0.6
            ? Buffer.from(BROKEN[Math.floor(r() * BROKEN.length)])
            : Buffer.from(SYNTAX[Math.floor(r() * SYNTAX.length)]);
        b = Buffer.concat([b.subarray(0, at), ins, b.subarray(at)]);
      }
      const d = differences(b, p.url);
      if (d.length > 0) wrong.push(`${p.url}: ${d.join(', ')}`);
    }
    expect(wrong).toEqual([]);
  });

  it('reads non-ASCII names, values and texts, and pure-ASCII pages', () => {
    const html =
      '<html lang="ß"><title>Ça &amp; là 中文</title><meta name="déscription" content="naïve 😀">' +
      '<meta property="og:title" content="Über"><a href="/é?q=ü" title="x">Ünïcode &eacute; 😀</a>' +
      '<x-é a="b">t</x-é><script type="application/ld+json">{"name":"日本"}</script><h1>Grüße</h1>';
    const bytes = Buffer.from(html, 'utf8');
    expect(differences(bytes, 'https://site.example/')).toEqual([]);
    const m = extractUtf8(bytes, 'https://site.example/');
    expect(m.title).toBe('Ça & là 中文');
    expect(m.links[0]).toMatchObject({ url: 'https://site.example/%C3%A9?q=%C3%BC', text: 'Ünïcode é 😀' });
    expect(m.jsonld[0].value).toEqual({ name: '日本' });
    const ascii = Buffer.from('<title>Plain</title><a href="/x">X &lt; Y</a>', 'utf8');
    expect(differences(ascii, 'https://site.example/')).toEqual([]);
    expect(extractUtf8(ascii, 'https://site.example/').links[0].text).toBe('X < Y');
  });
});
