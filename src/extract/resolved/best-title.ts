/** bestTitle: og:title → twitter:title → JSON-LD headline → JSON-LD name (of the page's node) → <title> → first <h1>. */
import { collapse } from '../text.js';
import { metaContent, nodeString, pageNodes, type Rule } from './context.js';

export const bestTitle: Rule<string>[] = [
  (c) => metaContent(c, 'og:title'),
  (c) => metaContent(c, 'twitter:title'),
  (c) => nodeString(pageNodes(c), 'headline'),
  (c) => nodeString(pageNodes(c), 'name', []),
  (c) => c.meta.title,
  (c) => (c.scan.h1 === null ? null : collapse(c.scan.h1)),
];
