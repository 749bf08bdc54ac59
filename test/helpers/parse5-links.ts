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

const TAGS = [
  'p',
  'div',
  'a',
  'a',
  'a',
  'b',
  'i',
  'table',
  'tr',
  'td',
  'th',
  'li',
  'ul',
  'span',
  'h1',
  'em',
  'caption',
  'tbody',
  'object',
  'nobr',
  'form',
  'button',
  'dd',
  'select',
  'option',
  'u',
  'marquee',
  'section',
  'font',
];
const VOIDS = ['br', 'img', 'hr', 'area'];

/** A random page of `n` tokens: start and end tags (often misnested or missing), text and whitespace. */
export function randomPage(r: () => number, n: number): string {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  let s = r() < 0.5 ? '<!DOCTYPE html>' : '';
  const open: string[] = [];
  let word = 0;
  for (let i = 0; i < n; i++) {
    const x = r();
    if (x < 0.38) {
      const t = pick(TAGS);
      open.push(t);
      if (t === 'a') s += r() < 0.85 ? `<a href=h${Math.floor(r() * 3)}>` : '<a name=n>';
      else if (t === 'b' && r() < 0.3) s += '<b class=c>';
      else s += `<${t}>`;
    } else if (x < 0.62) {
      // Mostly the innermost open tag, sometimes one further out or a random one.
      const t =
        open.length > 0 && r() < 0.7
          ? open.splice(open.length - 1 - Math.floor(r() * Math.min(3, open.length)), 1)[0]
          : pick(TAGS);
      s += `</${t}>`;
    } else if (x < 0.67) {
      const t = pick(VOIDS);
      s += t === 'area' ? `<area href=v${Math.floor(r() * 2)}>` : `<${t}>`;
    } else if (x < 0.75) s += pick([' ', '\n', '  ']);
    else s += `w${word++}`;
  }
  return s;
}
