/**
 * Decodes an HTML body as browsers do (WHATWG HTML "determining the character encoding"):
 * BOM, then the Content-Type charset, then a <meta> prescan of the first 1024 bytes, then a default.
 */
import { isUtf8 as isValidUtf8 } from 'node:buffer';
import { decodeWith, type Encoding, getEncoding } from './labels.js';
import { prescanMeta } from './prescan.js';

export interface DecodedHtml {
  html: string;
  /** The encoding actually used (canonical WHATWG name). */
  encoding: Encoding;
  /** The declared label, lowercased: the Content-Type charset, else the <meta> one; null when neither. */
  declared: string | null;
}

/** The charset parameter of a Content-Type header, unquoted and lowercased; null when absent. */
export function charsetParam(header: string | null): string | null {
  if (!header) return null;
  const m = /;\s*charset\s*=\s*("([^"]*)"|[^;\s]*)/i.exec(header);
  if (!m) return null;
  const value = (m[2] ?? m[1]).trim().toLowerCase();
  return value === '' ? null : value;
}

function bom(body: Buffer): { encoding: Encoding; length: number } | null {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (body[0] === 0xfe && body[1] === 0xff) return { encoding: 'utf-16be', length: 2 };
  if (body[0] === 0xff && body[1] === 0xfe) return { encoding: 'utf-16le', length: 2 };
  return null;
}

function validUtf8(bytes: Uint8Array, allowCut: boolean): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: allowCut });
    return true;
  } catch {
    return false;
  }
}

/**
 * Valid UTF-8. A multi-byte sequence cut off at the end (a truncated body) is allowed only when complete
 * non-ASCII UTF-8 precedes it; a lone trailing lead byte is as likely to be windows-1252.
 */
export function isUtf8(body: Buffer): boolean {
  // Validation without decoding (the page is decoded once, afterwards); the decoder decides the cut case.
  if (isValidUtf8(body)) return true;
  if (!validUtf8(body, true)) return false;
  let start = body.length - 1;
  while (start > 0 && start > body.length - 4 && (body[start] & 0xc0) === 0x80) start--;
  return body.subarray(0, start).some((b) => b >= 0x80);
}

/** The encoding a body is read with, and where its text starts (after a byte order mark). */
export interface HtmlEncoding {
  encoding: Encoding;
  /** The declared label, lowercased: the Content-Type charset, else the <meta> one; null when neither. */
  declared: string | null;
  /** Length of the byte order mark to skip (0 when none). */
  bomLength: number;
}

/**
 * Without any declaration we use UTF-8 when the bytes are valid UTF-8 and windows-1252 otherwise: the
 * spec's default is locale-dependent (windows-1252 for most), but browsers' detectors (Chrome's CED,
 * Firefox's chardetng) pick UTF-8 for valid UTF-8, and non-ASCII windows-1252 text almost never is.
 */
export function htmlEncoding(body: Buffer, contentTypeHeader: string | null): HtmlEncoding {
  const headerLabel = charsetParam(contentTypeHeader);
  const headerEncoding = headerLabel === null ? null : getEncoding(headerLabel);
  // A known Content-Type charset wins over any <meta>: the prescan would only be thrown away.
  const meta = headerEncoding === null ? prescanMeta(body) : null;
  const declared = headerLabel ?? meta?.label ?? null;

  const b = bom(body);
  if (b) return { encoding: b.encoding, declared, bomLength: b.length };
  const encoding = headerEncoding ?? meta?.encoding ?? (isUtf8(body) ? 'utf-8' : 'windows-1252');
  return { encoding, declared, bomLength: 0 };
}

export function decodeHtml(body: Buffer, contentTypeHeader: string | null): DecodedHtml {
  const { encoding, declared, bomLength } = htmlEncoding(body, contentTypeHeader);
  return { html: decodeWith(encoding, body.subarray(bomLength)), encoding, declared };
}
