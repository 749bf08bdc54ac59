/**
 * favicon: the largest declared icon (<link rel> icon / shortcut icon / apple-touch-icon(-precomposed),
 * by `sizes` area, `any` largest, apple-touch-icon without sizes = 180x180, ties to the first),
 * else /favicon.ico on the page's origin.
 */
import { lowerAscii, tokens } from '../text.js';
import { absolute, type Rule } from './context.js';

// mask-icon is a monochrome Safari pin mask, not a favicon.
const ICON_RELS = ['icon', 'apple-touch-icon', 'apple-touch-icon-precomposed'];

function area(sizes: string | undefined, rels: string[]): number {
  let best = rels.some((r) => r.startsWith('apple-touch-icon')) ? 180 * 180 : 0;
  for (const s of tokens(sizes)) {
    if (s === 'any') return Number.POSITIVE_INFINITY;
    const m = /^(\d+)x(\d+)$/.exec(lowerAscii(s));
    if (m) best = Math.max(best, Number(m[1]) * Number(m[2]));
  }
  return best;
}

export const favicon: Rule<string>[] = [
  (c) => {
    let best: string | null = null;
    let bestArea = -1;
    for (const l of c.scan.linkEls) {
      const rels = tokens(l.rel);
      if (!rels.some((r) => ICON_RELS.includes(r))) continue;
      const url = absolute(c, l.href);
      const a = area(l.sizes, rels);
      if (url && a > bestArea) {
        best = url;
        bestArea = a;
      }
    }
    return best;
  },
  (c) => {
    const u = new URL(c.pageUrl);
    return u.protocol === 'http:' || u.protocol === 'https:' ? `${u.origin}/favicon.ico` : null;
  },
];
