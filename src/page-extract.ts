/**
 * A fetched 2xx/3xx response → its page metadata, or why it is not parsed: the content policy, the charset and
 * the extractor in one place, so a worker and `reextract` (reading the same bytes from an archive) store the same
 * rows.
 */
import { extract, extractUtf8 } from './extract/index.js';
// The fetcher's modules themselves, not its index: reextract's threads load this file, and the index loads undici
// (~70 ms of CPU per thread at start).
import { htmlEncoding } from './fetch/charset.js';
import { isHtmlType, looksBinary, mimeType } from './fetch/content-type.js';
import { decodeWith } from './fetch/labels.js';
import { redactUrl } from './fetch/url.js';
import type { PageMetadata } from './types.js';

export type PageExtraction =
  | {
      ok: true;
      encoding: string;
      meta: PageMetadata;
      /** The body without its BOM, and its decoded text when not UTF-8 (custom rules read them). */
      text: Buffer;
      decoded: string | null;
    }
  | { ok: false; error: 'NOT_HTML' | 'BINARY_CONTENT'; errorDetail: string };

export function extractResponse(
  url: string,
  finalUrl: string,
  body: Buffer,
  headers: Record<string, string>,
  maxLinks: number,
): PageExtraction {
  const ct = mimeType(headers['content-type'] ?? null);
  if (ct !== null && !isHtmlType(ct)) {
    return { ok: false, error: 'NOT_HTML', errorDetail: `GET ${redactUrl(url)} → ${ct}, not parsed` };
  }
  if (looksBinary(body)) {
    return {
      ok: false,
      error: 'BINARY_CONTENT',
      errorDetail: `GET ${redactUrl(url)} → binary bytes served as ${ct ?? 'no content type'}`,
    };
  }
  const enc = htmlEncoding(body, headers['content-type'] ?? null);
  const text = body.subarray(enc.bomLength);
  const opts = { maxLinks, headers };
  // UTF-8 pages (most of the web) are extracted from their bytes: only the kept text is decoded.
  const decoded = enc.encoding === 'utf-8' ? null : decodeWith(enc.encoding, text);
  const meta = decoded === null ? extractUtf8(text, finalUrl, opts) : extract(decoded, finalUrl, opts);
  return { ok: true, encoding: enc.encoding, meta, text, decoded };
}
