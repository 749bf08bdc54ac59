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
}

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
  /** With --archive: the WARC record holding the page's response (file name in the archive directory). */
  archive?: { file: string; offset: number; length: number } | null;
}
