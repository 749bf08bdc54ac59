/**
 * pages/s, defined once for `status`, the explorer and the crawl summary: the crawl's pages stored divided by
 * the seconds from its first fetch to its last (`pages.fetched_at`). A finished crawl keeps its figure; a
 * live one shows its average so far.
 */

/** Times as epoch ms or ISO strings; null when a time is missing or the span is not positive. */
export function pagesPerSecond(
  pages: number,
  firstFetchedAt: number | string | null | undefined,
  lastFetchedAt: number | string | null | undefined,
): number | null {
  const first = toMs(firstFetchedAt);
  const last = toMs(lastFetchedAt);
  if (first === null || last === null || !(last > first)) return null;
  return pages / ((last - first) / 1000);
}

function toMs(t: number | string | null | undefined): number | null {
  if (t === null || t === undefined) return null;
  const ms = typeof t === 'number' ? t : Date.parse(t);
  return Number.isFinite(ms) ? ms : null;
}
