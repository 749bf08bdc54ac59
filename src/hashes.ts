/**
 * The two hashes of a stored page (pages.body_hash, pages.meta_hash): the first 16 hex digits (64 bits) of a
 * SHA-256. A re-crawl compares them with the earlier crawl's to tell what changed without comparing rows.
 */
import { createHash, hash } from 'node:crypto';
import type { PageMetadata } from './types.js';

const HEX_DIGITS = 16;

/** The body bytes as read: Content-Encoding undone, cut at --max-bytes when truncated, before any decoding. */
export function bodyHash(body: Uint8Array): string {
  return createHash('sha256').update(body).digest('hex').slice(0, HEX_DIGITS);
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
  // One call (no Hash object). The values must stay those of stored rows: `diff` and the page_pairs view compare
  // them across crawls, so the bytes hashed are exactly this JSON text.
  return hash(
    'sha256',
    JSON.stringify([
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
    ]),
    'hex',
  ).slice(0, HEX_DIGITS);
}
