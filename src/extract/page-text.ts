/**
 * The page as the scan reads it, one piece at a time: the page's text in one piece, or, for a UTF-8 page read
 * as bytes, its latin1 view in pieces of at most `PIECE` characters. A string over 128 KB is a large object to
 * V8: each one is allocated in fresh memory, and filling it costs about 1 µs per KB in page faults (a 250 KB
 * page's view took 0.25 ms, more than a fifth of its whole extraction), where a smaller string costs 0.07 µs
 * per KB. Half of the real pages in the test corpus are larger than that.
 *
 * A piece ends before a `<` where it can (so a tag, a name or an attribute seldom spans two pieces), else
 * before the last ASCII byte (never inside a UTF-8 sequence: an ASCII byte always starts a character). The
 * tokenizer reads the pieces as a stream (htmlparser2's `write` per piece: positions stay page positions);
 * a range that starts in an earlier piece is read with `slice`.
 */
import type { Buffer } from 'node:buffer';
import { latin1Of } from './bytes.js';

/** Below V8's large-object size (128 KB of one-byte characters) with room to spare. */
export const PIECE = 120_000;

export class PageText {
  /** The piece being read, and the page position of its first character. */
  cur = '';
  base = 0;
  /** The page position where the next piece starts. */
  private at = 0;
  private done = false;

  private constructor(
    /** The whole page as one string (text), or null when read from `bytes` in pieces. */
    private readonly whole: string | null,
    private readonly bytes: Buffer | null,
    /** Characters in the page (its bytes for a latin1 view). */
    readonly length: number,
    private readonly piece: number,
  ) {}

  /** A page given as text: one piece. */
  static of(html: string): PageText {
    return new PageText(html, null, html.length, html.length);
  }

  /** The latin1 view of `bytes`, in pieces of at most `piece` characters (tests make them small). */
  static latin1(bytes: Buffer, piece = PIECE): PageText {
    return new PageText(null, bytes, bytes.length, Math.max(1, piece));
  }

  /** Moves on to the next piece; false when the page has been read (an empty page is one empty piece). */
  next(): boolean {
    if (this.done) return false;
    const start = this.at;
    let end = this.length;
    if (this.whole !== null) this.cur = this.whole;
    else {
      const bytes = this.bytes!;
      if (end - start > this.piece) {
        end = start + this.piece;
        const lt = bytes.lastIndexOf(0x3c, end);
        if (lt > start) end = lt;
        else {
          let i = end;
          while (i > start && bytes[i] >= 0x80) i--;
          if (i === start) {
            // No ASCII byte in the piece's reach: on to the end of the run of non-ASCII bytes, never a split
            // character.
            i = end;
            while (i < this.length && bytes[i] >= 0x80) i++;
          }
          end = i;
        }
      }
      this.cur = latin1Of(bytes, start, end);
    }
    this.base = start;
    this.at = end;
    this.done = end >= this.length;
    return true;
  }

  /** The page's characters [start, end), as String.prototype.slice reads them on the whole page. */
  slice(start: number, end: number): string {
    if (this.whole !== null) return this.whole.slice(start, end);
    const len = this.length;
    if (start < 0) start = Math.max(len + start, 0);
    else if (start > len) start = len;
    if (end < 0) end = Math.max(len + end, 0);
    else if (end > len) end = len;
    if (start >= end) return '';
    const base = this.base;
    if (start >= base && end <= base + this.cur.length) return this.cur.slice(start - base, end - base);
    return latin1Of(this.bytes!, start, end);
  }
}
