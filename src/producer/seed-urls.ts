/**
 * Every seed source as one stream of normalized URLs: seed files (txt, csv, jsonl, stdin), http(s) URLs given
 * as seed arguments (seed-args.ts), sitemaps given as seeds, --sitemap locations and, with
 * --sitemaps-from-robots, the sitemaps named in each seed origin's robots.txt. Sitemap rules:
 * - a seed *file* named `*.xml` or `*.xml.gz` is parsed as a sitemap;
 * - a seed *URL* (from any seed file) whose path ends in `.xml` or `.xml.gz` is fetched and read as a sitemap
 *   instead of being crawled as a page;
 * - `--sitemap <file-or-url>` is a sitemap whatever its name.
 * Sitemap URLs are seeds like any other (depth 0, same normalization and dedupe) and carry their lastmod and
 * the sitemap they were listed in (stored as the page's discovered_from: the audit's orphan and sitemap checks).
 */
import { existsSync } from 'node:fs';
import { type NormalizeOptions, normalizeUrl } from '../url/normalize.js';
import { seedArg } from './seed-args.js';
import {
  formatProblem,
  normalizeSeed,
  readSeedChunks,
  type SeedLine,
  type SeedProblem,
} from './seed-files/read.js';
import { isSitemapLocation } from './sitemap.js';
import type { SitemapReader } from './sitemap-reader.js';

export type SeedEvent =
  | { ok: true; url: string; lastmod: string | null; sitemap?: string }
  | { ok: false; problem: string };

export interface SeedSourceOptions {
  /** Seed files, `-` for stdin. */
  sources: string[];
  /** --sitemap locations: files or http(s) URLs. */
  sitemaps: string[];
  /** Also read the sitemaps each seed origin's robots.txt names. */
  sitemapsFromRobots: boolean;
  stdin?: NodeJS.ReadableStream;
  normalize: NormalizeOptions;
  reader: SitemapReader;
}

/**
 * Every seed as a SeedEvent, in order, in non-empty arrays: a seed file's lines travel one array per chunk
 * read (no promise per seed); a sitemap's entries one by one, as its reader finds them.
 */
export async function* seedUrls(opts: SeedSourceOptions): AsyncGenerator<SeedEvent[]> {
  const { normalize, reader } = opts;
  // One entry per distinct seed origin: the only producer state that grows with the seed list.
  const origins = opts.sitemapsFromRobots ? new Set<string>() : null;

  async function* fromSitemap(location: string): AsyncGenerator<SeedEvent[]> {
    for await (const u of reader.read(location)) {
      const n = normalizeUrl(u.loc, normalize, u.base ?? undefined);
      if (n.ok) yield [{ ok: true, url: n.url, lastmod: u.lastmod, sitemap: u.sitemap }];
      else yield [{ ok: false, problem: `${u.sitemap}: ${n.reason}` }];
    }
  }

  for (const source of opts.sources) {
    const arg = seedArg(source);
    if (arg.kind === 'file' && isSitemapLocation(source)) {
      yield* fromSitemap(source);
      continue;
    }
    const chunks =
      arg.kind === 'url'
        ? oneUrl(arg.url, normalize)
        : normalizedChunks(readSeedChunks(source, { stdin: opts.stdin }), normalize);
    for await (const chunk of chunks) {
      let out: SeedEvent[] = [];
      for (const r of chunk) {
        if (r.ok && isSitemapLocation(r.url)) {
          // In order: what came before the sitemap goes first.
          if (out.length > 0) yield out;
          out = [];
          yield* fromSitemap(r.url);
          continue;
        }
        if (r.ok) origins?.add(new URL(r.url).origin);
        out.push(r);
      }
      if (out.length > 0) yield out;
    }
  }
  for (const location of opts.sitemaps) yield* fromSitemap(sitemapLocation(location));
  if (origins) {
    for (const origin of origins) {
      for (const sitemap of await reader.robotsSitemaps(origin)) yield* fromSitemap(sitemap);
    }
  }
}

async function* normalizedChunks(
  chunks: AsyncIterable<Array<SeedLine | SeedProblem>>,
  normalize: NormalizeOptions,
): AsyncGenerator<SeedEvent[]> {
  for await (const chunk of chunks) {
    yield chunk.map((item): SeedEvent => {
      const r = normalizeSeed(item, normalize);
      return r.ok
        ? { ok: true, url: r.url, lastmod: null }
        : { ok: false, problem: formatProblem(r.problem) };
    });
  }
}

/** A seed argument that is a URL: the one seed it names. */
async function* oneUrl(url: string, normalize: NormalizeOptions): AsyncGenerator<SeedEvent[]> {
  const n = normalizeUrl(url, normalize);
  if (n.ok) yield [{ ok: true, url: n.url, lastmod: null }];
  else yield [{ ok: false, problem: `seed argument ${withoutCredentials(url)}: ${n.reason}` }];
}

function withoutCredentials(url: string): string {
  const u = new URL(url);
  if (u.username || u.password) u.username = u.password = '***';
  return u.href;
}

/** A --sitemap value: an http(s) URL, an existing file, or a bare `example.com/sitemap.xml` (→ https://). */
function sitemapLocation(v: string): string {
  if (/^https?:\/\//i.test(v) || existsSync(v)) return v;
  const n = normalizeUrl(v);
  return n.ok ? n.url : v;
}
