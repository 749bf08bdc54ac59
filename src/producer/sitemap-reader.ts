/**
 * Reading sitemaps for the producer: a location is a file or an http(s) URL; indexes are followed breadth
 * first to a bounded depth; every sitemap document is read at most once per reader. URL sitemaps and
 * robots.txt are fetched with the project Fetcher (SSRF guard, size caps), one request at a time, paced per
 * host at the crawl's --host-rate. Problems are reported, never thrown: a broken sitemap costs its URLs only.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isCrawlError } from '../errors.js';
import type { Fetcher } from '../fetch/index.js';
import { dropPartialLastLine, parseRobots, ROBOTS_MAX_BYTES, ROBOTS_MAX_REDIRECTS } from '../robots/rules.js';
import { sleep } from '../sleep.js';
import { parseSitemap, SITEMAP_MAX_BYTES, type SitemapEntry, SitemapError } from './sitemap.js';

/** Index → child sitemaps → ...: levels of nesting followed below a top-level sitemap. */
export const SITEMAP_MAX_DEPTH = 3;
/** Sitemap documents read per top-level location (a sitemap index names at most 50,000). */
export const SITEMAP_MAX_DOCUMENTS = 50_000;
const SITEMAP_ACCEPT = 'application/xml,text/xml;q=0.9,application/x-gzip;q=0.8,*/*;q=0.5';
const CHUNK = 64 * 1024;

export interface SitemapUrl {
  /** The URL as written in the sitemap (normalize it with `base`). */
  loc: string;
  /** The sitemap URL it came from (relative locs resolve against it), or null for a file. */
  base: string | null;
  lastmod: string | null;
  /** Where it came from, for reports: the sitemap file or URL. */
  sitemap: string;
}

export interface SitemapReaderOptions {
  /** Fetches URL sitemaps and robots.txt; without it, URL locations are reported as errors. */
  fetcher: Fetcher | null;
  report: (line: string) => void;
  /** Requests per second per host for sitemap and robots.txt fetches (Infinity = no pacing). */
  hostRate?: number;
  maxDepth?: number;
  maxBytes?: number;
  timeoutMs?: number;
}

export interface SitemapStats {
  /** Sitemap documents read (indexes included). */
  documents: number;
  /** Sitemap documents (or robots.txt files) that could not be read. */
  failed: number;
}

export class SitemapReader {
  readonly stats: SitemapStats = { documents: 0, failed: 0 };
  private readonly visited = new Set<string>();
  private readonly lastFetch = new Map<string, number>();

  constructor(private readonly opts: SitemapReaderOptions) {}

  /** Every page URL reachable from one sitemap location (file path or http(s) URL). */
  async *read(location: string): AsyncGenerator<SitemapUrl> {
    let queue: string[] = [location];
    let documents = 0;
    const maxDepth = this.opts.maxDepth ?? SITEMAP_MAX_DEPTH;
    for (let depth = 0; queue.length > 0; depth++) {
      const next: string[] = [];
      for (const loc of queue) {
        if (this.visited.has(loc)) continue;
        if (documents >= SITEMAP_MAX_DOCUMENTS) {
          this.opts.report(`${location}: more than ${SITEMAP_MAX_DOCUMENTS} sitemaps; the rest skipped`);
          return;
        }
        this.visited.add(loc);
        documents++;
        let skipped = 0;
        try {
          for await (const e of this.document(loc)) {
            if (e.kind === 'page') {
              yield { loc: e.loc, base: isUrl(loc) ? loc : null, lastmod: e.lastmod, sitemap: loc };
            } else if (depth < maxDepth) {
              const child = resolveLoc(e.loc, loc);
              if (child) next.push(child);
              else this.opts.report(`${loc}: sitemap entry is not a URL`);
            } else skipped++;
          }
          this.stats.documents++;
        } catch (err) {
          this.stats.failed++;
          this.opts.report(`${loc}: ${message(err)}`);
        }
        if (skipped > 0) {
          this.opts.report(`${loc}: ${skipped} sitemaps nested deeper than ${maxDepth} levels skipped`);
        }
      }
      queue = next;
    }
  }

  /** The `Sitemap:` lines of an origin's robots.txt, resolved; [] when it has none or cannot be read. */
  async robotsSitemaps(origin: string): Promise<string[]> {
    const url = `${origin}/robots.txt`;
    const fetcher = this.opts.fetcher;
    if (!fetcher) return [];
    try {
      await this.pace(url);
      const res = await fetcher.fetch(url, {
        accept: 'text/plain',
        maxBytes: ROBOTS_MAX_BYTES,
        maxRedirects: ROBOTS_MAX_REDIRECTS,
        timeoutMs: this.opts.timeoutMs,
      });
      if (res.status < 200 || res.status > 299) return [];
      let text = res.body.toString('utf8');
      if (res.truncated) text = dropPartialLastLine(text);
      const out: string[] = [];
      for (const s of parseRobots(text).sitemaps) {
        const r = resolveLoc(s, url);
        if (r) out.push(r);
      }
      return out;
    } catch (err) {
      this.stats.failed++;
      this.opts.report(`${url}: ${message(err)}`);
      return [];
    }
  }

  private async *document(loc: string): AsyncGenerator<SitemapEntry> {
    const maxBytes = this.opts.maxBytes ?? SITEMAP_MAX_BYTES;
    if (!isUrl(loc)) {
      await assertFile(loc);
      yield* parseSitemap(createReadStream(loc, { highWaterMark: CHUNK }), { maxBytes });
      return;
    }
    const fetcher = this.opts.fetcher;
    if (!fetcher) throw new SitemapError('cannot fetch sitemap URLs here');
    await this.pace(loc);
    // The cap bounds the raw body (a gzipped sitemap is small); parseSitemap bounds what it inflates to.
    const res = await fetcher.fetch(loc, {
      accept: SITEMAP_ACCEPT,
      maxBytes,
      timeoutMs: this.opts.timeoutMs,
    });
    if (res.status < 200 || res.status > 299) throw new SitemapError(`GET ${loc} → ${res.status}`);
    if (res.truncated) this.opts.report(`${loc}: larger than ${maxBytes} bytes; read the first ${maxBytes}`);
    yield* parseSitemap(slices(res.body), { maxBytes });
  }

  /** One request per 1/hostRate seconds per host. */
  private async pace(url: string): Promise<void> {
    const rate = this.opts.hostRate ?? Number.POSITIVE_INFINITY;
    const host = new URL(url).host;
    const last = this.lastFetch.get(host);
    if (Number.isFinite(rate) && rate > 0 && last !== undefined) {
      const wait = last + 1000 / rate - Date.now();
      if (wait > 0) await sleep(wait);
    }
    this.lastFetch.set(host, Date.now());
  }
}

function isUrl(loc: string): boolean {
  return /^https?:\/\//i.test(loc);
}

/** A child sitemap or robots `Sitemap:` value as an absolute http(s) URL (relative resolves against base). */
function resolveLoc(loc: string, base: string): string | null {
  const b = isUrl(base) ? base : undefined;
  if (!URL.canParse(loc, b)) return null;
  const u = new URL(loc, b);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  u.hash = '';
  return u.href;
}

async function assertFile(path: string): Promise<void> {
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new SitemapError('is a directory');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new SitemapError('sitemap file not found');
    if (code === 'EACCES') throw new SitemapError('sitemap file not readable');
    throw err;
  }
}

async function* slices(body: Buffer): AsyncGenerator<Buffer> {
  for (let i = 0; i < body.length; i += CHUNK) yield body.subarray(i, i + CHUNK);
}

function message(err: unknown): string {
  if (isCrawlError(err)) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
