/** Pure mapping from a PageRecord to the values of its `pages` row and its child rows. */
import type { PageRecord } from '../types.js';
import { customPageValues } from './custom-rows.js';
import { AUDIT_COLUMNS } from './page-columns.js';

export { AUDIT_COLUMNS, PAGE_COLUMNS } from './page-columns.js';

type Value = string | number | null;

export function str(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function int(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.round(v) : null;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Math.round(Number(v));
  return null;
}

function bool(v: unknown): number {
  return v ? 1 : 0;
}

export function arr<T>(v: unknown): T[] {
  return Array.isArray(v) ? (v as T[]) : [];
}

function rec(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
}

/** Values for PAGE_COLUMNS, in order. Tolerant of missing fields: the row is stored, never dropped. */
export function pageValues(r: PageRecord): (Value | bigint)[] {
  const m = r.meta;
  const og = rec(m?.og);
  const tw = rec(m?.twitter);
  const res = m ? rec(m.resolved) : null;
  const jsonld = arr<{ valid?: unknown }>(m?.jsonld);
  return [
    r.url,
    str(r.finalUrl),
    int(r.status),
    str(r.contentType),
    str(r.error),
    str(r.errorDetail),
    int(r.attempts) ?? 0,
    str(r.fetchedAt),
    int(r.elapsedMs),
    int(r.queuedMs),
    int(r.bytes),
    bool(r.truncated),
    str(r.encoding),
    str(m?.title),
    str(m?.description),
    str(m?.canonical),
    str(m?.lang),
    str(m?.charset),
    str(m?.viewport),
    str(og['og:title']),
    str(og['og:description']),
    str(og['og:image']),
    str(og['og:url']),
    str(og['og:type']),
    str(og['og:site_name']),
    str(tw['twitter:card']),
    str(tw['twitter:site']),
    str(tw['twitter:title']),
    str(tw['twitter:description']),
    str(tw['twitter:image']),
    m ? (int(m.linksCount) ?? arr(m.links).length) : null,
    m ? bool(m.linksTruncated) : null,
    m ? jsonld.length : null,
    m ? jsonld.filter((b) => !b?.valid).length : null,
    JSON.stringify(arr(r.redirects)),
    r.headers ? JSON.stringify(r.headers) : null,
    int(r.depth) ?? 0,
    str(r.discoveredFrom),
    str(r.lastmod),
    str(res?.bestTitle),
    str(res?.bestDescription),
    str(res?.bestImage),
    str(res?.bestUrl),
    str(res?.siteName),
    str(res?.author),
    str(res?.publishedAt),
    str(res?.modifiedAt),
    str(res?.pageType),
    str(res?.favicon),
    res ? JSON.stringify(arr(res.feeds)) : null,
    res ? JSON.stringify(arr(res.hreflang)) : null,
    str(res?.robots),
    str(res?.keywords),
    res ? jsonldTypes(r).join(' ') : null,
    str(r.bodyHash),
    str(r.metaHash),
    ...auditValues(r),
    ...customPageValues(r),
    str(r.archive?.file),
    int(r.archive?.offset),
    int(r.archive?.length),
  ];
}

/** Values for AUDIT_COLUMNS: all null when the record has no audit fields (an older worker, a failure). */
export function auditValues(r: PageRecord): (Value | bigint)[] {
  const a = r.meta?.audit;
  if (!a || typeof a !== 'object') return AUDIT_COLUMNS.map(() => null);
  return [
    str(a.h1),
    int(a.h1Count),
    int(a.titleCount),
    int(a.canonicalCount),
    int(a.wordCount),
    str(a.textHash),
    signed64(a.simhash),
    int(a.imgCount),
    int(a.imgMissingAlt),
    str(a.xRobotsTag),
  ];
}

/** A signed 64-bit integer given in decimal, as a BigInt SQLite stores exactly; null when it is not one. */
function signed64(v: unknown): bigint | null {
  if (typeof v !== 'string' || !/^-?\d{1,20}$/.test(v)) return null;
  const n = BigInt(v);
  return BigInt.asIntN(64, n) === n ? n : null;
}

/** The page's unique JSON-LD types: the resolved list, else the union over the blocks. */
export function jsonldTypes(r: PageRecord): string[] {
  const m = r.meta;
  if (!m) return [];
  const resolved = arr<unknown>(rec(m.resolved).jsonldTypes);
  const all =
    resolved.length > 0 ? resolved : arr<{ types?: unknown }>(m.jsonld).flatMap((b) => arr(b?.types));
  return [...new Set(all.filter((t): t is string => typeof t === 'string' && t !== ''))];
}

/**
 * `[type, json, valid, raw]` per JSON-LD block, in document order. `json` is the JSON itself (a comment/CDATA
 * wrapper removed); `raw` is the text as found only when it differs, so `coalesce(raw, json)` is always it.
 */
export function jsonldRows(r: PageRecord): Value[][] {
  return arr<Record<string, unknown>>(r.meta?.jsonld).map((b) => {
    const raw = str(b?.raw) ?? '';
    const unwrapped = b?.valid && typeof b.unwrapped === 'string' ? b.unwrapped : null;
    return [
      arr<unknown>(b?.types)
        .filter((t) => typeof t === 'string')
        .join(' '),
      unwrapped ?? raw,
      bool(b?.valid),
      unwrapped === null ? null : raw,
    ];
  });
}
