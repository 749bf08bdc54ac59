/**
 * One error type with stable codes. Codes land in `pages.error`, so users can GROUP BY them;
 * never rename one (add a new code instead).
 */
export const ERROR_CODES = {
  // fetch, transport
  FETCH_TIMEOUT: { retry: true, meaning: 'The fetch (connect to last byte) exceeded --timeout.' },
  CONNECTION_REFUSED: { retry: true, meaning: 'The server refused the TCP connection.' },
  CONNECTION_RESET: { retry: true, meaning: 'The connection was reset or closed mid-response.' },
  DNS_NOT_FOUND: { retry: false, meaning: 'The host name does not resolve (NXDOMAIN).' },
  DNS_FAILURE: { retry: true, meaning: 'DNS lookup failed temporarily (SERVFAIL, timeout).' },
  TLS_ERROR: { retry: false, meaning: 'The TLS handshake or certificate check failed.' },
  NETWORK_ERROR: { retry: true, meaning: 'Another network-level failure.' },
  HEADERS_TOO_LARGE: { retry: false, meaning: 'Response headers exceeded the size limit.' },
  // HTTP
  HTTP_4XX: {
    retry: false,
    meaning: 'The server answered 4xx (other than 408/429). The status is in `status`.',
  },
  HTTP_5XX: { retry: true, meaning: 'The server answered 5xx. The status is in `status`.' },
  HTTP_429: { retry: true, meaning: 'The server answered 429 Too Many Requests after every retry.' },
  HTTP_408: { retry: true, meaning: 'The server answered 408 Request Timeout after every retry.' },
  TOO_MANY_REDIRECTS: { retry: false, meaning: 'More redirects than the limit (10), or a redirect loop.' },
  BAD_REDIRECT: { retry: false, meaning: 'A redirect without a usable Location, or to a non-http(s) URL.' },
  // body
  BODY_TOO_LARGE: {
    retry: false,
    meaning: 'Reserved: bodies over --max-bytes are cut and stored with truncated=1.',
  },
  DECOMPRESSION_FAILED: {
    retry: false,
    meaning: 'The body could not be decoded (bad gzip/deflate/br data).',
  },
  NOT_HTML: {
    retry: false,
    meaning: 'The response is not HTML; status and content_type are stored, the body is not parsed.',
  },
  BINARY_CONTENT: { retry: false, meaning: 'Served as text/html but the bytes are binary; not parsed.' },
  // policy
  BLOCKED_PRIVATE_ADDRESS: {
    retry: false,
    meaning:
      'The host resolves to a private, loopback, link-local or otherwise non-public address (use --allow-private).',
  },
  ROBOTS_DISALLOWED: {
    retry: false,
    meaning: 'robots.txt disallows the URL for our user agent; it was never requested.',
  },
  ROBOTS_UNAVAILABLE: {
    retry: true,
    meaning: 'robots.txt answered 5xx or was unreachable, so the host is treated as disallowed for now.',
  },
  INVALID_URL: {
    retry: false,
    meaning: 'The URL is malformed, not http(s), or longer than --max-url-length.',
  },
  CANCELLED: { retry: false, meaning: 'The crawl was cancelled before this URL was fetched.' },
  WORKER_LOST: {
    retry: false,
    meaning: 'The workers fetching this URL died repeatedly (stalled more than maxStalledCount times).',
  },
  INTERNAL_ERROR: { retry: false, meaning: 'A bug in metacrawl: the message says where. Please report it.' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class CrawlError extends Error {
  readonly code: ErrorCode;
  /** HTTP status when the error came from a response. */
  readonly status: number | null;
  /** Retry-After in ms when the server sent one. */
  readonly retryAfterMs: number | null;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { status?: number | null; retryAfterMs?: number | null; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'CrawlError';
    this.code = code;
    this.status = opts.status ?? null;
    this.retryAfterMs = opts.retryAfterMs ?? null;
  }
}

export function isRetryable(code: ErrorCode): boolean {
  return ERROR_CODES[code].retry;
}

export function isCrawlError(err: unknown): err is CrawlError {
  return err instanceof CrawlError;
}
