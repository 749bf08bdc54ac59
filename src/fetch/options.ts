/** Fetch options, results and their defaults. */
import type { RedirectHop } from '../types.js';
import type { AllowPrivate } from './address-policy.js';

export interface FetchOptions {
  userAgent: string;
  /** Whole fetch, connect to last byte, across redirects. */
  timeoutMs: number;
  /** Cap on the decoded (decompressed) body; raw bytes are capped too. Beyond it: stop, truncated=true. */
  maxBytes: number;
  maxRedirects: number;
  /** true = all allowed; string[] = only these addresses/CIDRs among the non-public ones; false = refuse non-public. */
  allowPrivate: AllowPrivate;
  /** Accept header (HTML by default; robots.txt uses text/plain). */
  accept?: string;
  headers?: Record<string, string>;
  /** Keep every request and response of the chain (redirects included) in `exchanges`, for a WARC archive. */
  capture?: boolean;
}

/** One HTTP request and its response, as sent and received (the body decoded, and as received: see src/archive/). */
export interface CapturedExchange {
  url: string;
  /** When the request was sent (ISO 8601). */
  date: string;
  requestHeaders: Record<string, string>;
  status: number;
  /** Response header lines in the order received, repeated names on lines of their own. */
  responseHeaders: Array<[string, string]>;
  /** Decoded (decompressed) body, capped at maxBytes (a redirect's at 64 KB). */
  body: Buffer;
  /**
   * The body as received (content-encoded, Content-Encoding undone by `decodeBody`), when it was content-encoded
   * and read whole; null for an identity body (`body` is the wire bytes) or one cut at maxBytes.
   */
  wire: Buffer | null;
  truncated: boolean;
  remoteAddress: string | null;
}

export interface FetchResult {
  /** The URL as requested. */
  url: string;
  /** The URL of the last hop (credentials and fragment removed). */
  finalUrl: string;
  status: number;
  /** Lowercased names, repeated values joined with ", ". */
  headers: Record<string, string>;
  /** MIME type lowercased without parameters. */
  contentType: string | null;
  /** Each hop: the URL that redirected and its status. */
  redirects: RedirectHop[];
  /** Decoded (decompressed) bytes, capped at maxBytes. */
  body: Buffer;
  bytes: number;
  truncated: boolean;
  elapsedMs: number;
  /** The address of the connection used (latest connection to the final origin); null when unknown. */
  remoteAddress: string | null;
  /** With `capture`: every exchange of the chain, the final one last. */
  exchanges?: CapturedExchange[];
}

export const DEFAULT_ACCEPT = 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8';

export const FETCH_DEFAULTS: Readonly<FetchOptions> = Object.freeze({
  userAgent: 'metacrawl',
  timeoutMs: 30_000,
  maxBytes: 5 * 1024 * 1024,
  maxRedirects: 10,
  allowPrivate: false,
});

/** Defaults filled in and numbers checked once; undefined values do not override. */
export function resolveOptions(base: Readonly<FetchOptions>, over: Partial<FetchOptions> = {}): FetchOptions {
  const opts: FetchOptions = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v !== undefined) (opts as unknown as Record<string, unknown>)[k] = v;
  }
  for (const k of ['timeoutMs', 'maxBytes'] as const) {
    if (!(Number.isFinite(opts[k]) && opts[k] > 0)) throw new TypeError(`${k} must be a positive number`);
  }
  if (!(Number.isInteger(opts.maxRedirects) && opts.maxRedirects >= 0)) {
    throw new TypeError('maxRedirects must be a non-negative integer');
  }
  return opts;
}
