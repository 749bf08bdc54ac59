/**
 * URL normalization: one canonical string per page, so equivalent URLs dedupe to one job.
 * WHATWG parsing does the heavy lifting (scheme/host case, IDN → punycode, default port, dot segments);
 * this module adds what it leaves alone: fragments, percent-encoding case, tracking params, query order.
 */
import { hash } from 'node:crypto';
import { tldts } from '../deps/tldts.js';

export interface NormalizeOptions {
  /** URLs longer than this (after normalization) are refused. */
  maxUrlLength: number;
  /** Query parameter names to drop; `*` matches any run of characters, matching ignores case. */
  stripParams: readonly string[];
  /** Sort query parameters by name (stable: repeated names keep their order). */
  sortQuery: boolean;
}

export type NormalizeResult = { ok: true; url: string } | { ok: false; reason: string };

/** Click ids and campaign tags that never change what a page is. */
export const DEFAULT_STRIP_PARAMS: readonly string[] = Object.freeze([
  'utm_*',
  'fbclid',
  'gclid',
  'dclid',
  'gbraid',
  'wbraid',
  'msclkid',
  'yclid',
  'mc_cid',
  'mc_eid',
  '_ga',
  '_hsenc',
  '_hsmi',
  'igshid',
]);

export const DEFAULT_NORMALIZE_OPTIONS = Object.freeze({
  maxUrlLength: 8192,
  stripParams: DEFAULT_STRIP_PARAMS,
  sortQuery: false,
});

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;
// `example.com:8080/x` looks like scheme `example.com:`; a dotted "scheme" followed by a port is a host.
const HOST_PORT = /^([a-zA-Z0-9.-]+\.[a-zA-Z0-9-]+|localhost):\d+(?:[/?#]|$)/i;
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
const PCT = /%([0-9a-fA-F]{2})/g;

/**
 * Normalizes one URL (relative ones resolve against `base`). Never throws; a failure carries a short
 * human reason that never repeats the URL (it may hold credentials).
 */
export function normalizeUrl(
  input: string,
  opts?: Partial<NormalizeOptions>,
  base?: string,
): NormalizeResult {
  const maxLen = opts?.maxUrlLength ?? DEFAULT_NORMALIZE_OPTIONS.maxUrlLength;
  const strip = opts?.stripParams ?? DEFAULT_NORMALIZE_OPTIONS.stripParams;
  const sortQuery = opts?.sortQuery ?? false;
  const tooLong: NormalizeResult = { ok: false, reason: `URL longer than ${maxLen} characters` };

  const raw = input.trim();
  if (raw === '') return { ok: false, reason: 'empty URL' };
  // Normalization can shrink a URL (decoding, stripping) but not by this much; spare the parser.
  if (raw.length > maxLen * 4) return tooLong;

  let u: URL;
  if (base !== undefined) {
    if (!URL.canParse(base)) return { ok: false, reason: 'invalid base URL' };
    if (!URL.canParse(raw, base)) return { ok: false, reason: 'invalid URL' };
    u = new URL(raw, base);
  } else {
    const scheme = SCHEME.exec(raw);
    let candidate = raw;
    let bare = false;
    if (!scheme || HOST_PORT.test(raw)) {
      if (raw.startsWith('/') && !raw.startsWith('//'))
        return { ok: false, reason: 'relative URL without a base' };
      candidate = raw.startsWith('//') ? `https:${raw}` : `https://${raw}`;
      bare = true;
    } else if (!isHttp(scheme[1].toLowerCase() + ':')) {
      return { ok: false, reason: `unsupported scheme "${scheme[1].toLowerCase()}:"` };
    }
    // One parse (canParse, then new URL, would be two): seed lists and links are mostly valid URLs.
    const parsed = parseOrNull(candidate);
    if (parsed === null) return { ok: false, reason: 'invalid URL' };
    u = parsed;
    // A bare word ("hello", "url") is more likely junk than an intranet host.
    if (bare && !looksLikeHost(u.hostname)) return { ok: false, reason: 'not a URL' };
  }
  if (!isHttp(u.protocol)) return { ok: false, reason: `unsupported scheme "${u.protocol}"` };
  if (u.hostname === '') return { ok: false, reason: 'missing host' };

  const auth = u.username || u.password ? `${u.username}${u.password ? `:${u.password}` : ''}@` : '';
  const query = normalizeQuery(u.search, strip, sortQuery);
  const out = `${u.protocol}//${auth}${u.host}${normalizePercent(u.pathname || '/')}${query}`;
  if (out.length > maxLen) return tooLong;
  return { ok: true, url: out };
}

function parseOrNull(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

function isHttp(protocol: string): boolean {
  return protocol === 'http:' || protocol === 'https:';
}

function looksLikeHost(hostname: string): boolean {
  return hostname.includes('.') || hostname === 'localhost' || hostname.startsWith('[');
}

/** Uppercase hex in escapes; decode escapes of unreserved characters; leave everything else alone. */
function normalizePercent(s: string): string {
  if (!s.includes('%')) return s;
  return s.replace(PCT, (_m, hex: string) => {
    const ch = String.fromCharCode(Number.parseInt(hex, 16));
    return UNRESERVED.test(ch) ? ch : `%${hex.toUpperCase()}`;
  });
}

/** Works on the raw `?a=1&b=2` text so values keep their exact encoding (URLSearchParams would re-encode). */
function normalizeQuery(search: string, strip: readonly string[], sort: boolean): string {
  if (search === '' || search === '?') return '';
  let parts = search.slice(1).split('&');
  const patterns = compilePatterns(strip);
  if (patterns !== null) parts = parts.filter((p) => !patterns.test(paramName(p)));
  parts = parts.filter((p) => p !== '').map(normalizePercent);
  if (sort) {
    const keyed = parts.map((p) => [paramName(p), p] as const);
    keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    parts = keyed.map((k) => k[1]);
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

function paramName(part: string): string {
  const eq = part.indexOf('=');
  let name = eq === -1 ? part : part.slice(0, eq);
  if (name.includes('+')) name = name.replace(/\+/g, ' ');
  if (!name.includes('%')) return name;
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

let cachedKey: readonly string[] | null = null;
let cachedRe: RegExp | null = null;

// The same option array arrives for every URL of a crawl; compile it once.
function compilePatterns(globs: readonly string[]): RegExp | null {
  if (globs === cachedKey) return cachedRe;
  const alts = globs
    .filter((g) => g !== '')
    .map((g) => g.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*'));
  cachedKey = globs;
  cachedRe = alts.length === 0 ? null : new RegExp(`^(?:${alts.join('|')})$`, 'i');
  return cachedRe;
}

/**
 * The politeness/grouping key of a URL: its hostname, or with `domain` its registrable domain per the
 * public suffix list (`a.example.co.uk` → `example.co.uk`). IPs, `localhost` and other names without a
 * registrable domain stay as they are. Throws on an unparsable URL (callers pass normalized ones).
 */
export function hostKey(url: string, mode: 'host' | 'domain'): string {
  const hostname = hostnameOf(url);
  if (mode === 'host' || hostname.startsWith('[')) return hostname;
  if (tldts.parse(hostname).isIp) return hostname;
  return tldts.getDomain(hostname) ?? hostname;
}

/**
 * `new URL(url).hostname`, read off the string when `url` is a serialized http(s) URL (its authority ends at the
 * first '/', userinfo is before the last '@', '@' ':' '/' in userinfo are escaped): hot in submit and the worker.
 */
export function hostnameOf(url: string): string {
  const start = url.startsWith('https://') ? 8 : url.startsWith('http://') ? 7 : -1;
  const end = start < 0 ? -1 : url.indexOf('/', start);
  if (end < 0) return new URL(url).hostname;
  let auth = url.slice(start, end);
  const at = auth.lastIndexOf('@');
  if (at >= 0) auth = auth.slice(at + 1);
  if (auth.startsWith('[')) return new URL(url).hostname;
  const colon = auth.indexOf(':');
  const host = colon < 0 ? auth : auth.slice(0, colon);
  // Anything a serializer would have changed (case, Unicode, escapes) goes through the parser.
  return SERIALIZED_HOST.test(host) ? host : new URL(url).hostname;
}

const SERIALIZED_HOST = /^[a-z0-9.-]+$/;

/** 8 bytes of SHA-1: a compact member for the fleet-wide "seen" set (collisions at 2^32 URLs). */
export function urlHash(url: string): Buffer {
  return Buffer.from(hash('sha1', url, 'buffer').subarray(0, 8));
}

/** urlHash as 8 latin1 characters (one per byte), without a Buffer per URL. */
export function urlHashLatin1(url: string): string {
  return hash('sha1', url, 'binary').slice(0, 8); // 'binary' is latin1
}

/** urlHash as 16 hex digits. */
export function urlHashHex(url: string): string {
  return hash('sha1', url, 'hex').slice(0, 16);
}
