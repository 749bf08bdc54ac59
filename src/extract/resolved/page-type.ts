/** pageType: og:type → the first @type of the JSON-LD node describing the page → the first JSON-LD @type. */
import { metaContent, pageNodes, type Rule, typesOf } from './context.js';

export const pageType: Rule<string>[] = [
  (c) => metaContent(c, 'og:type'),
  (c) => pageNodes(c).flatMap(typesOf)[0],
  (c) => c.meta.jsonld.flatMap((b) => b.types)[0],
];
