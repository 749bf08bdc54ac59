/**
 * The site-audit fields of a page (issue 16), gathered during the streaming scan (scan.ts calls into
 * `AuditCounter`) and finished here from the scan: heading, title and canonical counts, images without
 * alt, and the visible text's word count, exact hash and SimHash fingerprint.
 *
 * Visible text, the rule: every text node of the document except the content of <script>, <style>,
 * <template>, <noscript>, <title> (HTML or SVG), <iframe>, <noembed> and <noframes>; comments and attribute
 * values (alt, title, ...) are not text. CSS is not applied (`hidden`, `display:none` text counts).
 * Words: maximal runs of characters other than ASCII whitespace and U+00A0 (no-break space, written or as
 * an entity) within one text node: every tag and comment ends a word (so `<li>a</li><li>b</li>` is two
 * words and `<b>wo</b>rd` is two as well). Punctuation-only runs count as words.
 *
 * Hashes are over the words, ASCII letters folded to lowercase, each word as its UTF-16 code units (a
 * character reference as the character it stands for): the same page gives the same hashes whether it was
 * scanned as text or as UTF-8 bytes (see scan.ts; byte runs are decoded first). `textHash` is an
 * exact hash of the word sequence (each word a 32-bit FNV-1a hash, combined in two lanes: 16 hex digits); `simhash` is a 64-bit
 * SimHash over 3-word shingles (every word's shingle of it and the two words before it; a page of one or
 * two words has one shingle), as a signed 64-bit integer so SQLite can compare fingerprints with bit
 * operators. Pages without words have word_count 0 and null hashes.
 */
import type { AuditFields } from '../types.js';
import type { Scan } from './scan.js';
import { collapse, tokens } from './text.js';

const FNV_PRIME = 0x01000193;
const SEED_A = 0x811c9dc5;
const SEED_B = 0x2f3c8e1b;
const MIX = 0x5bd1e995;
const WA = 0;
const TA = 1;
const TB = 2;
const P1A = 3;
const P1B = 4;
const P2A = 5;
const P2B = 6;

/** Counts and hashes fed by the scan; one per scanned page. */
export class AuditCounter {
  titleCount = 0;
  h1Count = 0;
  imgCount = 0;
  imgMissingAlt = 0;
  wordCount = 0;

  /** True when the next character starts a new word (a tag or whitespace came before). */
  private gap = true;
  /**
   * The hash state, in an Int32Array: 32-bit values do not fit V8's small integers, so as object fields every
   * store would box a number. WA: the current word's FNV-1a hash; TA, TB: the exact text hash lanes; P1*, P2*:
   * the two words before the current one (for shingles).
   */
  private readonly h = Int32Array.of(SEED_A, SEED_A, SEED_B, 0, 0, 0, 0);
  /** How many shingles set each of the 64 bits (0-31 the low lane, 32-63 the high), flushed from `packed`. */
  private readonly ones = new Float64Array(64);
  /** Per hash byte, 8 six-bit counters packed in one number (see PACK); flushed every 63 shingles. */
  private readonly packed = new Float64Array(8);
  private pending = 0;
  /** The page position of `s[0]` in the current `text` call (for `decode`, which takes page positions). */
  private base = 0;

  /**
   * `decode` is given when `text()` reads UTF-8 bytes (a latin1 view's codes): it decodes a byte range of the
   * page; without it the ranges are UTF-16 text.
   */
  constructor(private readonly decode: ((start: number, end: number) => string) | null = null) {}

  /** A tag, comment or other markup: the word in progress ends. */
  boundary(): void {
    if (!this.gap) this.endWord();
  }

  /**
   * Visible text `s[start, end)`, code units of the page (codes.ts: read faster than with `charCodeAt`) where
   * `s[0]` is the page's character `base`. One pass, hashing as it reads: runs of ASCII word characters (the bulk
   * of a page's text) in a tight inner loop, whitespace ending a word, and non-ASCII characters one by one (UTF-16
   * units as they are; in a UTF-8 byte view, decoded in place, see `utf8Run`).
   */
  text(s: Uint16Array, start: number, end: number, base = 0): void {
    let i = start;
    if (this.gap && i >= 0) {
      // Whitespace after markup or whitespace: nothing to hash. Whitespace-only text nodes (indentation, close
      // to half of a page's text nodes) end here, in a call small enough to be inlined into the scan's.
      while (i < end) {
        const c = s[i];
        if (c !== 0x20 && (c > 0x20 || FOLD[c] >= 0)) break;
        i++;
      }
      if (i === end) return;
    }
    this.words(s, i, end, base);
  }

  /** `text` from `i` on, where the whitespace after markup has been passed over. */
  private words(s: Uint16Array, i: number, end: number, base: number): void {
    this.base = base;
    let gap = this.gap;
    const h = this.h;
    const p = this.packed;
    // The hash state stays in locals over the text: the word's hash from here, the rest (text hash lanes, the
    // two words before, the packed SimHash counters) from the first word that ends (`loaded`); stored back
    // before any call that reads it, and at the end.
    let wa = h[WA];
    // htmlparser2 can report trailing text from -1 (an unfinished tag at the end): a position before the text
    // reads as NaN, which has always hashed as the code unit 0 in a word.
    for (; i < 0 && i < end; i++) {
      if (gap) {
        gap = false;
        wa = SEED_A;
      }
      wa = Math.imul(wa, FNV_PRIME);
    }
    let loaded = false;
    let words = 0;
    let ta = 0;
    let tb = 0;
    let p1a = 0;
    let p1b = 0;
    let p2a = 0;
    let p2b = 0;
    let q0 = 0;
    let q1 = 0;
    let q2 = 0;
    let q3 = 0;
    let q4 = 0;
    let q5 = 0;
    let q6 = 0;
    let q7 = 0;
    let pending = 0;
    while (i < end) {
      let c = s[i];
      if (c < 0x80) {
        let f = FOLD[c];
        if (f >= 0) {
          if (gap) {
            gap = false;
            wa = SEED_A;
          }
          // A run of ASCII characters other than whitespace: one word, or the start of one.
          for (;;) {
            wa = Math.imul(wa ^ f, FNV_PRIME);
            if (++i === end) break;
            c = s[i];
            if (c >= 0x80) break;
            f = FOLD[c];
            if (f < 0) break;
          }
          // The text or the ASCII run ends inside the word: it goes on (or ends at the next boundary).
          if (f >= 0 || i === end) continue;
        }
        // Whitespace at i: the word in progress ends (`endWord` and `shingle`, inline).
        if (!gap) {
          gap = true;
          if (!loaded) {
            words = this.wordCount;
            ta = h[TA];
            tb = h[TB];
            p1a = h[P1A];
            p1b = h[P1B];
            p2a = h[P2A];
            p2b = h[P2B];
            q0 = p[0];
            q1 = p[1];
            q2 = p[2];
            q3 = p[3];
            q4 = p[4];
            q5 = p[5];
            q6 = p[6];
            q7 = p[7];
            pending = this.pending;
            loaded = true;
          }
          const a = fmix(wa);
          const b = fmix(wa ^ 0x9e3779b9);
          words++;
          ta = Math.imul(ta ^ a, FNV_PRIME) ^ (ta >>> 13);
          tb = Math.imul(tb ^ b, MIX) ^ (tb >>> 17);
          if (words >= 3) {
            const lo = fmix(Math.imul(p2a, 31) ^ Math.imul(p1a, 0x2c1b3c6d) ^ a);
            const hi = fmix(Math.imul(p2b, 17) ^ Math.imul(p1b, 0x297a2d39) ^ b);
            q0 += PACK[lo & 0xff];
            q1 += PACK[(lo >>> 8) & 0xff];
            q2 += PACK[(lo >>> 16) & 0xff];
            q3 += PACK[lo >>> 24];
            q4 += PACK[hi & 0xff];
            q5 += PACK[(hi >>> 8) & 0xff];
            q6 += PACK[(hi >>> 16) & 0xff];
            q7 += PACK[hi >>> 24];
            if (++pending === 63) {
              p[0] = q0;
              p[1] = q1;
              p[2] = q2;
              p[3] = q3;
              p[4] = q4;
              p[5] = q5;
              p[6] = q6;
              p[7] = q7;
              this.flush();
              q0 = q1 = q2 = q3 = q4 = q5 = q6 = q7 = 0;
              pending = 0;
            }
          }
          p2a = p1a;
          p2b = p1b;
          p1a = a;
          p1b = b;
        }
        // The whitespace run (a page's visible text is mostly indentation: two thirds of the corpus pages'
        // visible characters), in a loop of its own.
        while (++i < end) {
          c = s[i];
          if (c !== 0x20 && (c > 0x20 || FOLD[c] >= 0)) break;
        }
        continue;
      }
      // Non-ASCII. The common cases inline: a UTF-16 unit other than U+00A0, or in a UTF-8 byte view a
      // well-formed 2- or 3-byte sequence of one (as `utf8Run` decodes it; it takes the run on from there).
      if (this.decode === null) {
        if (c !== 0xa0) {
          if (gap) {
            gap = false;
            wa = SEED_A;
          }
          wa = Math.imul(wa ^ c, FNV_PRIME);
          i++;
          continue;
        }
      } else if (c >= 0xc2 && c <= 0xef && i + 1 < end) {
        const b1 = s[i + 1];
        let u = -1;
        let len = 2;
        if (c <= 0xdf) {
          if ((b1 & 0xc0) === 0x80) u = ((c & 0x1f) << 6) | (b1 & 0x3f);
        } else if (i + 2 < end && b1 >= (c === 0xe0 ? 0xa0 : 0x80) && b1 <= (c === 0xed ? 0x9f : 0xbf)) {
          const b2 = s[i + 2];
          if ((b2 & 0xc0) === 0x80) {
            u = ((c & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f);
            len = 3;
          }
        }
        if (u > 0xa0) {
          if (gap) {
            gap = false;
            wa = SEED_A;
          }
          wa = Math.imul(wa ^ u, FNV_PRIME);
          i += len;
          continue;
        }
      }
      // The rest (U+00A0, other UTF-8): the state goes back to the fields around the calls that update it.
      h[WA] = wa;
      this.gap = gap;
      if (loaded) {
        this.wordCount = words;
        h[TA] = ta;
        h[TB] = tb;
        h[P1A] = p1a;
        h[P1B] = p1b;
        h[P2A] = p2a;
        h[P2B] = p2b;
        p[0] = q0;
        p[1] = q1;
        p[2] = q2;
        p[3] = q3;
        p[4] = q4;
        p[5] = q5;
        p[6] = q6;
        p[7] = q7;
        this.pending = pending;
        loaded = false;
      }
      if (this.decode !== null) {
        // UTF-8 bytes: the run of non-ASCII bytes, read as the whole page's decoding reads it.
        i = this.utf8Run(s, i, end);
      } else {
        this.char(c);
        i++;
      }
      wa = h[WA];
      gap = this.gap;
    }
    h[WA] = wa;
    this.gap = gap;
    if (loaded) {
      this.wordCount = words;
      h[TA] = ta;
      h[TB] = tb;
      h[P1A] = p1a;
      h[P1B] = p1b;
      h[P2A] = p2a;
      h[P2B] = p2b;
      p[0] = q0;
      p[1] = q1;
      p[2] = q2;
      p[3] = q3;
      p[4] = q4;
      p[5] = q5;
      p[6] = q6;
      p[7] = q7;
      this.pending = pending;
    }
  }

  /**
   * The run of non-ASCII bytes from `i` (a UTF-8 view: one char per byte) up to the next ASCII byte or `end`,
   * as UTF-16 units of the text; returns where the run ends. Well-formed sequences are decoded here (no string
   * made); from the first ill-formed one on, the rest of the run is decoded by `decode`, as the whole page's
   * decoding would do it (an ASCII byte is never inside a sequence, so invalid bytes become the same U+FFFD
   * either way, and a well-formed prefix decodes the same alone).
   */
  private utf8Run(s: Uint16Array, i: number, end: number): number {
    while (i < end) {
      const b0 = s[i];
      if (b0 < 0x80) return i;
      let cp = -1;
      let len = 1;
      if (b0 >= 0xc2 && b0 <= 0xdf) {
        const b1 = i + 1 < end ? s[i + 1] : 0;
        if ((b1 & 0xc0) === 0x80) {
          cp = ((b0 & 0x1f) << 6) | (b1 & 0x3f);
          len = 2;
        }
      } else if (b0 >= 0xe0 && b0 <= 0xef) {
        const b1 = i + 1 < end ? s[i + 1] : 0;
        const b2 = i + 2 < end ? s[i + 2] : 0;
        const lo = b0 === 0xe0 ? 0xa0 : 0x80;
        const hi = b0 === 0xed ? 0x9f : 0xbf;
        if (b1 >= lo && b1 <= hi && (b2 & 0xc0) === 0x80) {
          cp = ((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f);
          len = 3;
        }
      } else if (b0 >= 0xf0 && b0 <= 0xf4) {
        const b1 = i + 1 < end ? s[i + 1] : 0;
        const b2 = i + 2 < end ? s[i + 2] : 0;
        const b3 = i + 3 < end ? s[i + 3] : 0;
        const lo = b0 === 0xf0 ? 0x90 : 0x80;
        const hi = b0 === 0xf4 ? 0x8f : 0xbf;
        if (b1 >= lo && b1 <= hi && (b2 & 0xc0) === 0x80 && (b3 & 0xc0) === 0x80) {
          cp = ((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f);
          len = 4;
        }
      }
      if (cp === -1) {
        // Ill-formed: the rest of the run as the decoder reads it.
        let j = i + 1;
        while (j < end && s[j] >= 0x80) j++;
        const t = this.decode!(i + this.base, j + this.base);
        for (let k = 0; k < t.length; k++) this.char(t.charCodeAt(k));
        return j;
      }
      if (cp < 0x10000) this.char(cp);
      else {
        this.char(0xd800 + ((cp - 0x10000) >> 10));
        this.char(0xdc00 + ((cp - 0x10000) & 0x3ff));
      }
      i += len;
    }
    return i;
  }

  /** One non-ASCII UTF-16 unit of visible text (U+00A0 is a space; nothing else is folded). */
  private char(u: number): void {
    if (u === 0xa0) {
      if (!this.gap) this.endWord();
    } else this.unit(u);
  }

  /** A character reference in visible text. */
  entity(cp: number): void {
    if (cp === 0x20 || cp === 0x0a || cp === 0x09 || cp === 0x0d || cp === 0x0c || cp === 0xa0) {
      if (!this.gap) this.endWord();
    } else if (cp < 0x10000) this.unit(cp >= 0x41 && cp <= 0x5a ? cp | 0x20 : cp);
    else {
      // As UTF-16, like the same character written as is.
      this.unit(0xd800 + ((cp - 0x10000) >> 10));
      this.unit(0xdc00 + ((cp - 0x10000) & 0x3ff));
    }
  }

  /** One UTF-16 code unit of a word. */
  private unit(u: number): void {
    if (this.gap) {
      this.gap = false;
      this.h[WA] = SEED_A;
    }
    this.h[WA] = Math.imul(this.h[WA] ^ u, FNV_PRIME);
  }

  private endWord(): void {
    this.gap = true;
    // A word is its 32-bit FNV-1a hash; the second lane is derived from it (distinct words collide 1 in 2^32).
    const a = fmix(this.h[WA]);
    const b = fmix(this.h[WA] ^ 0x9e3779b9);
    this.wordCount++;
    this.h[TA] = Math.imul(this.h[TA] ^ a, FNV_PRIME) ^ (this.h[TA] >>> 13);
    this.h[TB] = Math.imul(this.h[TB] ^ b, MIX) ^ (this.h[TB] >>> 17);
    if (this.wordCount >= 3) this.shingle(a, b);
    this.h[P2A] = this.h[P1A];
    this.h[P2B] = this.h[P1B];
    this.h[P1A] = a;
    this.h[P1B] = b;
  }

  /** Adds the shingle (word-2, word-1, word) ending with the word whose lanes are `a`, `b` (inline in `text`). */
  private shingle(a: number, b: number): void {
    const lo = fmix(Math.imul(this.h[P2A], 31) ^ Math.imul(this.h[P1A], 0x2c1b3c6d) ^ a);
    const hi = fmix(Math.imul(this.h[P2B], 17) ^ Math.imul(this.h[P1B], 0x297a2d39) ^ b);
    // Eight table lookups instead of 64 counter updates: each byte's bits land in six-bit fields.
    const p = this.packed;
    p[0] += PACK[lo & 0xff];
    p[1] += PACK[(lo >>> 8) & 0xff];
    p[2] += PACK[(lo >>> 16) & 0xff];
    p[3] += PACK[lo >>> 24];
    p[4] += PACK[hi & 0xff];
    p[5] += PACK[(hi >>> 8) & 0xff];
    p[6] += PACK[(hi >>> 16) & 0xff];
    p[7] += PACK[hi >>> 24];
    if (++this.pending === 63) this.flush();
  }

  /** Moves the packed counts into `ones` (a six-bit field holds at most 63). */
  private flush(): void {
    const p = this.packed;
    const ones = this.ones;
    for (let k = 0; k < 8; k++) {
      // 48 bits: the low 24 (fields 0-3) and the high 24 (fields 4-7) as integers, without a division per field.
      const v = p[k];
      const high = Math.floor(v / 0x1000000);
      const low = v - high * 0x1000000;
      const o = k * 8;
      ones[o] += low & 63;
      ones[o + 1] += (low >>> 6) & 63;
      ones[o + 2] += (low >>> 12) & 63;
      ones[o + 3] += low >>> 18;
      ones[o + 4] += high & 63;
      ones[o + 5] += (high >>> 6) & 63;
      ones[o + 6] += (high >>> 12) & 63;
      ones[o + 7] += high >>> 18;
      p[k] = 0;
    }
    this.pending = 0;
  }

  /** Ends the text; the fingerprints, or nulls when the page has no words. */
  finish(): { wordCount: number; textHash: string | null; simhash: string | null } {
    if (!this.gap) this.endWord();
    if (this.wordCount === 0) return { wordCount: 0, textHash: null, simhash: null };
    // Every word from the third on ended a shingle; a page of fewer than 3 words still gets one.
    const shingles = this.wordCount >= 3 ? this.wordCount - 2 : 1;
    if (this.wordCount < 3) this.shingle(this.h[P1A], this.h[P1B]);
    this.flush();
    let lo = 0;
    let hi = 0;
    // A bit is set when more than half of the shingles set it (the SimHash sum of +1/-1 is positive).
    for (let j = 0; j < 32; j++) {
      if (this.ones[j] * 2 > shingles) lo |= 1 << j;
      if (this.ones[j + 32] * 2 > shingles) hi |= 1 << j;
    }
    const simhash = BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)).toString();
    const textHash = hex8(fmix(this.h[TA] ^ this.wordCount)) + hex8(fmix(this.h[TB]));
    return { wordCount: this.wordCount, textHash, simhash };
  }
}

/** Per ASCII code: -1 for whitespace, else the code with A-Z folded to lowercase. */
const FOLD = new Int16Array(128);
for (let c = 0; c < 128; c++)
  FOLD[c] =
    c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d || c === 0x0c
      ? -1
      : c >= 0x41 && c <= 0x5a
        ? c | 0x20
        : c;

/** For each byte value, its 8 bits as 8 six-bit fields of one number (bit j in field j: 64^j). */
const PACK = new Float64Array(256);
for (let v = 0; v < 256; v++) {
  let x = 0;
  for (let j = 7; j >= 0; j--) x = x * 64 + ((v >> j) & 1);
  PACK[v] = x;
}

/** murmur3's 32-bit finalizer. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/** The audit fields of a scanned page; `headers` are the response headers (lowercase names). */
export function auditFields(s: Scan, headers: Record<string, string> | undefined): AuditFields {
  const c = s.audit;
  const text = c.finish();
  let canonicalCount = 0;
  for (const l of s.linkEls) if (tokens(l.rel).includes('canonical')) canonicalCount++;
  const xrt = headers?.['x-robots-tag'];
  return {
    h1: s.h1 === null ? null : collapse(s.h1),
    h1Count: c.h1Count,
    titleCount: c.titleCount,
    canonicalCount,
    wordCount: text.wordCount,
    textHash: text.textHash,
    simhash: text.simhash,
    imgCount: c.imgCount,
    imgMissingAlt: c.imgMissingAlt,
    xRobotsTag: typeof xrt === 'string' && xrt.trim() !== '' ? xrt.trim() : null,
  };
}

/** Audit fields of a page that could not be scanned. */
export function emptyAuditFields(): AuditFields {
  return {
    h1: null,
    h1Count: 0,
    titleCount: 0,
    canonicalCount: 0,
    wordCount: 0,
    textHash: null,
    simhash: null,
    imgCount: 0,
    imgMissingAlt: 0,
    xRobotsTag: null,
  };
}
