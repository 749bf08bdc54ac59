/**
 * One waiting URL in the frontier, as one compact string (a list element in Redis, ~URL length + 3 bytes):
 *
 *   `<depth> <url>[\n<p> <from suffix>][\t<lastmod>[\x01<since>]]`
 *
 * depth in decimal; the parent's URL (`from`) as the length p of the prefix it shares with the URL, then the
 * rest of it (links mostly stay on their page's host, so this is usually a short path); lastmod last, its
 * control characters made spaces. `<since>` only in a crawl run `--since` an earlier one, for a URL the earlier
 * crawl has: its fields joined by \x01, trailing empty ones left out (see encodeSince). Normalized URLs contain none (the URL serializer escapes them),
 * so an entry never holds a CR: reserve.lua receives entries separated by CRs.
 * src/frontier/lua/take.lua and src/producer/lua/reserve.lua read the depth and URL; keep the three in step.
 */
import type { CrawlJobData, SinceData } from '../types.js';

export interface PendingUrl {
  url: string;
  /** 0 for seeds. */
  depth: number;
  /** The page that linked here; null for seeds. */
  from: string | null;
  /** Sitemap lastmod when the URL came from a sitemap. */
  lastmod: string | null;
  /** The earlier crawl's validators and hashes (a crawl run --since). */
  since?: SinceData | null;
}

const CONTROL = /[\x00-\x1f\x7f]/g;
const HAS_CONTROL = /[\x00-\x1f\x7f]/;

/**
 * `etag \x01 last-modified \x01 body hash \x01 meta hash \x01 flags`, each only when present: Last-Modified as
 * base-36 epoch seconds, hashes as base64url (11 characters for 16 hex digits), flags `s` = skip
 * (--trust-lastmod). An ETag holding control characters is not sent (none is valid).
 */
function encodeSince(s: SinceData): string {
  const lm = s.lastModified ? Date.parse(s.lastModified) : Number.NaN;
  const parts = [
    s.etag && !HAS_CONTROL.test(s.etag) ? s.etag : '',
    Number.isFinite(lm) ? Math.floor(lm / 1000).toString(36) : '',
    s.bodyHash ? Buffer.from(s.bodyHash, 'hex').toString('base64url') : '',
    s.metaHash ? Buffer.from(s.metaHash, 'hex').toString('base64url') : '',
    s.skip ? 's' : '',
  ];
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts.join('\x01');
}

function decodeSince(t: string): SinceData {
  const [etag, lm, bh, mh, flags] = t.split('\x01');
  const s: SinceData = {};
  if (etag) s.etag = etag;
  if (lm) s.lastModified = new Date(Number.parseInt(lm, 36) * 1000).toUTCString();
  if (bh) s.bodyHash = Buffer.from(bh, 'base64url').toString('hex');
  if (mh) s.metaHash = Buffer.from(mh, 'base64url').toString('hex');
  if (flags?.includes('s')) s.skip = true;
  return s;
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
  const since = p.since ? encodeSince(p.since) : '';
  if (p.lastmod || since) e += `\t${p.lastmod ? p.lastmod.replace(CONTROL, ' ') : ''}`;
  if (since) e += `\x01${since}`;
  return e;
}

export function decodeEntry(e: string): PendingUrl {
  const sp = e.indexOf(' ');
  const depth = Number(e.slice(0, sp));
  const tab = e.indexOf('\t', sp);
  const head = tab === -1 ? e.slice(sp + 1) : e.slice(sp + 1, tab);
  let lastmod = tab === -1 ? null : e.slice(tab + 1);
  let since: SinceData | null = null;
  const soh = lastmod === null ? -1 : lastmod.indexOf('\x01');
  if (soh !== -1) {
    since = decodeSince((lastmod as string).slice(soh + 1));
    lastmod = (lastmod as string).slice(0, soh);
  }
  if (lastmod === '') lastmod = null;
  const nl = head.indexOf('\n');
  const extra = since ? { since } : {};
  if (nl === -1) return { url: head, depth, from: null, lastmod, ...extra };
  const url = head.slice(0, nl);
  const rest = head.slice(nl + 1);
  const sp2 = rest.indexOf(' ');
  const from = url.slice(0, Number(rest.slice(0, sp2))) + rest.slice(sp2 + 1);
  return { url, depth, from, lastmod, ...extra };
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
    ...(p.since ? { since: p.since } : {}),
  };
}
