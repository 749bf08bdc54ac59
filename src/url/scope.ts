/** Scope for link discovery: may a link found while crawling from `seed` be followed? */
import { tldts } from '../deps/tldts.js';

export type ScopeMode = 'host' | 'domain' | 'any';

/**
 * True when `url` stays within the seed's host (or registrable domain, or anywhere), matches at least
 * one `include` pattern (when any are given) and no `exclude` pattern. Exclude wins over include.
 * Both URLs are expected normalized; an unparsable one is out of scope.
 */
export function inScope(
  url: string,
  seed: string,
  mode: ScopeMode,
  include: readonly RegExp[],
  exclude: readonly RegExp[],
): boolean {
  if (!URL.canParse(url) || !URL.canParse(seed)) return false;
  if (mode !== 'any' && scopeKey(url, mode) !== scopeKey(seed, mode)) return false;
  if (include.length > 0 && !include.some((re) => matches(re, url))) return false;
  return !exclude.some((re) => matches(re, url));
}

/**
 * The site a URL belongs to: its hostname, or with `domain` its registrable domain. Unlike the politeness key,
 * private suffixes (github.io, blogspot.com) count as boundaries: two users' pages are two sites, even if one
 * server farm hosts both. IPs, `localhost` and other names without a registrable domain stay as they are.
 */
export function scopeKey(url: string, mode: 'host' | 'domain'): string {
  const hostname = new URL(url).hostname;
  if (mode === 'host' || hostname.startsWith('[') || tldts.parse(hostname).isIp) return hostname;
  return tldts.getDomain(hostname, { allowPrivateDomains: true }) ?? hostname;
}

// A /g or /y RegExp keeps lastIndex between calls; start every test from the beginning.
function matches(re: RegExp, s: string): boolean {
  re.lastIndex = 0;
  return re.test(s);
}
