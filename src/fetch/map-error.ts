/** The one place where transport failures (undici, node:net, dns, tls, zlib) become stable CrawlError codes. */
import { CrawlError, type ErrorCode } from '../errors.js';

const BY_CODE: Record<string, ErrorCode> = {
  UND_ERR_CONNECT_TIMEOUT: 'FETCH_TIMEOUT',
  UND_ERR_HEADERS_TIMEOUT: 'FETCH_TIMEOUT',
  UND_ERR_BODY_TIMEOUT: 'FETCH_TIMEOUT',
  ETIMEDOUT: 'FETCH_TIMEOUT',
  ECONNREFUSED: 'CONNECTION_REFUSED',
  ECONNRESET: 'CONNECTION_RESET',
  ECONNABORTED: 'CONNECTION_RESET',
  EPIPE: 'CONNECTION_RESET',
  UND_ERR_SOCKET: 'CONNECTION_RESET',
  UND_ERR_CLOSED: 'CONNECTION_RESET',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'CONNECTION_RESET',
  ERR_STREAM_PREMATURE_CLOSE: 'CONNECTION_RESET',
  ENOTFOUND: 'DNS_NOT_FOUND',
  EAI_NONAME: 'DNS_NOT_FOUND',
  EAI_NODATA: 'DNS_NOT_FOUND',
  EAI_AGAIN: 'DNS_FAILURE',
  EAI_FAIL: 'DNS_FAILURE',
  ESERVFAIL: 'DNS_FAILURE',
  ETIMEOUT: 'DNS_FAILURE',
  UND_ERR_HEADERS_OVERFLOW: 'HEADERS_TOO_LARGE',
  HPE_HEADER_OVERFLOW: 'HEADERS_TOO_LARGE',
  Z_DATA_ERROR: 'DECOMPRESSION_FAILED',
  Z_BUF_ERROR: 'DECOMPRESSION_FAILED',
  ERR_INVALID_URL: 'INVALID_URL',
};

const TLS_CODE =
  /^(ERR_TLS_|ERR_SSL_|ERR_OSSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|ERR_BROTLI)/;

function codeOf(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}

/** The CrawlError code for a low-level error, looking through `cause` chains. */
export function errorCodeFor(err: unknown): ErrorCode {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof CrawlError) return e.code;
    const code = codeOf(e);
    if (code === null) continue;
    if (BY_CODE[code]) return BY_CODE[code];
    if (code.startsWith('ERR_BROTLI')) return 'DECOMPRESSION_FAILED';
    if (TLS_CODE.test(code)) return 'TLS_ERROR';
  }
  return 'NETWORK_ERROR';
}

/** OpenSSL's raw form: `<thread>:error:<hex>:<library>:<function>:<reason>:<file>:<line>:…`. */
const OPENSSL_TEXT = /^[0-9A-F]+:error:[0-9A-F]+:[^:]*:[^:]*:([^:]+):/;

/** One readable line: OpenSSL's reason instead of its raw text, whitespace collapsed. */
function readableMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const reason = (err as { reason?: unknown } | null)?.reason;
  const text =
    typeof reason === 'string' && reason.trim() !== ''
      ? reason
      : (OPENSSL_TEXT.exec(message)?.[1] ?? message);
  return text.replace(/\s+/g, ' ').trim();
}

function detailOf(err: unknown, code: ErrorCode): string {
  if (err instanceof CrawlError) return err.message;
  const own = codeOf(err);
  const message = readableMessage(err);
  if (code === 'TLS_ERROR') return `TLS handshake failed: ${message}${own ? ` (${own})` : ''}`;
  const text = own && !message.includes(own) ? `${own}: ${message}` : message;
  return code === 'HEADERS_TOO_LARGE' ? `response headers too large (${text})` : text;
}

/**
 * Wraps any failure of one request as a CrawlError whose message names the request:
 * `GET https://example.com/a → <detail>`. `timedOut` wins: an abort from the total budget is a timeout.
 */
export function toCrawlError(
  err: unknown,
  request: { method: string; url: string; timeoutMs: number; timedOut: boolean },
): CrawlError {
  const prefix = `${request.method} ${request.url} → `;
  if (request.timedOut) {
    return new CrawlError('FETCH_TIMEOUT', `${prefix}timed out after ${request.timeoutMs} ms`, {
      cause: err,
    });
  }
  const code = errorCodeFor(err);
  if (err instanceof CrawlError && err.message.startsWith(prefix)) return err;
  const detail = code === 'FETCH_TIMEOUT' ? `timed out (${detailOf(err, code)})` : detailOf(err, code);
  return new CrawlError(code, prefix + detail, {
    cause: err,
    status: err instanceof CrawlError ? err.status : null,
    retryAfterMs: err instanceof CrawlError ? err.retryAfterMs : null,
  });
}
