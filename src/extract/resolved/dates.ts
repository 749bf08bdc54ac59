/**
 * Dates, as the page writes them (not normalized: reinterpreting a zone-less date would depend on the
 * machine's time zone).
 * publishedAt: article:published_time → JSON-LD datePublished → itemprop datePublished → Dublin Core date/created
 *   → citation_publication_date/citation_date → og:published_time.
 * modifiedAt: article:modified_time → og:updated_time → JSON-LD dateModified → itemprop dateModified → dcterms.modified.
 */
import { metaContent, nodeString, pageNodes, type Rule } from './context.js';

export const publishedAt: Rule<string>[] = [
  (c) => metaContent(c, 'article:published_time', 'og:article:published_time'),
  (c) => nodeString(pageNodes(c), 'datePublished', []),
  (c) => metaContent(c, 'datepublished'),
  (c) => metaContent(c, 'dc.date', 'dcterms.date', 'dcterms.created', 'dc.date.issued'),
  (c) => metaContent(c, 'citation_publication_date', 'citation_date'),
  (c) => metaContent(c, 'og:published_time'),
];

export const modifiedAt: Rule<string>[] = [
  (c) => metaContent(c, 'article:modified_time', 'og:article:modified_time'),
  (c) => metaContent(c, 'og:updated_time'),
  (c) => nodeString(pageNodes(c), 'dateModified', []),
  (c) => metaContent(c, 'datemodified'),
  (c) => metaContent(c, 'dcterms.modified'),
];
