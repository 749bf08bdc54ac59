/** parse5's links (through cheerio) and a seeded random-page generator, for the link emulation's tests. */
import * as cheerio from 'cheerio';
import type { AnyNode } from 'domhandler';

export interface Link {
  tag: string;
  href: string;
  text: string;
  rel: string | null;
}

const NO_TEXT = new Set(['script', 'style', 'noscript', 'template']);
const HTML_NS = 'http://www.w3.org/1999/xhtml';

/** Every HTML <a href>/<area href> of parse5's tree, in tree order, with its text content. */
export function oracle(html: string): Link[] {
  const $ = cheerio.load(html);
  const out: Link[] = [];
  const textOf = (n: AnyNode): string => {
    if (n.type === 'text') return n.data;
    if (!('children' in n)) return '';
    if ('name' in n && NO_TEXT.has(n.name)) return '';
    let s = '';
    for (const c of n.children as AnyNode[]) s += textOf(c);
    return s;
  };
  const walk = (nodes: AnyNode[]) => {
    for (const n of nodes) {
      if (n.type === 'tag' && (n.name === 'a' || n.name === 'area') && n.namespace === HTML_NS) {
        const href = n.attribs.href;
        if (href !== undefined)
          out.push({ tag: n.name, href, text: n.name === 'a' ? textOf(n) : '', rel: n.attribs.rel ?? null });
      }
      if ('children' in n) walk(n.children as AnyNode[]);
    }
  };
  walk($.root().toArray());
  return out;
}

/** mulberry32: a small seeded generator, so a failure names a reproducible case. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Tags the generator draws from: block, list, heading, table, formatting, marker, select, raw-text, foreign and
 * body/html elements. Not <template> (its contents' insertion modes are not emulated), SVG integration points,
 * <frameset> (the links re-created after it) or <colgroup> (whitespace and text in one token): see
 * test/extract/DIFFERENCES.md.
 */
const TAGS = (
  'p div a a a b i table tr td th li ul ol span h1 h2 em caption tbody thead tfoot col object applet ' +
  'nobr form button dd dt dl select option optgroup u marquee section font svg math textarea pre big ' +
  'strike code small strong s tt ruby rt rp label input body html head iframe xmp listing ' +
  'center details summary plaintext'
).split(' ');
/** Raw-text elements, written closed (in a <select>, where <title> and <noscript> are ignored, the scan still
 * reads them as raw text: see test/extract/DIFFERENCES.md). */
const RAW = new Set(['textarea', 'xmp', 'iframe']);
const VOIDS = ['br', 'img', 'hr', 'area', 'wbr', 'meta', 'link', 'embed', 'image', 'keygen'];

/**
 * A random page of `n` tokens: start tags (some uppercase, some with attributes), end tags (often misnested
 * or missing), void elements, text, whitespace, entities and comments.
 */
export function randomPage(r: () => number, n: number): string {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  let s = r() < 0.5 ? '<!DOCTYPE html>' : '';
  const open: string[] = [];
  let w = 0;
  for (let i = 0; i < n; i++) {
    const x = r();
    if (x < 0.38) {
      let t = pick(TAGS);
      if (t === 'plaintext' && r() < 0.8) t = 'span';
      open.push(t);
      const name = r() < 0.1 ? t.toUpperCase() : t;
      if (t === 'a')
        s +=
          r() < 0.85
            ? `<${name} href=h${Math.floor(r() * 3)}${r() < 0.2 ? ' rel=x' : ''}${r() < 0.1 ? ' class=c' : ''}${r() < 0.05 ? '/' : ''}>`
            : '<a name=n>';
      else if (RAW.has(t)) s += `<${name}>w${w++}</${t}>`;
      else if (r() < 0.1) s += `<${name} class=c>`;
      else s += `<${name}>`;
    } else if (x < 0.62) {
      // Mostly one of the innermost open tags, sometimes any tag.
      const t =
        open.length > 0 && r() < 0.7
          ? open.splice(open.length - 1 - Math.floor(r() * Math.min(3, open.length)), 1)[0]
          : pick(TAGS);
      s += `</${t}>`;
    } else if (x < 0.67) {
      const t = pick(VOIDS);
      s += t === 'area' ? `<area href=v${Math.floor(r() * 2)}>` : `<${t}>`;
    } else if (x < 0.7) s += pick(['<!-- c -->', '&amp;', '&#32;', '\t']);
    else if (x < 0.76) s += pick([' ', '\n', '  ']);
    else s += `w${w++}`;
  }
  return s;
}
