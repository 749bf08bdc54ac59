/**
 * extractUtf8(bytes) is extract(decoded text) without decoding the page: the same PageMetadata on every
 * UTF-8 corpus page, on pure-ASCII pages, and on pages whose bytes were broken (invalid and cut UTF-8
 * sequences next to the delimiters HTML splits on) — and the same whatever pieces it reads the page in.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extract, extractUtf8 } from '../../src/extract/index.js';
import { PageText, PIECE } from '../../src/extract/page-text.js';

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

/** Field names where the two extractions differ (empty when they agree); `piece`: extractUtf8's pieces. */
function differences(bytes: Buffer, url: string, piece?: number): string[] {
  const a = extract(decoder.decode(bytes), url);
  const b = extractUtf8(bytes, url, { piece });
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
      // Read in pieces of 1-9 bytes too (or 10-500): every token, name, entity and value spans pieces somewhere.
      const piece = r() < 0.5 ? 1 + Math.floor(r() * 9) : 10 + Math.floor(r() * 490);
      const d = [
        ...differences(b, p.url),
        ...differences(b, p.url, piece).map((k) => `${k} (pieces of ${piece})`),
      ];
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

  it('drops the trailing data of an end tag cut off by the end of the page, as bytes and as text alike', () => {
    // The tokenizer reports it as text from -1: read, that was the page's last character as text and its whole head
    // as bytes (`abc<a href=/q>abc</i` for a link's text).
    const read = (html: string) => {
      const t = extract(html, 'https://site.example/');
      const b = extractUtf8(Buffer.from(html, 'utf8'), 'https://site.example/');
      return [t, b].map((m) => [m.audit?.h1, m.links[0]?.text, m.title, m.audit?.wordCount]);
    };
    for (const html of ['<h1>x</i  ', '<h1>x</i  long enough', '<h1>é</i  ', '<title>t</title  ']) {
      const [t, b] = read(html);
      expect(b).toEqual(t);
      expect(t[0] ?? t[2]).toMatch(/^[xét]$/);
    }
    const [t, b] = read('<a href=/q>abc</i  ');
    expect(t[1]).toBe('abc');
    expect(b[1]).toBe('abc');
  });

  it('reads a page in pieces as it reads it whole (tags, attributes, entities and texts across pieces)', () => {
    const wrong: string[] = [];
    pages.forEach((p, k) => {
      const piece = k % 3 === 0 ? 7 : 4_000;
      const d = differences(p.bytes, p.url, piece);
      if (d.length > 0) wrong.push(`${p.url} in pieces of ${piece}: ${d.join(', ')}`);
    });
    expect(wrong).toEqual([]);
  });
});

describe('PageText', () => {
  const read = (t: PageText): string[] => {
    const out: string[] = [];
    while (t.next()) {
      expect(t.base).toBe(out.join('').length);
      out.push(t.cur);
    }
    return out;
  };

  it('cuts a large page into pieces below V8 large-object size, before a "<" where one is in reach', () => {
    const html = `<p>${'é a b '.repeat(40_000)}</p>${'<li>x</li>'.repeat(30_000)}`;
    const bytes = Buffer.from(html, 'utf8');
    const pieces = read(PageText.latin1(bytes));
    expect(pieces.join('')).toBe(bytes.toString('latin1'));
    expect(pieces.length).toBeGreaterThan(3);
    for (const p of pieces) expect(p.length).toBeLessThanOrEqual(PIECE);
    // In the run of text without '<', before an ASCII byte (never inside é's two bytes); in the list, before '<'.
    expect(pieces[0].charCodeAt(pieces[0].length - 1)).toBeLessThan(0x80);
    expect(pieces[1].charCodeAt(pieces[1].length - 1)).toBeGreaterThanOrEqual(0x80);
    expect(pieces[2].charCodeAt(0)).toBeLessThan(0x80);
    expect(pieces.slice(3).every((p) => p.startsWith('<li>'))).toBe(true);
    // The scan reads it in those pieces as it reads it whole.
    const whole = extractUtf8(bytes, 'https://site.example/', { piece: bytes.length });
    expect(extractUtf8(bytes, 'https://site.example/')).toEqual(whole);
    expect(whole.audit?.wordCount).toBe(120_000 + 30_000);
  });

  it('never splits a run of non-ASCII bytes longer than a piece, and reads an empty page as one empty piece', () => {
    const bytes = Buffer.from(`a${'é'.repeat(100)}<b>`, 'utf8');
    expect(read(PageText.latin1(bytes, 10))).toEqual([bytes.subarray(0, 201).toString('latin1'), '<b>']);
    expect(read(PageText.latin1(Buffer.alloc(0)))).toEqual(['']);
    expect(read(PageText.of(''))).toEqual(['']);
  });

  it('slices page ranges across pieces as String.prototype.slice slices the whole page', () => {
    const bytes = Buffer.from('<a href=x>one</a> two <b>three</b> four', 'latin1');
    const whole = bytes.toString('latin1');
    const t = PageText.latin1(bytes, 5);
    const ends = [-50, -3, -1, 0, 1, 4, 9, 17, 30, whole.length, whole.length + 5];
    while (t.next())
      for (const a of ends) for (const b of ends) expect(t.slice(a, b), `${a}, ${b}`).toBe(whole.slice(a, b));
  });
});
