/** bestDescription: og:description → twitter:description → meta description → JSON-LD description → Dublin Core description. */
import { collapse } from '../text.js';
import { metaContent, nodeString, pageNodes, type Rule } from './context.js';

export const bestDescription: Rule<string>[] = [
  (c) => metaContent(c, 'og:description'),
  (c) => metaContent(c, 'twitter:description'),
  (c) => (c.meta.description === null ? null : collapse(c.meta.description)),
  (c) => nodeString(pageNodes(c), 'description', []),
  (c) => metaContent(c, 'dc.description', 'dcterms.description'),
];
