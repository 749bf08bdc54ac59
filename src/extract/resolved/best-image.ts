/**
 * bestImage (absolute http(s)): og:image (og:image:secure_url, og:image:url) → twitter:image (twitter:image:src)
 * → JSON-LD image / thumbnailUrl → <link rel=image_src> → meta itemprop=image.
 */
import { absolute, linksWithRel, metaContent, nodeString, pageNodes, type Rule } from './context.js';

export const bestImage: Rule<string>[] = [
  (c) => absolute(c, metaContent(c, 'og:image', 'og:image:secure_url', 'og:image:url')),
  (c) => absolute(c, metaContent(c, 'twitter:image', 'twitter:image:src')),
  (c) => absolute(c, nodeString(pageNodes(c), 'image', ['url', 'contentUrl', '@id'])),
  (c) => absolute(c, nodeString(pageNodes(c), 'thumbnailUrl', ['url'])),
  (c) => absolute(c, linksWithRel(c, 'image_src')[0]?.href),
  (c) => absolute(c, metaContent(c, 'image')),
];
