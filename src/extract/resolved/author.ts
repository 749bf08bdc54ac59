/**
 * author: meta author → JSON-LD author (name) → article:author when it is not a URL → Dublin Core creator
 * → citation_author → twitter:creator.
 */
import { metaContent, nodeString, pageNodes, type Rule } from './context.js';

const notUrl = (v: string | null) => (v && !/^https?:\/\//i.test(v) ? v : null);

export const author: Rule<string>[] = [
  (c) => metaContent(c, 'author'),
  (c) => nodeString(pageNodes(c), 'author'),
  (c) => notUrl(metaContent(c, 'article:author', 'og:article:author')),
  (c) => metaContent(c, 'dc.creator', 'dcterms.creator'),
  (c) => metaContent(c, 'citation_author'),
  (c) => metaContent(c, 'twitter:creator'),
];
