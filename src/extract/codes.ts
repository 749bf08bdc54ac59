/**
 * A string's UTF-16 code units as a Uint16Array, for the loops that read a page character by character (the
 * tokenizer, the audit's visible text): reading an element costs about half of a `charCodeAt`, which checks the
 * string's representation on every call. Writing the codes is one copy in native code (~5 µs per 100 K
 * characters) into an array kept from page to page: a fresh one per page would cost more in page faults than the
 * copy itself.
 */
import { Buffer } from 'node:buffer';

/** Whether a Uint16Array's layout is UTF-16LE (the machines Node runs on are little-endian; else a plain loop). */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * Arrays up to this many codes (8 MB) are kept for the next string; a longer string's lives only while it is read.
 * A page given as text is one string (a UTF-8 page read as bytes comes in pieces of at most 120 K, page-text.ts),
 * and a fresh array of a few MB costs milliseconds in page faults.
 */
const KEEP_MAX = 1 << 22;

export class Codes {
  /** The array kept from string to string. */
  private kept = new Uint16Array(0);
  /** The string last given, and the array holding its codes (`kept`, or one of its own for a long string). */
  private of = '';
  private last = this.kept;

  /** The codes of `s` (the array may be longer: read only below `s.length`), valid until `get` is given another string. */
  get(s: string): Uint16Array {
    if (s === this.of) return this.last;
    let to = this.kept;
    if (to.length < s.length) {
      to = new Uint16Array(Math.max(s.length, Math.min(to.length * 2, KEEP_MAX)));
      if (to.length <= KEEP_MAX) this.kept = to;
    }
    if (LITTLE_ENDIAN) Buffer.from(to.buffer, to.byteOffset, s.length * 2).write(s, 0, 'utf16le');
    else for (let i = 0; i < s.length; i++) to[i] = s.charCodeAt(i);
    this.of = s;
    this.last = to;
    return to;
  }

  /** Forgets the string and a long string's array (neither is kept alive); the next `get` writes its codes anew. */
  release(): void {
    this.of = '';
    this.last = this.kept;
  }
}

/** The codes of the piece the tokenizer is reading (tokenizer.ts), shared with the scan reading the same piece. */
export const pieceCodes = new Codes();
