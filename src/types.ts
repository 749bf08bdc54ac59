/** The shared contract between producer, worker and store: job data, page metadata, result records. */
import type { ErrorCode } from './errors.js';

/** One BullMQ job = one URL of one crawl. */
export interface CrawlJobData {
  crawl: string;
  /** Normalized URL (the dedupe key). */
  url: string;
  /** 0 for seeds. */
  depth: number;
  /** The page that linked here; null for seeds. */
  from: string | null;
  /**
   * Scope is judged against it: a URL of the chain's seed site. Jobs from the frontier carry the URL itself (a
   * URL past its seed is in the seed's host or domain, so judging against either gives the same answer).
   */
  seed: string;
  /** Epoch ms when the URL entered the queue. */
  queuedAt: number;
  /** Sitemap lastmod when the URL came from a sitemap. */
  lastmod?: string | null;
  /** The earlier crawl's row of this URL, when the crawl runs `--since` one (src/frontier/entry.ts). */
  since?: SinceData;
}

/** What a worker needs to know of a URL's row in the earlier crawl: validators and hashes, each when present. */
export interface SinceData {
  /** Its ETag, sent as If-None-Match. */
  etag?: string;
  /** Its Last-Modified (an HTTP date), sent as If-Modified-Since. */
  lastModified?: string;
  /** Its body_hash: a 200 with the same body is not extracted again. */
  bodyHash?: string;
  /** Its meta_hash: a 200 with the same metadata is stored as unchanged, sharing the earlier rows. */
  metaHash?: string;
  /** --trust-lastmod: the sitemap lastmod is not later than its fetch, so the page is not fetched. */
  skip?: boolean;
}

/** Why a page of a `--since` crawl holds the earlier crawl's metadata (pages.unchanged_reason). */
export type UnchangedReason = 'not-modified' | 'same-body' | 'same-metadata' | 'lastmod';

export type MetaAttr = 'name' | 'property' | 'http-equiv' | 'itemprop' | 'charset';
/** `[attr, key, content]`, in document order. content is null when the attribute is absent. */
export type MetaTag = [attr: MetaAttr, key: string, content: string | null];

export interface LinkInfo {
  /** Absolute http(s) URL, resolved against <base href> and the page URL. */
  url: string;
  /** Anchor text, ASCII whitespace collapsed and trimmed. */
  text: string;
  rel: string | null;
  /** The element it came from. */
  tag: 'a' | 'area';
}

export interface JsonLdBlock {
  /** The script text as found. */
  raw: string;
  /** Set only when a comment/CDATA wrapper was removed: the JSON inside it (what the store's `json` holds). */
  unwrapped?: string;
  /** JSON that SQLite's json_valid accepts (JSON.parse accepts it; nested at most 1000 deep). */
  valid: boolean;
  /** Parsed value, or null when invalid. */
  value: unknown;
  /** Every @type found in the block (arrays and @graph included), in order, unique. */
  types: string[];
}

/** One answer per question, as ordered fallbacks over og, twitter, JSON-LD, Dublin Core and HTML. */
export interface ResolvedFields {
  bestTitle: string | null;
  bestDescription: string | null;
  bestImage: string | null;
  bestUrl: string | null;
  siteName: string | null;
  author: string | null;
  publishedAt: string | null;
  modifiedAt: string | null;
  pageType: string | null;
  favicon: string | null;
  feeds: string[];
  hreflang: { lang: string; url: string }[];
  robots: string | null;
  keywords: string | null;
  jsonldTypes: string[];
}

/** A custom rule's value on a page: the first match (or null), or every match for a `name[]` rule. */
export type ExtractValue = string | null | string[];

/** A microdata item in the HTML standard's JSON form. */
export interface MicrodataItem {
  /** itemtype tokens (absolute URLs as written), when the item has a type. */
  type?: string[];
  /** itemid, resolved (typed items only). */
  id?: string;
  properties: Record<string, MicrodataValue[]>;
}
/** A property value: a string, or a nested item ('ERROR' marks an item that contains itself). */
export type MicrodataValue = string | MicrodataItem;

export interface PageMetadata {
  title: string | null;
  lang: string | null;
  /** Declared charset label, lowercased (meta charset or http-equiv), or null. */
  charset: string | null;
  canonical: string | null;
  description: string | null;
  viewport: string | null;
  meta: MetaTag[];
  /** Each og:* key (with its prefix, e.g. `og:title`) -> its first value. */
  og: Record<string, string>;
  /** Each twitter:* key (with its prefix, e.g. `twitter:card`) -> its first value. */
  twitter: Record<string, string>;
  jsonld: JsonLdBlock[];
  links: LinkInfo[];
  /** Number of links found (may exceed links.length when capped). */
  linksCount: number;
  /** How many of linksCount came from <area href> (the page report's link list shows <a href> only). */
  areaLinksCount: number;
  linksTruncated: boolean;
  /** The effective base URL (after <base href>). */
  baseUrl: string;
  resolved: ResolvedFields;
  /** Site-audit fields (src/extract/audit.ts); absent in records from workers older than schema 7. */
  audit?: AuditFields;
  /** The crawl's custom rules (src/extract/rules.ts) by name; absent when the crawl has none. */
  extracts?: Record<string, ExtractValue>;
  /** The rules that failed on this page, by name, with the reason (their value is null). */
  extractErrors?: Record<string, string>;
  /** Top-level microdata items; absent when the page has none. */
  microdata?: MicrodataItem[];
  /** Every microdata itemtype on the page (nested items included), unique. */
  microdataTypes?: string[];
}

/** A page's own fields (custom rules, microdata), as PageMetadata holds them. */
export type CustomFields = Pick<PageMetadata, 'extracts' | 'extractErrors' | 'microdata' | 'microdataTypes'>;

/** What the site audit needs beyond the metadata (src/extract/audit.ts states the rules). */
export interface AuditFields {
  /** Text of the first <h1>, ASCII whitespace collapsed. */
  h1: string | null;
  h1Count: number;
  /** HTML <title> elements (an SVG <title> is not one). */
  titleCount: number;
  /** <link rel=canonical> elements. */
  canonicalCount: number;
  /** Words of the visible text. */
  wordCount: number;
  /** Exact hash of the visible words, 16 hex digits; null without words. */
  textHash: string | null;
  /** 64-bit SimHash of the visible words' 3-word shingles, a signed 64-bit integer in decimal; null without words. */
  simhash: string | null;
  imgCount: number;
  /** <img> elements without an alt attribute (alt="" is a deliberate empty alt, not missing). */
  imgMissingAlt: number;
  /** The X-Robots-Tag response header, as received (several joined by the fetcher). */
  xRobotsTag: string | null;
}

export interface RedirectHop {
  url: string;
  status: number;
}

/** One record per page: what the worker publishes to the results stream and the store writes. */
export interface PageRecord {
  crawl: string;
  url: string;
  depth: number;
  discoveredFrom: string | null;
  finalUrl: string | null;
  status: number | null;
  contentType: string | null;
  error: ErrorCode | null;
  errorDetail: string | null;
  attempts: number;
  fetchedAt: string;
  elapsedMs: number | null;
  /** Time spent waiting for politeness (rate/concurrency/backoff) before the fetch. */
  queuedMs: number | null;
  bytes: number | null;
  truncated: boolean;
  redirects: RedirectHop[];
  headers: Record<string, string> | null;
  /** The encoding actually used to decode the body. */
  encoding: string | null;
  lastmod: string | null;
  meta: PageMetadata | null;
  /** SHA-256 of the body as read, first 16 hex digits (src/hashes.ts); absent when no body was read. */
  bodyHash?: string | null;
  /** SHA-256 of the extracted metadata, first 16 hex digits (src/hashes.ts). */
  metaHash?: string | null;
  /** The crawl this one runs `--since`: the store compares with (and may share) its row of the URL. */
  since?: string | null;
  /**
   * Set by the worker when it knows the page did not change (meta is then null): the store fills the row from
   * the earlier crawl's.
   */
  unchanged?: UnchangedReason | null;
  /**
   * The page's own fields (custom rules, microdata) when `meta` is null because the rest of its metadata is the
   * earlier crawl's (`unchanged` = 'same-metadata': the body changed, so the rules ran on it).
   */
  custom?: CustomFields | null;
  /**
   * With --archive: the WARC record holding the page's response (file name in the archive directory); `dir`, the
   * archive directory as the worker resolved it (absent in records of older workers).
   */
  archive?: { file: string; offset: number; length: number; dir?: string } | null;
}
