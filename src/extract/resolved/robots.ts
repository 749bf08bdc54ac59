/**
 * robots: the directives of every <meta name=robots> then of the X-Robots-Tag response header(s), lowercased,
 * de-duplicated, joined with ", " (e.g. "noindex, nofollow"); null when neither says anything.
 */
import { lowerAscii } from '../text.js';
import { metaContents, type Rule } from './context.js';

export const robots: Rule<string>[] = [
  (c) => {
    const parts = [...metaContents(c, 'robots')];
    for (const [k, v] of Object.entries(c.headers)) if (lowerAscii(k) === 'x-robots-tag' && v) parts.push(v);
    const out = new Set<string>();
    for (const p of parts) {
      for (const d of p.split(',')) {
        const t = lowerAscii(d.trim()).replace(/\s*:\s*/g, ': ');
        if (t) out.add(t);
      }
    }
    return out.size ? [...out].join(', ') : null;
  },
];
