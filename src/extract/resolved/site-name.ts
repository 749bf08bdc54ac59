/** siteName: og:site_name → JSON-LD WebSite name → JSON-LD publisher name → meta application-name → meta apple-mobile-web-app-title. */
import { jsonLdNodes, metaContent, nodeString, pageNodes, type Rule, typesOf } from './context.js';

export const siteName: Rule<string>[] = [
  (c) => metaContent(c, 'og:site_name'),
  (c) =>
    nodeString(
      jsonLdNodes(c).filter((n) => typesOf(n).includes('WebSite')),
      'name',
      [],
    ),
  (c) => nodeString(pageNodes(c), 'publisher'),
  (c) => metaContent(c, 'application-name'),
  (c) => metaContent(c, 'apple-mobile-web-app-title'),
];
