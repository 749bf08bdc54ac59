/**
 * WARC/1.1 records (ISO 28500:2017) as bytes: pure functions, no I/O. Each record is later gzip-compressed on
 * its own (one gzip member per record, as web archives do), so any record can be read at its offset.
 *
 * A response body is stored as received, still content-encoded (gzip, deflate, br: the record's payload, and its
 * WARC-Payload-Digest, are the entity bytes as on the wire, as the WARC standard means them), Content-Encoding
 * header kept. A body cut at --max-bytes is stored decoded instead (metacrawl undoes Content-Encoding while it
 * reads, and a cut-short compressed stream is no use to anyone), its Content-Encoding header renamed
 * X-Archive-Orig-Content-Encoding, as Webrecorder's tools do for decoded payloads. Either way the payload is
 * whole bytes without chunking: Transfer-Encoding and Content-Length are kept as X-Archive-Orig-* lines, and a
 * Content-Length of the stored body is added.
 */
import { createHash, randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';

export const WARC_VERSION = 'WARC/1.1';
export const PROFILE_NOT_MODIFIED = 'http://netpreserve.org/warc/1.1/revisit/server-not-modified';
export const PROFILE_IDENTICAL = 'http://netpreserve.org/warc/1.1/revisit/identical-payload-digest';

const CRLF = '\r\n';
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 with padding: the usual spelling of WARC digests. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += '=';
  return out;
}

export function sha1Digest(data: Uint8Array | Uint8Array[]): string {
  const h = createHash('sha1');
  for (const d of Array.isArray(data) ? data : [data]) h.update(d);
  return `sha1:${base32(h.digest())}`;
}

export function newRecordId(): string {
  return `<urn:uuid:${randomUUID()}>`;
}

/** A header value on one line: CR and LF (never legal there) become spaces. */
function oneLine(v: string): string {
  return v.replace(/[\r\n]+/g, ' ');
}

export interface RecordHeaders {
  type: 'warcinfo' | 'request' | 'response' | 'revisit';
  id: string;
  date: string;
  targetUri?: string;
  contentType: string;
  /** Further named fields, in order (null values are left out). */
  fields?: Array<[string, string | null | undefined]>;
}

/** The two CRLFs that end a record. */
export const RECORD_END = Buffer.from(CRLF + CRLF, 'latin1');

/** One uncompressed record: the header, the block (as parts) and the two CRLFs that end it. */
export function warcRecord(h: RecordHeaders, block: Uint8Array[]): Buffer {
  return Buffer.concat([warcHeader(h, block), ...block, RECORD_END]);
}

/** A record's header lines and the blank line after them (its block and RECORD_END follow). */
export function warcHeader(h: RecordHeaders, block: Uint8Array[]): Buffer {
  const length = block.reduce((n, b) => n + b.byteLength, 0);
  const lines = [WARC_VERSION, `WARC-Type: ${h.type}`, `WARC-Record-ID: ${h.id}`, `WARC-Date: ${h.date}`];
  if (h.targetUri) lines.push(`WARC-Target-URI: ${oneLine(h.targetUri)}`);
  for (const [k, v] of h.fields ?? []) if (v !== null && v !== undefined) lines.push(`${k}: ${oneLine(v)}`);
  lines.push(`WARC-Block-Digest: ${sha1Digest(block)}`);
  lines.push(`Content-Type: ${h.contentType}`, `Content-Length: ${length}`);
  return Buffer.from(lines.join(CRLF) + CRLF + CRLF, 'utf8');
}

/** The warcinfo record that opens every file. */
export function warcinfoRecord(id: string, filename: string, info: Record<string, string>): Buffer {
  const body = Buffer.from(
    Object.entries(info)
      .map(([k, v]) => `${k}: ${oneLine(v)}${CRLF}`)
      .join(''),
    'utf8',
  );
  return warcRecord(
    {
      type: 'warcinfo',
      id,
      date: new Date().toISOString(),
      contentType: 'application/warc-fields',
      fields: [['WARC-Filename', filename]],
    },
    [body],
  );
}

/** `GET /path?q HTTP/1.1` and the headers sent (Host first, as on the wire). */
export function httpRequestHead(url: string, headers: Record<string, string>): Buffer {
  const u = new URL(url);
  const lines = [`GET ${u.pathname}${u.search} HTTP/1.1`, `host: ${u.host}`];
  for (const [k, v] of Object.entries(headers)) if (k !== 'host') lines.push(`${k}: ${oneLine(v)}`);
  return Buffer.from(lines.join(CRLF) + CRLF + CRLF, 'utf8');
}

/**
 * The status line and headers of a response (see the file comment). `stored`: the body the record holds, as
 * received (`encoded`: Content-Encoding kept) or decoded (Content-Encoding renamed); null for a revisit (no body).
 */
export function httpResponseHead(
  status: number,
  headers: Array<[string, string]>,
  stored: { length: number; encoded: boolean } | null,
): Buffer {
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}`];
  for (const [k, v] of headers) {
    const lower = k.toLowerCase();
    const renamed =
      stored !== null &&
      ((lower === 'content-encoding' && !stored.encoded) ||
        lower === 'transfer-encoding' ||
        lower === 'content-length');
    lines.push(`${renamed ? `x-archive-orig-${lower}` : k}: ${oneLine(v)}`);
  }
  if (stored !== null) lines.push(`content-length: ${stored.length}`);
  return Buffer.from(lines.join(CRLF) + CRLF + CRLF, 'latin1');
}
