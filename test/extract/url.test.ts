/**
 * LinkBase.resolve answers what `new URL(href, base)` answers (its href when http(s), else null), with
 * or without its fast paths: on every link of the corpus against several bases, and on generated hrefs
 * made of the characters and forms the URL parser rewrites (case, ports, IPs, IDNs, dot segments, escapes).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/extract/scan.js';
import { isCanonicalAbsolute, LinkBase } from '../../src/extract/url.js';

function reference(href: string, base: string): string | null {
  let b: URL | undefined;
  try {
    b = new URL(base);
  } catch {
    b = undefined;
  }
  try {
    const u = new URL(href, b);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

const pagesDir = new URL('../fixtures/corpus/pages/', import.meta.url);
const corpusHrefs = new Set<string>();
for (const f of readdirSync(pagesDir).filter((x) => x.endsWith('.html'))) {
  const s = scan(readFileSync(new URL(f, pagesDir), 'utf8'));
  for (const a of s.anchors) corpusHrefs.add(a.href);
  for (const l of s.linkEls) if (l.href !== undefined) corpusHrefs.add(l.href);
}

const PARTS = [
  'a',
  'Z',
  '0',
  '9',
  '.',
  '..',
  '/',
  '//',
  '?',
  '#',
  '%',
  '%2e',
  '%2E',
  '%41',
  '-',
  '_',
  '~',
  ':',
  '@',
  '[',
  ']',
  '\\',
  ' ',
  '\t',
  '\n',
  '^',
  '`',
  '{',
  '}',
  '|',
  "'",
  '"',
  '<',
  '>',
  'é',
  'xn--',
  'xn--nxasmq6b',
  '0x',
  '0x7f',
  'http://',
  'https://',
  'HTTP://',
  'Https://',
  '=',
  '&',
  ';',
  '!',
  '$',
  '*',
  '+',
  ',',
  '(',
  ')',
  ':80',
  ':443',
  ':8080',
  '127.0.0.1',
  '127.1',
  '[::1]',
  'localhost',
  'example.com',
  'Example.COM',
  'a.b.c',
  '1.2',
  '\u0000',
  '\u007f',
  '\u00a0',
  '\u{1F600}',
  'javascript:',
  'mailto:x',
  'ftp://a/',
];
const STARTS = ['', 'http://', 'https://', '/', '#', '//', 'http://a.example/', 'https://x.y/', '/p/'];

function generated(n: number): string[] {
  let s = 42;
  const r = () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
  return Array.from({ length: n }, () => {
    let h = STARTS[Math.floor(r() * STARTS.length)];
    const k = Math.floor(r() * 8);
    for (let i = 0; i < k; i++) h += PARTS[Math.floor(r() * PARTS.length)];
    return h;
  });
}

const BASES = [
  'https://site.example/dir/page.html',
  'http://user:pw@h.example:8080/a/b?q=1#frag',
  'https://x.example/#',
  'http://127.0.0.1/x',
  'HTTPS://Upper.Example/P',
  'about:blank',
  'file:///tmp/x',
  'not a url',
];

/** Hrefs on which `b` and the reference disagree, with both answers (collected: one expect per href is slow). */
function mismatches(b: LinkBase, base: string, hrefs: Iterable<string>): string[] {
  const out: string[] = [];
  for (const href of hrefs) {
    const got = b.resolve(href);
    const want = reference(href, base);
    if (got !== want) out.push(`${JSON.stringify(href)} against ${base}: ${got} != ${want}`);
  }
  return out;
}

describe('LinkBase', () => {
  it('resolves every corpus link as new URL() does', () => {
    for (const base of BASES) {
      const b = new LinkBase(base);
      expect(mismatches(b, base, corpusHrefs)).toEqual([]);
    }
  });

  it('resolves generated tricky hrefs as new URL() does', () => {
    const hrefs = generated(15_000);
    for (const base of BASES) {
      const b = new LinkBase(base);
      expect(mismatches(b, base, hrefs)).toEqual([]);
    }
  });

  it('takes the fast path for most absolute corpus links (so the check above exercises it)', () => {
    const absolute = [...corpusHrefs].filter((h) => /^https?:\/\//.test(h));
    const fast = absolute.filter(isCanonicalAbsolute);
    expect(fast.length).toBeGreaterThan(absolute.length * 0.8);
    for (const h of fast) expect(new URL(h).href).toBe(h);
  });

  it('writes the path of an absolute URL without one, as new URL() does', () => {
    const hosts = ['https://github.com', 'http://a.example', 'https://a-b.c9.example', 'https://x.y'];
    const tails = [
      '',
      '?',
      '?tags=dotcom-footer',
      '?a=1&b=/c?d',
      '#',
      '#top',
      '?q#f',
      '? x',
      '?"',
      '#<',
      '?%2e',
      '#a#b',
    ];
    const hrefs = hosts.flatMap((h) => tails.map((t) => h + t));
    hrefs.push(
      'https://xn--a.example?q',
      'https://a.1?q',
      'https://A.example?q',
      'https://a..b?q',
      'https://a.?q',
    );
    for (const base of BASES) expect(mismatches(new LinkBase(base), base, hrefs)).toEqual([]);
    expect(new LinkBase(BASES[0]).resolve('https://support.github.com?tags=x')).toBe(
      'https://support.github.com/?tags=x',
    );
  });

  it('rewrites what the URL parser rewrites', () => {
    const b = new LinkBase('https://site.example/dir/page.html?x#y');
    expect(b.resolve('HTTP://Site.Example/A')).toBe('http://site.example/A');
    expect(b.resolve('http://a.example:80/p')).toBe('http://a.example/p');
    expect(b.resolve('http://a.example')).toBe('http://a.example/');
    expect(b.resolve('http://127.1/p')).toBe('http://127.0.0.1/p');
    expect(b.resolve('/a/./b/../c')).toBe('https://site.example/a/c');
    expect(b.resolve('/a/%2e%2E/c')).toBe('https://site.example/c');
    expect(b.resolve('/a b')).toBe('https://site.example/a%20b');
    expect(b.resolve('#top')).toBe('https://site.example/dir/page.html?x#top');
    expect(b.resolve('mailto:x@y.example')).toBeNull();
    expect(b.resolve('http://[')).toBeNull();
  });
});
