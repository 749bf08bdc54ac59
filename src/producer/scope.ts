/** Scope for link discovery: may a link found while crawling from `seed` be followed? */
import { hostKey } from './normalize.js';

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
  if (mode !== 'any' && hostKey(url, mode) !== hostKey(seed, mode)) return false;
  if (include.length > 0 && !include.some((re) => matches(re, url))) return false;
  return !exclude.some((re) => matches(re, url));
}

// A /g or /y RegExp keeps lastIndex between calls; start every test from the beginning.
function matches(re: RegExp, s: string): boolean {
  re.lastIndex = 0;
  return re.test(s);
}
