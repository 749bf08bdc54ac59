/** bestUrl (absolute http(s)): <link rel=canonical> → og:url → twitter:url → JSON-LD url of the page's node → the page URL. */
import { absolute, metaContent, nodeString, pageNodes, type Rule } from './context.js';

export const bestUrl: Rule<string>[] = [
  (c) => c.meta.canonical,
  (c) => absolute(c, metaContent(c, 'og:url')),
  (c) => absolute(c, metaContent(c, 'twitter:url')),
  (c) => absolute(c, nodeString(pageNodes(c), 'url', [])),
  (c) => absolute(c, c.pageUrl),
];
