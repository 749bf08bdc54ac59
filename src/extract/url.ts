/**
 * Link resolution without `new URL()` for the shapes most links have: absolute http(s) URLs,
 * root-relative paths and fragments, when they are already written the way the WHATWG URL
 * serializer would write them (lowercase scheme and host, no port, no dot segments, only characters
 * that are never percent-encoded). Anything else goes through `new URL()`. A fast answer is always
 * the string `new URL(href, base).href` would give (test/worker/extract/url.test.ts checks both ways).
 */

/** ASCII characters the serializer keeps as-is in a special URL's path, query and fragment. */
const KEPT = new Uint8Array(128);
for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&()*+,;=:@%')
  KEPT[c.charCodeAt(0)] = 1;

/** Slow-path answers remembered per page. */
const MAX_CACHED = 10_000;

const SLASH = 0x2f;
const DOT = 0x2e;
const QUERY = 0x3f;
const HASH = 0x23;

/** A parsed base URL and the prefixes the fast paths append to. */
export class LinkBase {
  private readonly url: URL | null;
  /** `scheme://[userinfo@]host[:port]` of an http(s) base, else null. */
  private readonly origin: string | null = null;
  /** The base without its fragment (http(s) only). */
  private readonly noFragment: string | null = null;
  private readonly slow = new Map<string, string | null>();

  constructor(base: string) {
    let url: URL | null;
    try {
      url = new URL(base);
    } catch {
      url = null;
    }
    this.url = url;
    if (url && (url.protocol === 'http:' || url.protocol === 'https:')) {
      const href = url.href;
      this.origin = href.slice(0, href.indexOf('/', url.protocol.length + 2));
      const hash = href.indexOf('#');
      this.noFragment = hash === -1 ? href : href.slice(0, hash);
    }
  }

  /** The absolute http(s) URL `href` resolves to, or null (unparsable, or another scheme). */
  resolve(href: string): string | null {
    const c = href.charCodeAt(0);
    if (c === 0x68 /* h */) {
      const i = canonicalHostEnd(href);
      if (i !== -1) {
        if (i < href.length && href.charCodeAt(i) === SLASH) {
          if (isCanonicalTail(href, i)) return href;
        } else {
          // No path (`https://github.com`, `https://a.example?q`): the serializer writes its '/'.
          const withPath = `${href.slice(0, i)}/${href.slice(i)}`;
          if (isCanonicalTail(withPath, i)) return withPath;
        }
      }
    } else if (c === SLASH) {
      if (this.origin !== null && href.charCodeAt(1) !== SLASH && isCanonicalTail(href, 0))
        return this.origin + href;
    } else if (c === HASH) {
      if (this.noFragment !== null && isCanonicalTail(href, 0)) return this.noFragment + href;
    }
    return this.resolveSlow(href);
  }

  private resolveSlow(href: string): string | null {
    const known = this.slow.get(href);
    if (known !== undefined) return known;
    let out: string | null = null;
    try {
      const u = new URL(href, this.url ?? undefined);
      if (u.protocol === 'https:' || u.protocol === 'http:') out = u.href;
    } catch {
      // Not a URL: no link.
    }
    // Repeated hrefs are common (navigation); a page of millions of distinct ones must not grow it unbounded.
    if (this.slow.size < MAX_CACHED) this.slow.set(href, out);
    return out;
  }
}

/** `http(s)://host/...` with a lowercase DNS name that is not an IP or IDN, no port or userinfo, a canonical tail. */
export function isCanonicalAbsolute(href: string): boolean {
  const i = canonicalHostEnd(href);
  // The path must be written ("http://a.example" serializes as "http://a.example/").
  return i !== -1 && i < href.length && href.charCodeAt(i) === SLASH && isCanonicalTail(href, i);
}

/**
 * `http(s)://host` with a lowercase DNS name that is not an IP or IDN, then the end, a '/', '?' or '#' (no port or
 * userinfo): the position after the host; else -1.
 */
function canonicalHostEnd(href: string): number {
  let i: number;
  if (href.startsWith('https://')) i = 8;
  else if (href.startsWith('http://')) i = 7;
  else return -1;
  const hostStart = i;
  let labelStart = i;
  for (; i < href.length; i++) {
    const c = href.charCodeAt(i);
    if (c === SLASH || c === QUERY || c === HASH) break;
    if (c === DOT) {
      if (i === labelStart || isPunycodeLabel(href, labelStart)) return -1;
      labelStart = i + 1;
    } else if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d)) return -1;
  }
  if (i === hostStart || i === labelStart) return -1;
  // A last label starting with a digit may make the host an IPv4 address, which is rewritten.
  const last = href.charCodeAt(labelStart);
  if (!(last >= 0x61 && last <= 0x7a) || isPunycodeLabel(href, labelStart)) return -1;
  return i;
}

function isPunycodeLabel(href: string, at: number): boolean {
  return href.startsWith('xn--', at);
}

/**
 * From `from` (a '/' starting the path, or '#' starting a fragment): only kept characters, no dot
 * segment (".", "..", or a "%2e" that could spell one), then an optional query and fragment.
 */
export function isCanonicalTail(href: string, from: number): boolean {
  let i = from;
  if (href.charCodeAt(i) === SLASH) {
    let segStart = i + 1;
    for (i = segStart; i <= href.length; i++) {
      const c = i === href.length ? -1 : href.charCodeAt(i);
      if (c === SLASH || c === QUERY || c === HASH || c === -1) {
        const len = i - segStart;
        if (
          (len === 1 && href.charCodeAt(segStart) === DOT) ||
          (len === 2 && href.charCodeAt(segStart) === DOT && href.charCodeAt(segStart + 1) === DOT)
        )
          return false;
        if (c !== SLASH) break;
        segStart = i + 1;
      } else if (c >= 128 || KEPT[c] === 0) return false;
      else if (c === 0x25 && href.charCodeAt(i + 1) === 0x32 && (href.charCodeAt(i + 2) | 0x20) === 0x65)
        return false;
    }
    if (i === href.length) return true;
    if (href.charCodeAt(i) === QUERY) {
      for (i++; i < href.length; i++) {
        const c = href.charCodeAt(i);
        if (c === HASH) break;
        if (c !== SLASH && c !== QUERY && (c >= 128 || KEPT[c] === 0)) return false;
      }
      if (i === href.length) return true;
    }
  }
  if (href.charCodeAt(i) !== HASH) return false;
  for (i++; i < href.length; i++) {
    const c = href.charCodeAt(i);
    if (c !== SLASH && c !== QUERY && (c >= 128 || KEPT[c] === 0)) return false;
  }
  return true;
}
