/** WHATWG Encoding "get an encoding": label → canonical encoding name, via TextDecoder's own label table. */

/** A canonical WHATWG encoding name (e.g. "utf-8", "windows-1252", "gbk", "shift_jis"). */
export type Encoding = string;

// TextDecoder cannot construct these two, so they are named here.
const REPLACEMENT_LABELS = new Set([
  'csiso2022kr',
  'hz-gb-2312',
  'iso-2022-cn',
  'iso-2022-cn-ext',
  'iso-2022-kr',
  'replacement',
]);

const cache = new Map<string, Encoding | null>();

/** The encoding for a label, or null when the label is unknown (or unsupported by this runtime). */
export function getEncoding(label: string): Encoding | null {
  const key = label.trim().toLowerCase();
  if (key === '') return null;
  let found = cache.get(key);
  if (found !== undefined) return found;
  if (REPLACEMENT_LABELS.has(key)) found = 'replacement';
  else if (key === 'x-user-defined') found = 'x-user-defined';
  else {
    try {
      found = new TextDecoder(key).encoding;
    } catch {
      found = null;
    }
  }
  if (cache.size < 1000) cache.set(key, found);
  return found;
}

// windows-1252 bytes 0x80–0x9F. Decoded by hand: Node 20's TextDecoder('windows-1252') decodes them as
// latin1 C1 controls (no euro sign, no curly quotes).
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function decodeWindows1252(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)
    .toString('latin1')
    .replace(/[\x80-\x9f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]);
}

/** Decodes with an encoding from getEncoding; malformed bytes become U+FFFD. */
export function decodeWith(encoding: Encoding, bytes: Uint8Array): string {
  if (encoding === 'windows-1252') return decodeWindows1252(bytes);
  if (encoding === 'replacement') return bytes.length ? '\uFFFD' : '';
  if (encoding === 'x-user-defined') {
    let out = '';
    for (const b of bytes) out += String.fromCharCode(b < 0x80 ? b : 0xf780 + b - 0x80);
    return out;
  }
  let decoder = decoders.get(encoding);
  if (decoder === undefined) {
    decoder = new TextDecoder(encoding, { ignoreBOM: true });
    decoders.set(encoding, decoder);
  }
  return decoder.decode(bytes);
}

/** One decoder per encoding: a decode call without `stream` starts from a clean state every time. */
const decoders = new Map<string, TextDecoder>();
