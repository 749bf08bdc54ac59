/**
 * The site-audit fields of the streaming extractor (src/extract/audit.ts): on every real corpus page against an
 * independent reading of the same page by a DOM parser (cheerio over parse5, the WHATWG tree builder), and on
 * synthetic cases.
 *
 * Tolerance for word_count: within 1% of the DOM count or 5 words, whichever is larger. The rule is the same
 * on both sides (text nodes outside script/style/template/noscript/title/iframe/noembed/noframes, split on
 * ASCII whitespace and U+00A0); what differs is the tree: the streaming scan sees the text nodes as they are
 * written, the DOM parser after tree construction (foster-parented table text, text moved out of <select>,
 * adjacent text nodes merged after an ignored tag). The exact counts are asserted where the tree cannot differ.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as cheerio from 'cheerio';
import type { AnyNode } from 'domhandler';
import { describe, expect, it } from 'vitest';
import { extract, extractUtf8 } from '../../src/extract/index.js';
import type { AuditFields } from '../../src/types.js';

const dir = new URL('../fixtures/corpus/', import.meta.url);
const names = readdirSync(new URL('expected/', dir))
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -5))
  .sort();

const HIDDEN = new Set(['script', 'style', 'template', 'noscript', 'title', 'iframe', 'noembed', 'noframes']);
const WS = /[\t\n\f\r \u00a0]+/;

function load(name: string): string {
  const e = JSON.parse(readFileSync(new URL(`expected/${name}.json`, dir), 'utf8')) as {
    encoding_used: string;
  };
  return new TextDecoder(e.encoding_used).decode(readFileSync(new URL(`pages/${name}.html`, dir)));
}

function audit(html: string, headers?: Record<string, string>): AuditFields {
  return extract(html, 'https://example.com/', { headers }).audit!;
}

/** The same fields read from a parse5 DOM. */
function domFields(html: string) {
  const $ = cheerio.load(html);
  let words = 0;
  const text: string[] = [];
  const walk = (nodes: AnyNode[]) => {
    for (const n of nodes) {
      if (n.type === 'text') {
        for (const w of n.data.split(WS))
          if (w) {
            words++;
            text.push(w.toLowerCase());
          }
      } else if ('children' in n && !('name' in n && HIDDEN.has(n.name))) walk(n.children as AnyNode[]);
    }
  };
  walk($.root().toArray());
  const h1 = $('h1').first();
  return {
    words,
    text: text.join(' '),
    h1: h1.length
      ? h1
          .text()
          .replace(/[\t\n\f\r ]+/g, ' ')
          .trim()
      : null,
    h1Count: $('h1').length,
    imgCount: $('img').length,
    imgMissingAlt: $('img:not([alt])').length,
    canonicalCount: $('link').filter((_, e) =>
      /(^|[\t\n\f\r ])canonical($|[\t\n\f\r ])/i.test($(e).attr('rel') ?? ''),
    ).length,
  };
}

describe('audit fields on the real-page corpus, against a DOM parser', () => {
  const rows = names.map((name) => {
    const html = load(name);
    return { name, a: audit(html), d: domFields(html) };
  });

  it('word_count is within max(1%, 5 words) of the DOM count on every page', () => {
    const off = rows
      .filter(({ a, d }) => Math.abs(a.wordCount - d.words) > Math.max(5, d.words * 0.01))
      .map(({ name, a, d }) => `${name}: ${a.wordCount} vs ${d.words}`);
    expect(off).toEqual([]);
    // Not vacuous: real pages have real text, and most agree exactly.
    expect(rows.filter(({ a }) => a.wordCount > 100).length).toBeGreaterThan(rows.length * 0.8);
    expect(rows.filter(({ a, d }) => a.wordCount === d.words).length).toBeGreaterThan(rows.length * 0.6);
  });

  it('h1, h1_count, img_count, img_missing_alt and canonical_count equal the DOM reading', () => {
    const diff: string[] = [];
    for (const { name, a, d } of rows) {
      if (a.h1 !== d.h1) diff.push(`${name} h1: ${JSON.stringify(a.h1)} vs ${JSON.stringify(d.h1)}`);
      if (a.h1Count !== d.h1Count) diff.push(`${name} h1Count: ${a.h1Count} vs ${d.h1Count}`);
      if (a.imgCount !== d.imgCount) diff.push(`${name} imgCount: ${a.imgCount} vs ${d.imgCount}`);
      if (a.imgMissingAlt !== d.imgMissingAlt)
        diff.push(`${name} imgMissingAlt: ${a.imgMissingAlt} vs ${d.imgMissingAlt}`);
      if (a.canonicalCount !== d.canonicalCount)
        diff.push(`${name} canonicalCount: ${a.canonicalCount} vs ${d.canonicalCount}`);
    }
    expect(diff).toEqual([]);
    expect(rows.filter(({ a }) => a.h1 !== null).length).toBeGreaterThan(50);
    expect(rows.filter(({ a }) => a.imgMissingAlt > 0).length).toBeGreaterThan(5);
  });

  it('every page has one title and fingerprints exactly when it has words', () => {
    for (const { name, a } of rows) {
      expect(a.textHash === null, name).toBe(a.wordCount === 0);
      expect(a.simhash === null, name).toBe(a.wordCount === 0);
      if (a.textHash !== null) expect(a.textHash, name).toMatch(/^[0-9a-f]{16}$/);
    }
    // Pages with the same hash have the same text (the corpus holds a few copies of the same page).
    const byHash = new Map<string, string>();
    for (const { name, a, d } of rows) {
      if (a.textHash === null) continue;
      const seen = byHash.get(a.textHash);
      if (seen === undefined) byHash.set(a.textHash, d.text);
      else expect(seen, name).toBe(d.text);
    }
    expect(byHash.size).toBeGreaterThan(rows.length * 0.85);
  });
});

/** Bits where two signed-64 decimal SimHashes differ. */
function distance(a: string | null, b: string | null): number {
  let x = BigInt.asUintN(64, BigInt(a!) ^ BigInt(b!));
  let n = 0;
  while (x) {
    n += Number(x & 1n);
    x >>= 1n;
  }
  return n;
}

describe('audit fields on synthetic pages', () => {
  it('counts words of visible text only, tags and comments ending words, entities and NBSP as written', () => {
    const a = audit(
      '<title>Not counted</title><script>var a = 1</script><style>p{}</style><template><p>x y</p></template>' +
        '<noscript>no script</noscript><p>one two&nbsp;three&amp;four</p><p>five<!-- c -->six</p>' +
        '<svg><title>tip</title><text>seven</text></svg><textarea>eight</textarea><iframe>nine</iframe>',
    );
    expect(a.wordCount).toBe(7);
    expect(a.titleCount).toBe(1);
  });

  it('h1, counts, images and alt', () => {
    const a = audit(
      '<title>a</title><title>b</title><link rel="canonical" href="/x"><link rel="Canonical" href="/y">' +
        '<h1>  First\n heading </h1><h1>Second</h1><img src=a alt=""><img src=b><img src=c alt="c"><image src=d>',
    );
    expect(a).toMatchObject({
      h1: 'First heading',
      h1Count: 2,
      titleCount: 2,
      canonicalCount: 2,
      imgCount: 4,
      imgMissingAlt: 2,
    });
  });

  it('x_robots_tag from the response headers', () => {
    expect(audit('<p>x</p>', { 'x-robots-tag': ' noindex, nofollow ' }).xRobotsTag).toBe('noindex, nofollow');
    expect(audit('<p>x</p>').xRobotsTag).toBeNull();
  });

  it('text hash: equal for the same words in other markup; SimHash: near for a small edit, far for other text', () => {
    const words = (n: number, seed: number) =>
      Array.from({ length: n }, (_, i) => `w${(i * 7919 + seed * 104729) % 5003}`).join(' ');
    const base = words(400, 1);
    const a = audit(`<p>${base}</p>`);
    const same = audit(`<div>\n  ${base.replace(/ /g, '\n')}  </div><!-- x -->`);
    const edited = audit(
      `<p>${base
        .split(' ')
        .map((w, i) => (i === 10 ? 'changed' : w))
        .join(' ')}</p>`,
    );
    const other = audit(`<p>${words(400, 2)}</p>`);
    expect(same.textHash).toBe(a.textHash);
    expect(edited.textHash).not.toBe(a.textHash);
    expect(distance(a.simhash, edited.simhash)).toBeLessThanOrEqual(6);
    expect(distance(a.simhash, other.simhash)).toBeGreaterThan(16);
    expect(audit('<p>Hello</p>').textHash).toBe(audit('<p>hello</p>').textHash);
    expect(audit('<p></p>')).toMatchObject({ wordCount: 0, textHash: null, simhash: null });
  });

  it('hashes characters beyond latin1 as themselves, not as the space or markup their low byte spells', () => {
    // U+0120 and U+0109 (low bytes: space, tab) are letters of a word; U+013C, U+013E (low bytes < and >) too.
    const html = '<p>a\u0120b \u013cp\u013e x\u0109y</p>';
    const a = audit(html);
    expect(a.wordCount).toBe(3);
    expect(a.textHash).not.toBe(audit('<p>a b <p> x y</p>').textHash);
    expect(extractUtf8(Buffer.from(html), 'https://example.com/').audit).toEqual(a);
  });

  it('the same fields from UTF-8 bytes as from decoded text, invalid bytes included', () => {
    const html = '<p>Grüße aus Köln — 東京 😀 x\u00a0y</p><h1>Überschrift</h1>';
    expect(extractUtf8(Buffer.from(html), 'https://example.com/').audit).toEqual(audit(html));
    const broken = Buffer.concat([Buffer.from('<p>ab'), Buffer.from([0xe2, 0x82]), Buffer.from(' cd</p>')]);
    expect(extractUtf8(broken, 'https://example.com/').audit).toEqual(
      audit(new TextDecoder().decode(broken)),
    );
  });

  it('the stored hashes do not change: pinned values, from text and from UTF-8 bytes', () => {
    // text_hash and simhash are compared across crawls (duplicate and near-duplicate content): a faster
    // implementation must give these very values. Cases: ASCII words and case folding; non-ASCII text, character
    // references (U+00A0 included), raw-text and foreign elements; ill-formed UTF-8; trailing text that
    // htmlparser2 reports from position -1 (an unfinished `<a/` at the end).
    const fields = (m: { audit?: AuditFields }) => [m.audit!.wordCount, m.audit!.textHash, m.audit!.simhash];
    const url = 'https://e.com/';
    expect(fields(extract('<p>The quick brown Fox jumps over the lazy dog</p>', url))).toEqual([
      9,
      '31b070b963009d84',
      '1553633913142918846',
    ]);
    const mixed =
      '<p>Ünïcödé wörds, 日本語の文章 and 😀 emoji&nbsp;here &amp; &#x1F600; there</p><textarea>kept text</textarea><script>not this</script>';
    expect(fields(extract(mixed, url))).toEqual([12, '61e9b77942802e4a', '-3873933021719502671']);
    expect(fields(extractUtf8(Buffer.from(mixed), url))).toEqual([
      12,
      '61e9b77942802e4a',
      '-3873933021719502671',
    ]);
    const foreign =
      '<p>Ünïcödé wörds, 日本語の文章 and 😀 emoji&nbsp;here\u00a0&amp; &#x1F600; there</p><svg><title>no</title><text>yes</text></svg>';
    expect(fields(extractUtf8(Buffer.from(foreign), url))).toEqual([
      11,
      '3491af852f69e5a0',
      '-2149054364433211205',
    ]);
    const invalid = Buffer.concat([
      Buffer.from('<p>bad \xe3\x81 bytes '),
      Buffer.from([0xe3, 0x81, 0xff, 0xc3, 0xa9, 0xf0, 0x9f, 0x98]),
      Buffer.from(' end</p>'),
    ]);
    expect(fields(extractUtf8(invalid, url))).toEqual([5, 'afb84c18ab1ed308', '6526694892679568059']);
    // A tag cut off by the end of the page (a body truncated at --max-bytes ends so) adds no words: these read
    // 9 words, the page's text counted twice, before the fix (scan.ts: text reported from -1 is dropped).
    const trailing = 'é one two three <a/';
    const cut = ['ccf1dd95c798da35', '7152887471884911890'];
    expect(fields(extract(trailing, url))).toEqual([4, ...cut]);
    expect(fields(extractUtf8(Buffer.from(trailing), url))).toEqual([4, ...cut]);
    expect(fields(extract('é one two three ', url))).toEqual([4, ...cut]);
  });
});
