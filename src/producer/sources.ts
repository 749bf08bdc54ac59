/**
 * Every seed source as one stream of normalized URLs: seed files (txt, csv, jsonl, stdin), sitemaps given as
 * seeds, --sitemap locations and, with --sitemaps-from-robots, the sitemaps named in each seed origin's
 * robots.txt. Sitemap rules:
 * - a seed *file* named `*.xml` or `*.xml.gz` is parsed as a sitemap;
 * - a seed *URL* (from any seed file) whose path ends in `.xml` or `.xml.gz` is fetched and read as a sitemap
 *   instead of being crawled as a page;
 * - `--sitemap <file-or-url>` is a sitemap whatever its name.
 * Sitemap URLs are seeds like any other (depth 0, same normalization and dedupe) and carry their lastmod.
 */
import { existsSync } from 'node:fs';
import { type NormalizeOptions, normalizeUrl } from './normalize.js';
import { formatProblem, readSeeds } from './seeds.js';
import { isSitemapLocation } from './sitemap.js';
import type { SitemapReader } from './sitemap-reader.js';

export type SeedEvent = { ok: true; url: string; lastmod: string | null } | { ok: false; problem: string };

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

export async function* seedUrls(opts: SeedSourceOptions): AsyncGenerator<SeedEvent> {
  const { normalize, reader } = opts;
  // One entry per distinct seed origin: the only producer state that grows with the seed list.
  const origins = opts.sitemapsFromRobots ? new Set<string>() : null;

  async function* fromSitemap(location: string): AsyncGenerator<SeedEvent> {
    for await (const u of reader.read(location)) {
      const n = normalizeUrl(u.loc, normalize, u.base ?? undefined);
      if (n.ok) yield { ok: true, url: n.url, lastmod: u.lastmod };
      else yield { ok: false, problem: `${u.sitemap}: ${n.reason}` };
    }
  }

  for (const source of opts.sources) {
    if (source !== '-' && isSitemapLocation(source) && !/^https?:\/\//i.test(source)) {
      yield* fromSitemap(source);
      continue;
    }
    // Normalized here rather than through normalizeSeeds: one generator less per seed (submit's hot loop).
    for await (const item of readSeeds(source, { stdin: opts.stdin })) {
      if ('reason' in item) {
        yield { ok: false, problem: formatProblem(item) };
        continue;
      }
      const r = normalizeUrl(item.url, normalize);
      if (!r.ok) {
        yield {
          ok: false,
          problem: formatProblem({ source: item.source, line: item.line, reason: r.reason }),
        };
      } else if (isSitemapLocation(r.url)) {
        yield* fromSitemap(r.url);
      } else {
        origins?.add(new URL(r.url).origin);
        yield { ok: true, url: r.url, lastmod: null };
      }
    }
  }
  for (const location of opts.sitemaps) yield* fromSitemap(sitemapLocation(location));
  if (origins) {
    for (const origin of origins) {
      for (const sitemap of await reader.robotsSitemaps(origin)) yield* fromSitemap(sitemap);
    }
  }
}

/** A --sitemap value: an http(s) URL, an existing file, or a bare `example.com/sitemap.xml` (→ https://). */
function sitemapLocation(v: string): string {
  if (/^https?:\/\//i.test(v) || existsSync(v)) return v;
  const n = normalizeUrl(v);
  return n.ok ? n.url : v;
}
