/**
 * extract(html, pageUrl) -> PageMetadata: the worker's pure, never-throwing metadata extractor.
 *
 * Parser choice, by measurement (164 corpus pages, mean 240 K chars; CPU ms per page over 5 rounds,
 * Node 20.20, 2-core box under load from parallel work, so absolute figures are pessimistic):
 *
 *   candidate                              median   p99    mean   agreement with the html5lib reference
 *   one streaming htmlparser2 Tokenizer    1.7-2.1  15-17  2.4-2.8  164/164 (160/164 before the <area> exception)
 *   cheerio, htmlparser2 mode + selectors  3.3-3.8  55-65  6.7-6.9  156/164 (noscript/iframe parsed as markup)
 *   cheerio, parse5 (WHATWG) + selectors   23-42    200+   32-80    164/164
 *
 * So: a single Tokenizer pass, no tree (see scan.ts), steered to follow WHATWG tree construction where
 * an extract rule can tell the difference. Since then (issue 14) the Tokenizer runs under our own loop
 * (tokenizer.ts, same events), names are read without slicing (names.ts), links resolve without
 * `new URL()` when already canonical (url.ts): 0.55x the CPU per page on farm and corpus pages alike
 * (interleaved runs on the loaded 2-core box; about 1.1 ms/page on the farm when the box is quiet).
 * String subclasses: defining any `class X extends String` in the process slows the Tokenizer 1.7-1.9x on
 * Node 20.20 unless an instance is created before parsing starts (bench/string-subclass.js measures every
 * variant). ioredis 5.11 defines none and nothing else here does, so no warm-up is applied; the bench's
 * `strings` line would show a dependency bringing one back.
 */
import { isAscii } from 'node:buffer';
import type { PageMetadata } from '../types.js';
import { auditFields, emptyAuditFields } from './audit.js';
import { latin1Of, utf8Of } from './bytes.js';
import { canonical, charset, lang, metaByName, metaRows, title } from './head.js';
import { parseJsonLd } from './jsonld.js';
import { baseUrl as effectiveBase, links } from './links.js';
import { PageText } from './page-text.js';
import { emptyResolved, resolveAll } from './resolved/index.js';
import { emptyScan, type Scan, scan } from './scan.js';
import { social } from './social.js';

export interface ExtractOptions {
  /** Cap on stored links (linksCount still counts them all). Default 10,000. */
  maxLinks?: number;
  /** Response headers (lowercase names), for X-Robots-Tag. */
  headers?: Record<string, string>;
  /** extractUtf8: the most bytes the page is read in at a time (page-text.ts; tests make it small). */
  piece?: number;
}

/** Pure: no I/O, never throws; a field whose rule throws is null (or empty). */
export function extract(html: string, pageUrl: string, opts: ExtractOptions = {}): PageMetadata {
  let s: Scan;
  try {
    s = scan(typeof html === 'string' ? html : '');
  } catch {
    s = emptyScan();
  }
  return fromScan(s, pageUrl, opts);
}

/**
 * `extract` of a UTF-8 body (BOM removed) given as bytes: the same result as `extract(decoded, ...)`
 * without decoding the whole page. The scan reads the bytes as latin1 text (a copy, no decoding) and only
 * the ranges it keeps (attribute values, titles, link texts, JSON-LD) are decoded from UTF-8.
 */
export function extractUtf8(body: Uint8Array, pageUrl: string, opts: ExtractOptions = {}): PageMetadata {
  let s: Scan;
  try {
    const bytes = Buffer.from(body.buffer, body.byteOffset, body.length);
    // The latin1 view in pieces, never one string over V8's large-object size (page-text.ts).
    const page = PageText.latin1(bytes, opts.piece);
    // A page of ASCII bytes reads the same either way: its latin1 ranges are its text, copied from the bytes
    // rather than sliced from the view (see copyRange).
    s = isAscii(bytes)
      ? scan(page, (start, end) => copyRange(bytes, page, start, end))
      : scan(page, (start, end) => decodeRange(bytes, page, start, end), true);
  } catch {
    s = emptyScan();
  }
  return fromScan(s, pageUrl, opts);
}

/** Ranges up to this long are checked for ASCII before a decoder call (most kept ranges are short and ASCII). */
const SHORT_RANGE = 256;

/**
 * Bytes [start, end) of a UTF-8 page as text: a short ASCII range is its latin1 view's slice, which reads the
 * same and costs far less than a call into the decoder (attribute values and link texts: hundreds per page).
 */
function decodeRange(bytes: Buffer, page: PageText, start: number, end: number): string {
  if (start >= 0 && end - start <= SHORT_RANGE) {
    let i = start;
    while (i < end && bytes[i] < 0x80) i++;
    if (i === end) return copyRange(bytes, page, start, end);
  }
  return utf8Of(bytes, start, end);
}

/** Below this length V8 copies a slice anyway (a sliced string is at least 13 characters). */
const SLICED_MIN = 13;

/**
 * Bytes [start, end) of a latin1-read page as a string of its own. A longer slice of the view would be a sliced
 * string holding its piece (up to 120 KB) alive for as long as the kept value lives: the store remembers recent
 * link URLs, texts and meta values, and each one kept its page through two young-generation collections into
 * the old generation (about half of the bytes every scavenge moved).
 */
function copyRange(bytes: Buffer, page: PageText, start: number, end: number): string {
  return end - start < SLICED_MIN ? page.slice(start, end) : latin1Of(bytes, start, end);
}

function fromScan(s: Scan, pageUrl: string, opts: ExtractOptions): PageMetadata {
  const base = safe(() => effectiveBase(s.baseHref, pageUrl), pageUrl);
  const soc = safe(() => social(s), { og: {}, twitter: {} });
  const jsonld = safe(() => s.jsonld.map(parseJsonLd), []);
  const l = safe(() => links(s.anchors, base, opts.maxLinks), {
    links: [],
    linksCount: 0,
    areaLinksCount: 0,
    linksTruncated: false,
  });
  const meta: PageMetadata = {
    title: safe(() => title(s), null),
    lang: safe(() => lang(s), null),
    charset: safe(() => charset(s), null),
    canonical: safe(() => canonical(s, base), null),
    description: safe(() => metaByName(s, 'description'), null),
    viewport: safe(() => metaByName(s, 'viewport'), null),
    meta: safe(() => metaRows(s), []),
    og: soc.og,
    twitter: soc.twitter,
    jsonld,
    links: l.links,
    linksCount: l.linksCount,
    areaLinksCount: l.areaLinksCount,
    linksTruncated: l.linksTruncated,
    baseUrl: base,
    resolved: emptyResolved(),
  };
  meta.resolved = safe(
    () => resolveAll({ scan: s, meta, pageUrl, headers: opts.headers ?? {} }),
    emptyResolved(),
  );
  meta.audit = safe(() => auditFields(s, opts.headers), emptyAuditFields());
  return meta;
}

function safe<T>(rule: () => T, fallback: T): T {
  try {
    return rule();
  } catch {
    return fallback;
  }
}
