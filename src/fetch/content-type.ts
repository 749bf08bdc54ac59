/** Content-type policy: which responses are HTML, and which bytes are binary whatever their label. */

/** The MIME type of a Content-Type header, lowercased without parameters; null when absent or empty. */
export function mimeType(header: string | null | undefined): string | null {
  if (!header) return null;
  const type = header.split(';')[0].trim().toLowerCase();
  return type === '' ? null : type;
}

const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);
// Labels that say nothing, so the bytes decide (MIME Sniffing: "unknown MIME type").
const UNKNOWN_TYPES = new Set(['unknown/unknown', 'application/unknown', '*/*']);

// MIME Sniffing §7.1 HTML patterns; each must be followed by a tag-terminating byte (space or ">").
const HTML_SIGNATURES = [
  '<!DOCTYPE HTML',
  '<HTML',
  '<HEAD',
  '<SCRIPT',
  '<IFRAME',
  '<H1',
  '<DIV',
  '<FONT',
  '<TABLE',
  '<A',
  '<STYLE',
  '<TITLE',
  '<B',
  '<BODY',
  '<BR',
  '<P',
  '<!--',
].map((s) => Buffer.from(s, 'latin1'));

const isWhitespace = (b: number) => b === 0x09 || b === 0x0a || b === 0x0c || b === 0x0d || b === 0x20;

/** Whether the first bytes match an HTML signature of the MIME Sniffing standard (leading whitespace skipped). */
export function sniffHtml(body: Buffer): boolean {
  let i = 0;
  while (i < body.length && isWhitespace(body[i])) i++;
  if (body[i] === 0xef && body[i + 1] === 0xbb && body[i + 2] === 0xbf) i += 3;
  return HTML_SIGNATURES.some((sig) => {
    if (i + sig.length >= body.length) return false;
    for (let k = 0; k < sig.length; k++) {
      const b = body[i + k];
      const upper = b >= 0x61 && b <= 0x7a ? b - 0x20 : b;
      if (upper !== sig[k]) return false;
    }
    const end = body[i + sig.length];
    return end === 0x20 || end === 0x3e;
  });
}

/**
 * Whether a response should be parsed as HTML: text/html or application/xhtml+xml. A missing or
 * "unknown" type is sniffed from `body` when given; without a body it counts as HTML (the caller then
 * applies `looksBinary`).
 */
export function isHtmlType(contentType: string | null, body?: Buffer): boolean {
  const type = mimeType(contentType);
  if (type === null || UNKNOWN_TYPES.has(type)) return body === undefined ? true : sniffHtml(body);
  return HTML_TYPES.has(type);
}

// Signatures of binary formats whose first bytes may all be printable (MIME Sniffing §6).
const BINARY_SIGNATURES = [
  '%PDF-',
  '%!PS-Adobe-',
  'GIF87a',
  'GIF89a',
  '\x89PNG\r\n\x1a\n',
  '\xff\xd8\xff',
  'PK\x03\x04',
  '\x1f\x8b\x08',
  'Rar!\x1a\x07',
  '7z\xbc\xaf\x27\x1c',
  '\x00asm',
  '\x7fELF',
  'OggS\x00',
  '\x1aE\xdf\xa3',
  'wOFF',
  'wOF2',
].map((s) => Buffer.from(s, 'latin1'));

// MIME Sniffing "binary data byte": 0x00–0x08, 0x0B, 0x0E–0x1A, 0x1C–0x1F.
const isBinaryByte = (b: number) =>
  b <= 0x08 || b === 0x0b || (b >= 0x0e && b <= 0x1a) || (b >= 0x1c && b <= 0x1f);

/**
 * Whether the first 512 bytes are binary: a known binary signature, or any binary data byte unless a
 * UTF-16 or UTF-8 BOM says the bytes are text.
 */
export function looksBinary(body: Buffer): boolean {
  const n = Math.min(body.length, 512);
  for (const sig of BINARY_SIGNATURES) if (n >= sig.length && startsWith(body, sig)) return true;
  if ((body[0] === 0xfe && body[1] === 0xff) || (body[0] === 0xff && body[1] === 0xfe)) return false;
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return false;
  for (let i = 0; i < n; i++) if (isBinaryByte(body[i])) return true;
  return false;
}

function startsWith(body: Buffer, sig: Buffer): boolean {
  for (let i = 0; i < sig.length; i++) if (body[i] !== sig[i]) return false;
  return true;
}
