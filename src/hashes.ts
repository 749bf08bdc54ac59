/**
 * The two hashes of a stored page (pages.body_hash, pages.meta_hash): the first 16 hex digits (64 bits) of a
 * SHA-256. A re-crawl compares them with the earlier crawl's to tell what changed without comparing rows.
 */
import { hash } from 'node:crypto';
import type { PageMetadata } from './types.js';

const HEX_DIGITS = 16;

/** The body bytes as read: Content-Encoding undone, cut at --max-bytes when truncated, before any decoding. */
export function bodyHash(body: Uint8Array): string {
  // One call (no Hash object): the same digest as createHash('sha256').update(body).
  return hash('sha256', body, 'hex').slice(0, HEX_DIGITS);
}

/**
 * Everything the extractor produced that the store keeps, in a fixed order, so equal hashes mean equal
 * `pages` metadata columns and equal link, meta and JSON-LD rows: title, lang, charset, canonical,
 * description, viewport; every meta tag (attr, key, content) in order; the og:* and twitter:* maps; every
 * JSON-LD block (text as found, unwrapped JSON, validity, types) in order; every link (url, text, rel, tag)
 * in order, the link count, <area> link count and truncation flag; the base URL; every resolved field.
 * Left out: the parsed JSON-LD values (they follow from the text). Nothing about the response (status,
 * headers, final URL, timing, encoding) is in it.
 */
export function metaHash(m: PageMetadata): string {
  return metaHashOfJson(JSON.stringify(metaHashFields(m)));
}

/** What metaHash hashes (as JSON): the metadata's stored fields, in their fixed order (see metaHash). */
export type MetaHashFields = [
  title: PageMetadata['title'],
  lang: PageMetadata['lang'],
  charset: PageMetadata['charset'],
  canonical: PageMetadata['canonical'],
  description: PageMetadata['description'],
  viewport: PageMetadata['viewport'],
  meta: PageMetadata['meta'],
  og: PageMetadata['og'],
  twitter: PageMetadata['twitter'],
  jsonld: [raw: string, unwrapped: string | null, valid: boolean, types: string[]][],
  links: [url: string, text: string, rel: string | null, tag: 'a' | 'area'][],
  linksCount: number,
  areaLinksCount: number,
  linksTruncated: boolean,
  baseUrl: string,
  resolved: PageMetadata['resolved'],
];

export function metaHashFields(m: PageMetadata): MetaHashFields {
  return [
    m.title,
    m.lang,
    m.charset,
    m.canonical,
    m.description,
    m.viewport,
    m.meta,
    m.og,
    m.twitter,
    m.jsonld.map((b) => [b.raw, b.unwrapped ?? null, b.valid, b.types]),
    m.links.map((l) => [l.url, l.text, l.rel, l.tag]),
    m.linksCount,
    m.areaLinksCount,
    m.linksTruncated,
    m.baseUrl,
    m.resolved,
  ];
}

/** metaHash of `JSON.stringify(metaHashFields(m))`, when the caller has that text already. */
export function metaHashOfJson(json: string): string {
  // One call (no Hash object). The values must stay those of stored rows: `diff` and the page_pairs view compare
  // them across crawls, so the bytes hashed are exactly this JSON text.
  return hash('sha256', json, 'hex').slice(0, HEX_DIGITS);
}
