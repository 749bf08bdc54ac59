/**
 * One waiting URL in the frontier, as one compact string (a list element in Redis, ~URL length + 3 bytes):
 *
 *   `<depth> <url>[\n<p> <from suffix>][\t<lastmod>]`
 *
 * depth in decimal; the parent's URL (`from`) as the length p of the prefix it shares with the URL, then the
 * rest of it (links mostly stay on their page's host, so this is usually a short path); lastmod last, its
 * control characters (tab, CR, LF) made spaces. Normalized URLs contain none (the URL serializer escapes them),
 * so an entry never holds a CR: reserve.lua receives entries separated by CRs.
 * src/frontier/lua/take.lua and src/producer/lua/reserve.lua read the depth and URL; keep the three in step.
 */
import type { CrawlJobData } from '../types.js';

export interface PendingUrl {
  url: string;
  /** 0 for seeds. */
  depth: number;
  /** The page that linked here; null for seeds. */
  from: string | null;
  /** Sitemap lastmod when the URL came from a sitemap. */
  lastmod: string | null;
}

function sharedPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

export function encodeEntry(p: PendingUrl): string {
  let e = `${p.depth} ${p.url}`;
  if (p.from !== null) {
    const n = sharedPrefix(p.url, p.from);
    e += `\n${n} ${p.from.slice(n)}`;
  }
  if (p.lastmod) e += `\t${p.lastmod.replace(/[\t\r\n]/g, ' ')}`;
  return e;
}

export function decodeEntry(e: string): PendingUrl {
  const sp = e.indexOf(' ');
  const depth = Number(e.slice(0, sp));
  const tab = e.indexOf('\t', sp);
  const head = tab === -1 ? e.slice(sp + 1) : e.slice(sp + 1, tab);
  const lastmod = tab === -1 ? null : e.slice(tab + 1);
  const nl = head.indexOf('\n');
  if (nl === -1) return { url: head, depth, from: null, lastmod };
  const url = head.slice(0, nl);
  const rest = head.slice(nl + 1);
  const sp2 = rest.indexOf(' ');
  const from = url.slice(0, Number(rest.slice(0, sp2))) + rest.slice(sp2 + 1);
  return { url, depth, from, lastmod };
}

/** The job data of a frontier entry as it leaves the frontier. */
export function entryJobData(crawl: string, entry: string, queuedAt: number): CrawlJobData {
  const p = decodeEntry(entry);
  return {
    crawl,
    url: p.url,
    depth: p.depth,
    from: p.from,
    // Scope is judged per site, and every URL past a seed is in its seed's site: the URL stands for it.
    seed: p.url,
    queuedAt,
    lastmod: p.lastmod,
  };
}
