/**
 * The fast tokenizer must emit exactly the events htmlparser2's stock Tokenizer emits, with the same
 * positions: on every corpus page, on mutated copies of them and on small documents made of the
 * constructs where tokenizer states change (entities, quotes, comments, raw text, broken tags).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Tokenizer } from 'htmlparser2';
import { describe, expect, it } from 'vitest';
import { eventLog, FastTokenizer } from '../../src/extract/tokenizer.js';

const pagesDir = new URL('../fixtures/corpus/pages/', import.meta.url);
const corpus = readdirSync(pagesDir)
  .filter((f) => f.endsWith('.html'))
  .sort()
  .map((f) => readFileSync(new URL(f, pagesDir), 'latin1'));

function events(T: typeof Tokenizer, html: string): string {
  return eventLog(T, html);
}

/** Deterministic pseudo-random numbers (tests must not depend on Math.random). */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

const PIECES = [
  '<',
  '>',
  '/',
  '=',
  '"',
  "'",
  '&',
  '&amp;',
  '&amp',
  '&lt',
  '&#x41;',
  '&#65',
  '&notin;',
  '&noti',
  '&nbsp',
  ' ',
  '\t',
  '\n',
  '\r\n',
  '\f',
  '\u0000',
  'é',
  'a',
  'B',
  'x y',
  '<a href=x>',
  '<A HREF="/Y" rel=\'n\'>',
  '</a>',
  '</A >',
  '<!--',
  '-->',
  '--!>',
  '<!-->',
  '<!DOCTYPE html>',
  '<?xml ?>',
  '<![CDATA[',
  ']]>',
  '</',
  '</ x>',
  '<script>',
  '</script>',
  '</script >',
  '<style>',
  '</style>',
  '<title>',
  '</title>',
  '<textarea>',
  '</textarea>',
  '<xmp>',
  '</xmp>',
  '<svg>',
  '</svg>',
  '<br/>',
  '<img src=a.png alt="&quot;q&quot;"/>',
  '<p class=c>',
  '<p\n>',
  '<meta name=x content="y&amp;z">',
  '<input value=a&b>',
  '<div a=b c d="e">',
  '<1>',
  '<-',
  'a<b',
  'x=1&y=2',
  // The entities the loop decodes itself, and near misses left to the decoder.
  '&quot;',
  '&quot',
  '&amp;',
  '&amp',
  '&ampx',
  '&lt;',
  '&gt',
  '&nbsp;',
  '&nbs',
  '&QUOT;',
  '&#39;',
  '&#039;',
  '&#0039;',
  '&#x27;',
  '&#X7e;',
  '&#x7F;',
  '&#31;',
  '&#;',
  '&#x;',
  '&#',
  '&',
  '<a b="',
  "<a b='",
  '"',
  "'",
  // Tags whose states the loop passes through in one step.
  '<a b="c" d=\'e\'>',
  '<a b = "c">',
  '<a b=>',
  '<a b="x"/>',
  '=""',
  ' b="c"',
  '</a >',
  '</a\n>',
  '</a',
  '</p>',
  '<s>',
  '<span>',
  '<st',
  '<sc',
  '<svg',
  '<s ',
  '<x:y z:w="1">',
  '</1>',
  '< a',
  '</>',
];

function tinyDocs(n: number, seed: number): string[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => {
    let s = '';
    const k = Math.floor(r() * 24);
    for (let i = 0; i < k; i++) s += PIECES[Math.floor(r() * PIECES.length)];
    return s;
  });
}

function mutate(html: string, r: () => number): string {
  let s = html.slice(0, Math.max(2_000, Math.floor(r() * html.length)));
  for (let k = 0; k < 20; k++) {
    const at = Math.floor(r() * s.length);
    if (r() < 0.6) s = s.slice(0, at) + PIECES[Math.floor(r() * PIECES.length)] + s.slice(at);
    else s = s.slice(0, at) + s.slice(at + Math.floor(r() * 40));
  }
  return s;
}

/**
 * The events but attribute data and references, with the fast tokenizer skipping the values of every other
 * attribute (skipValue, set in onattribname as the scan does), or of every attribute.
 */
function skippingEvents(T: typeof Tokenizer, html: string, every: boolean): string {
  const out: string[] = [];
  let n = 0;
  const rec =
    (name: string) =>
    (...args: number[]) => {
      out.push(`${name}(${args.join(',')})`);
    };
  const t: Tokenizer = new T(
    { decodeEntities: true },
    {
      onattribdata: () => {},
      onattribentity: () => {},
      onattribend: rec('attribend'),
      onattribname: (start, end) => {
        out.push(`attribname(${start},${end})`);
        if (t instanceof FastTokenizer) t.skipValue = every || n++ % 2 === 0;
      },
      oncdata: rec('cdata'),
      onclosetag: rec('closetag'),
      oncomment: rec('comment'),
      ondeclaration: rec('declaration'),
      onend: rec('end'),
      onopentagend: rec('opentagend'),
      onopentagname: rec('opentagname'),
      onprocessinginstruction: rec('pi'),
      onselfclosingtag: rec('selfclosingtag'),
      ontext: rec('text'),
      ontextentity: rec('textentity'),
    },
  );
  t.write(html);
  t.end();
  return out.join(' ');
}

describe('FastTokenizer', () => {
  it('is in use (its load-time probe matched the stock events)', () => {
    const parse = (T: typeof Tokenizer) => (T.prototype as unknown as { parse: unknown }).parse;
    expect(parse(FastTokenizer)).not.toBe(parse(Tokenizer));
  });

  it('emits the stock tokenizer events on every corpus page', () => {
    for (const html of corpus) expect(events(FastTokenizer, html)).toBe(events(Tokenizer, html));
  });

  it('emits the stock tokenizer events on mutated corpus pages', () => {
    const r = rng(14);
    for (const html of corpus) {
      const m = mutate(html, r);
      expect(events(FastTokenizer, m)).toBe(events(Tokenizer, m));
    }
  });

  it('reads characters beyond latin1 as themselves, not as the markup their low byte spells', () => {
    // U+013C, U+0126, U+0122, U+0127, U+013E, U+012F, U+013D, U+0120, U+0109: low bytes < & " ' > / = space tab.
    const wide = [
      '\u013c',
      '\u0126',
      '\u0122',
      '\u0127',
      '\u013e',
      '\u012f',
      '\u013d',
      '\u0120',
      '\u0109',
      '论',
    ];
    const r = rng(41);
    for (const html of tinyDocs(2_000, 11)) {
      let s = html;
      for (let k = 0; k < 4; k++) {
        const at = Math.floor(r() * (s.length + 1));
        s = s.slice(0, at) + wide[Math.floor(r() * wide.length)] + s.slice(at);
      }
      expect(events(FastTokenizer, s), s).toBe(events(Tokenizer, s));
    }
  });

  it('ends every tag where the stock tokenizer does when attribute values are skipped', () => {
    const r = rng(23);
    const docs = [...corpus, ...corpus.map((html) => mutate(html, r)), ...tinyDocs(3_000, 5)];
    for (const every of [false, true])
      for (const html of docs)
        expect(skippingEvents(FastTokenizer, html, every), html.slice(0, 200)).toBe(
          skippingEvents(Tokenizer, html, every),
        );
  });

  it('emits the stock tokenizer events on small documents dense in state changes', () => {
    for (const html of tinyDocs(3_000, 7))
      expect(events(FastTokenizer, html), html).toBe(events(Tokenizer, html));
  });
});
