/** keywords: meta keywords → meta news_keywords → JSON-LD keywords (a list is joined with ", ") → article:tag values joined. */
import { metaContents, pageNodes, type Rule } from './context.js';

export const keywords: Rule<string>[] = [
  (c) => metaContents(c, 'keywords')[0],
  (c) => metaContents(c, 'news_keywords')[0],
  (c) => {
    for (const n of pageNodes(c)) {
      const k = n.keywords;
      if (typeof k === 'string' && k.trim()) return k.trim();
      if (Array.isArray(k)) {
        const list = k.filter((x): x is string => typeof x === 'string' && x.trim() !== '');
        if (list.length) return list.join(', ');
      }
    }
    return null;
  },
  (c) => metaContents(c, 'article:tag', 'og:article:tag').join(', '),
];
