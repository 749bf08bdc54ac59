/**
 * htmlparser2's Tokenizer with the same events, driven by a faster loop. The stock tokenizer runs its
 * state switch once per character, through methods that keep every variable on the object. This loop
 * keeps the position, state and section start in locals, handles the states an ordinary page spends
 * its time in (text, tags, attributes, end tags, script and style bodies) inline, and jumps over runs
 * of characters the current state ignores; a tag name, an end tag, an attribute with its quoted value are
 * each read in one step, and the commonest entities (`&quot;`, `&amp;`, `&#39;`...) and comment bodies are
 * handled inline too. Every other state (other entities, declarations, the special-tag sequences) is one call
 * to the stock state method, exactly as the stock loop does it. Characters are read from the buffer's code units
 * in a Uint16Array (codes.ts), not with `charCodeAt`: 0.95x the CPU per page, farm and corpus alike.
 * The events and their positions are identical: test/worker/extract/tokenizer.test.ts compares the
 * two on the corpus and on mutated pages, and at load a probe document is tokenized both ways; if
 * htmlparser2's internals ever differ from what this relies on, the stock loop is used instead.
 */
import { type QuoteType, Tokenizer, type TokenizerCallbacks } from 'htmlparser2';
import { pieceCodes } from './codes.js';

/** htmlparser2 10.x's internal `State` enum values. */
const TEXT = 1;
const BEFORE_TAG_NAME = 2;
const IN_TAG_NAME = 3;
const IN_SELF_CLOSING_TAG = 4;
const BEFORE_CLOSING_TAG_NAME = 5;
const IN_CLOSING_TAG_NAME = 6;
const AFTER_CLOSING_TAG_NAME = 7;
const BEFORE_ATTRIBUTE_NAME = 8;
const IN_ATTRIBUTE_NAME = 9;
const AFTER_ATTRIBUTE_NAME = 10;
const BEFORE_ATTRIBUTE_VALUE = 11;
const IN_ATTRIBUTE_VALUE_DQ = 12;
const IN_ATTRIBUTE_VALUE_SQ = 13;
const IN_COMMENT_LIKE = 21;
const BEFORE_SPECIAL_S = 22;
const BEFORE_SPECIAL_T = 23;
const SPECIAL_START_SEQUENCE = 24;
const IN_SPECIAL_TAG = 25;

/** The stock state method for each state number, called for the states not handled inline. */
const STATE_METHODS = [
  '',
  'stateText',
  'stateBeforeTagName',
  'stateInTagName',
  'stateInSelfClosingTag',
  'stateBeforeClosingTagName',
  'stateInClosingTagName',
  'stateAfterClosingTagName',
  'stateBeforeAttributeName',
  'stateInAttributeName',
  'stateAfterAttributeName',
  'stateBeforeAttributeValue',
  'stateInAttributeValueDoubleQuotes',
  'stateInAttributeValueSingleQuotes',
  'stateInAttributeValueNoQuotes',
  'stateBeforeDeclaration',
  'stateInDeclaration',
  'stateInProcessingInstruction',
  'stateBeforeComment',
  'stateCDATASequence',
  'stateInSpecialComment',
  'stateInCommentLike',
  'stateBeforeSpecialS',
  'stateBeforeSpecialT',
  'stateSpecialStartSequence',
  'stateInSpecialTag',
  'stateInEntity',
] as const;

/** The tokenizer internals the loop reads and moves (private in htmlparser2's typings). */
interface Internals {
  cbs: TokenizerCallbacks;
  state: number;
  buffer: string;
  sectionStart: number;
  index: number;
  offset: number;
  running: boolean;
  isSpecial: boolean;
  decodeEntities: boolean;
  xmlMode: boolean;
  currentSequence: Uint8Array;
  sequenceIndex: number;
  skipValue: boolean;
  parse(): void;
  cleanup(): void;
}

type StateMethod = (this: Internals, c: number) => void;

const LT = 0x3c;
const GT = 0x3e;
const AMP = 0x26;
const EQ = 0x3d;
const SLASH = 0x2f;
const DQ = 0x22;
const SQ = 0x27;
const NO_VALUE = 0 as QuoteType;
const SINGLE = 2 as QuoteType;
const DOUBLE = 3 as QuoteType;

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0c || c === 0x0d;
}

function isAlpha(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

export class FastTokenizer extends Tokenizer {
  /**
   * Set by the consumer (in onattribname) when it has no use for the current attribute's value: a quoted value is
   * then read to its closing quote in one step, its character references not decoded, so its `onattribdata` is one
   * event or more, split where the buffer ends, and it has no `onattribentity`. Every other event is as ever: a
   * reference never contains a quote, so the value ends at the same quote.
   */
  skipValue = false;
}

const stock = Tokenizer.prototype as unknown as Internals & Record<string, StateMethod>;
const step: StateMethod[] = STATE_METHODS.map((name) => (name ? stock[name] : () => {}));

/** `</title` as htmlparser2 spells it: its body decodes entities, so it is left to the stock method. */
function isTitleEnd(seq: Uint8Array): boolean {
  return seq.length === 7 && seq[2] === 0x74 && seq[3] === 0x69;
}

function fastParse(this: Internals): void {
  if (!this.decodeEntities || this.xmlMode) {
    stock.parse.call(this);
    return;
  }
  const b = this.buffer;
  const n = b.length;
  const u = pieceCodes.get(b);
  const off = this.offset;
  const cbs = this.cbs;
  let i = this.index - off;
  let state = this.state;
  let start = this.sectionStart;

  while (i < n && this.running) {
    const c = u[i];
    switch (state) {
      case TEXT:
        if (c === LT) {
          if (i + off > start) cbs.ontext(start, i + off);
          state = BEFORE_TAG_NAME;
          start = i + off;
          break;
        }
        if (c !== AMP) {
          const lt = nextOrAmp(b, u, LT, '<', i + 1, n);
          if (lt < n && u[lt] === LT) {
            // The '<' that ends the run, as above.
            if (lt + off > start) cbs.ontext(start, lt + off);
            state = BEFORE_TAG_NAME;
            start = lt + off;
            i = lt;
          } else i = lt - 1;
          break;
        }
        if (isCommonEntity(u, i, n)) {
          // What the stock decoder emits for it (emitCodePoint), without entering the decoder.
          const at = i + off;
          if (start < at) cbs.ontext(start, at);
          start = at + entityLength;
          cbs.ontextentity(entityCode, start);
          i += entityLength - 1;
          break;
        }
        i = delegate(this, i, state, start, c);
        state = this.state;
        start = this.sectionStart;
        break;

      case BEFORE_TAG_NAME:
        if (isAlpha(c)) {
          const lower = c | 0x20;
          start = i + off;
          if (lower === 0x73) state = BEFORE_SPECIAL_S;
          else if (lower === 0x74 || lower === 0x78) state = BEFORE_SPECIAL_T;
          else {
            // IN_TAG_NAME from the next character on, in this step.
            i = tagNameEnd(u, i + 1, n);
            if (i === n) {
              state = IN_TAG_NAME;
              continue;
            }
            cbs.onopentagname(start, i + off);
            start = -1;
            state = BEFORE_ATTRIBUTE_NAME;
            // The delimiter is BEFORE_ATTRIBUTE_NAME's input in the same step: whitespace is nothing to it.
            if (u[i] === 0x20) break;
            continue;
          }
        } else if (c === SLASH) {
          state = BEFORE_CLOSING_TAG_NAME;
          if (i + 1 < n && isAlpha(u[i + 1])) {
            // `</name`: BEFORE_CLOSING_TAG_NAME and IN_CLOSING_TAG_NAME up to the delimiter, in this step.
            start = i + 1 + off;
            i = closingTagNameEnd(u, i + 2, n);
            state = IN_CLOSING_TAG_NAME;
            if (i === n) continue;
            cbs.onclosetag(start, i + off);
            start = -1;
            state = AFTER_CLOSING_TAG_NAME;
            if (u[i] === GT) {
              // AFTER_CLOSING_TAG_NAME at the '>', as the stock method does it in the same step.
              state = TEXT;
              start = i + 1 + off;
              break;
            }
            continue;
          }
        } else {
          i = delegate(this, i, state, start, c);
          state = this.state;
          start = this.sectionStart;
        }
        break;

      case BEFORE_SPECIAL_S: {
        // <s...>: only `<sc` and `<st` may start <script> or <style>; every other name is read on at once.
        const lower = c | 0x20;
        if (lower === 0x63 || lower === 0x74) {
          i = delegate(this, i, state, start, c);
          state = this.state;
          start = this.sectionStart;
          break;
        }
        state = IN_TAG_NAME;
        continue;
      }

      case IN_TAG_NAME:
        i = tagNameEnd(u, i, n);
        if (i === n) continue;
        cbs.onopentagname(start, i + off);
        start = -1;
        state = BEFORE_ATTRIBUTE_NAME;
        // The delimiter is BEFORE_ATTRIBUTE_NAME's input in the same step: whitespace is nothing to it.
        if (u[i] === 0x20) break;
        continue;

      case BEFORE_ATTRIBUTE_NAME:
        if (c === GT) {
          cbs.onopentagend(i + off);
          if (this.isSpecial) {
            state = IN_SPECIAL_TAG;
            this.sequenceIndex = 0;
          } else state = TEXT;
          start = i + 1 + off;
        } else if (c === SLASH) state = IN_SELF_CLOSING_TAG;
        else if (!isWs(c)) {
          state = IN_ATTRIBUTE_NAME;
          start = i + off;
          // IN_ATTRIBUTE_NAME from the next character on, in this step.
          i = attribNameEnd(u, i + 1, n);
          if (i === n) continue;
          cbs.onattribname(start, i + off);
          start = i + off;
          state = AFTER_ATTRIBUTE_NAME;
          if (u[i] !== EQ) continue;
          state = BEFORE_ATTRIBUTE_VALUE;
          if (i + 1 === n || !this.running) break;
          const q = u[i + 1];
          if (q !== DQ && q !== SQ) break;
          // `="`: the opening quote (BEFORE_ATTRIBUTE_VALUE) and the value up to its closing quote or an '&'.
          i++;
          state = q === DQ ? IN_ATTRIBUTE_VALUE_DQ : IN_ATTRIBUTE_VALUE_SQ;
          start = i + 1 + off;
          const end = this.skipValue
            ? next(b, u, q, q === DQ ? '"' : "'", i + 1, n)
            : nextOrAmp(b, u, q, q === DQ ? '"' : "'", i + 1, n);
          if (end < n && u[end] === q) {
            i = end;
            cbs.onattribdata(start, i + off);
            start = -1;
            cbs.onattribend(q === DQ ? DOUBLE : SINGLE, i + 1 + off);
            state = BEFORE_ATTRIBUTE_NAME;
            if (i + 1 < n && u[i + 1] === 0x20 && this.running) i++; // nothing to BEFORE_ATTRIBUTE_NAME
          } else i = end - 1;
        }
        break;

      case IN_ATTRIBUTE_NAME:
        i = attribNameEnd(u, i, n);
        if (i === n) continue;
        cbs.onattribname(start, i + off);
        start = i + off;
        state = AFTER_ATTRIBUTE_NAME;
        continue;

      case AFTER_ATTRIBUTE_NAME:
        if (c === EQ) state = BEFORE_ATTRIBUTE_VALUE;
        else if (c === SLASH || c === GT) {
          cbs.onattribend(NO_VALUE, start);
          start = -1;
          state = BEFORE_ATTRIBUTE_NAME;
          continue;
        } else if (!isWs(c)) {
          cbs.onattribend(NO_VALUE, start);
          state = IN_ATTRIBUTE_NAME;
          start = i + off;
        }
        break;

      case BEFORE_ATTRIBUTE_VALUE:
        if (c === DQ) {
          state = IN_ATTRIBUTE_VALUE_DQ;
          start = i + 1 + off;
        } else if (c === SQ) {
          state = IN_ATTRIBUTE_VALUE_SQ;
          start = i + 1 + off;
        } else if (!isWs(c)) {
          i = delegate(this, i, state, start, c);
          state = this.state;
          start = this.sectionStart;
        }
        break;

      case IN_ATTRIBUTE_VALUE_DQ:
      case IN_ATTRIBUTE_VALUE_SQ: {
        const quote = state === IN_ATTRIBUTE_VALUE_DQ ? DQ : SQ;
        if (c === quote) {
          cbs.onattribdata(start, i + off);
          start = -1;
          cbs.onattribend(quote === DQ ? DOUBLE : SINGLE, i + 1 + off);
          state = BEFORE_ATTRIBUTE_NAME;
        } else if (c === AMP && !this.skipValue) {
          if (isCommonEntity(u, i, n)) {
            const at = i + off;
            if (start < at) cbs.onattribdata(start, at);
            start = at + entityLength;
            cbs.onattribentity(entityCode);
            i += entityLength - 1;
            break;
          }
          i = delegate(this, i, state, start, c);
          state = this.state;
          start = this.sectionStart;
        } else {
          const end = this.skipValue
            ? next(b, u, quote, quote === DQ ? '"' : "'", i + 1, n)
            : nextOrAmp(b, u, quote, quote === DQ ? '"' : "'", i + 1, n);
          if (end < n && u[end] === quote) {
            // The closing quote, as above.
            i = end;
            cbs.onattribdata(start, i + off);
            start = -1;
            cbs.onattribend(quote === DQ ? DOUBLE : SINGLE, i + 1 + off);
            state = BEFORE_ATTRIBUTE_NAME;
            if (i + 1 < n && u[i + 1] === 0x20 && this.running) i++; // nothing to BEFORE_ATTRIBUTE_NAME
          } else i = end - 1;
        }
        break;
      }

      case IN_SELF_CLOSING_TAG:
        if (c === GT) {
          cbs.onselfclosingtag(i + off);
          state = TEXT;
          start = i + 1 + off;
          this.isSpecial = false;
        } else if (!isWs(c)) {
          state = BEFORE_ATTRIBUTE_NAME;
          continue;
        }
        break;

      case BEFORE_CLOSING_TAG_NAME:
        if (isAlpha(c)) {
          state = IN_CLOSING_TAG_NAME;
          start = i + off;
        } else {
          i = delegate(this, i, state, start, c);
          state = this.state;
          start = this.sectionStart;
        }
        break;

      case IN_CLOSING_TAG_NAME:
        i = closingTagNameEnd(u, i, n);
        if (i === n) continue;
        cbs.onclosetag(start, i + off);
        start = -1;
        state = AFTER_CLOSING_TAG_NAME;
        continue;

      case AFTER_CLOSING_TAG_NAME: {
        const gt = c === GT ? i : next(b, u, GT, '>', i + 1, n);
        if (gt === n) i = n - 1;
        else {
          i = gt;
          state = TEXT;
          start = i + 1 + off;
        }
        break;
      }

      case IN_COMMENT_LIKE: {
        // Comment and CDATA bodies: the stock method reads on to the end sequence's first character one
        // character at a time (fastForwardTo); this jumps there as `next` does.
        const first = this.currentSequence[0];
        if (this.sequenceIndex === 0 && c !== first) {
          i = jumpToSequence(this, b, u, first, first === 0x2d ? '-' : String.fromCharCode(first), i, n);
          break;
        }
        i = delegate(this, i, state, start, c);
        state = this.state;
        start = this.sectionStart;
        break;
      }

      case IN_SPECIAL_TAG: {
        // Script and style bodies: the stock method jumps from '<' to '<'; so does this, faster. Matching the end
        // sequence (`</script`) is the stock method's too, short of its last character.
        const seq = this.currentSequence;
        const k = this.sequenceIndex;
        if (k < seq.length) {
          if ((c | 0x20) === seq[k]) {
            this.sequenceIndex = k + 1;
            break;
          }
          if (k > 0) {
            // `<` starts the sequence again (`<</script>`).
            this.sequenceIndex = c === LT ? 1 : 0;
            break;
          }
          if (!isTitleEnd(seq)) {
            i = jumpToSequence(this, b, u, LT, '<', i, n);
            break;
          }
        }
        i = delegate(this, i, state, start, c);
        state = this.state;
        start = this.sectionStart;
        break;
      }

      case SPECIAL_START_SEQUENCE: {
        // `<script`, `<style`, `<title`...: the stock method's match of a character short of the sequence's end.
        const k = this.sequenceIndex;
        if (k < this.currentSequence.length && (c | 0x20) === this.currentSequence[k]) {
          this.sequenceIndex = k + 1;
          break;
        }
        i = delegate(this, i, state, start, c);
        state = this.state;
        start = this.sectionStart;
        break;
      }

      case BEFORE_SPECIAL_T: {
        // <t...>, <x...>: only `<ti`, `<te` and `<xm` may start <title>, <textarea> or <xmp> (the stock method's
        // cases); every other name (table, td, tr...) is read on at once.
        const lower = c | 0x20;
        if (lower === 0x69 || lower === 0x65 || lower === 0x6d) {
          i = delegate(this, i, state, start, c);
          state = this.state;
          start = this.sectionStart;
          break;
        }
        state = IN_TAG_NAME;
        continue;
      }

      default:
        i = delegate(this, i, state, start, c);
        state = this.state;
        start = this.sectionStart;
    }
    i++;
  }
  this.index = i + off;
  this.state = state;
  this.sectionStart = start;
  ampBuffer = ''; // the page is not kept alive by the caches
  // The trailing text cleanup reports is read from the piece's codes (the audit's visible text): released after.
  this.cleanup();
  pieceCodes.release();
}

/** One step of the stock loop for the current character; returns the buffer position it left off at. */
function delegate(t: Internals, i: number, state: number, start: number, c: number): number {
  t.index = i + t.offset;
  t.state = state;
  t.sectionStart = start;
  step[state].call(t, c);
  return t.index - t.offset;
}

/**
 * Past `i`, on to the next `x` (the first character of the end sequence being looked for) as the stock loop would
 * reach it one character at a time: there its first character is matched (sequenceIndex 1). Without one, the
 * buffer's last position (the loop then ends and the state carries over to the next chunk).
 */
function jumpToSequence(
  t: Internals,
  b: string,
  u: Uint16Array,
  x: number,
  xs: string,
  i: number,
  n: number,
): number {
  const at = next(b, u, x, xs, i + 1, n);
  if (at === n) return n - 1;
  t.sequenceIndex = 1;
  return at;
}

/** Buffer position of the first delimiter of a tag name at or after `i` (IN_TAG_NAME's end), or `n`. */
function tagNameEnd(u: Uint16Array, i: number, n: number): number {
  while (i < n && !isEndOfTagSection(u[i])) i++;
  return i;
}

/** The same for an attribute name (IN_ATTRIBUTE_NAME's end: '=' too). */
function attribNameEnd(u: Uint16Array, i: number, n: number): number {
  for (; i < n; i++) {
    const d = u[i];
    if (d <= GT && (d === EQ || isEndOfTagSection(d))) break;
  }
  return i;
}

/** The same for an end tag's name (IN_CLOSING_TAG_NAME's end: '>' or whitespace). */
function closingTagNameEnd(u: Uint16Array, i: number, n: number): number {
  for (; i < n; i++) {
    const d = u[i];
    if (d <= GT && (d === GT || isWs(d))) break;
  }
  return i;
}

function isEndOfTagSection(c: number): boolean {
  // Names are mostly letters, all above '>': one comparison for them.
  return c <= GT && (c === SLASH || c === GT || isWs(c));
}

/** The code point and length (from the `&`) of the entity `isCommonEntity` last found. */
let entityCode = 0;
let entityLength = 0;

/**
 * Whether the `&` at `i` starts one of the commonest entities, spelt out to its `;` inside the buffer: `&quot;`,
 * `&amp;`, `&lt;`, `&gt;`, `&nbsp;`, `&#39;` and the like (a decimal or hex reference to printable ASCII). The
 * stock decoder gives each of these its code point in text and in attribute values alike, so the loop emits
 * them itself (setting entityCode, entityLength); every other `&` goes to the decoder.
 */
function isCommonEntity(u: Uint16Array, i: number, n: number): boolean {
  if (i + 3 >= n) return false;
  const c1 = u[i + 1];
  const c2 = u[i + 2];
  const c3 = u[i + 3];
  if (c1 === 0x6c || c1 === 0x67) {
    // &lt; &gt;
    if (c2 !== 0x74 || c3 !== 0x3b) return false;
    entityCode = c1 === 0x6c ? LT : GT;
    entityLength = 4;
    return true;
  }
  if (i + 4 >= n) return false;
  const c4 = u[i + 4];
  if (c1 === 0x61) {
    // &amp;
    if (c2 !== 0x6d || c3 !== 0x70 || c4 !== 0x3b) return false;
    entityCode = AMP;
    entityLength = 5;
    return true;
  }
  if (c1 === 0x23) return isAsciiReference(u, i, n, c2);
  if (i + 5 >= n || u[i + 5] !== 0x3b) return false;
  // &quot; &nbsp;
  if (c1 === 0x71 && c2 === 0x75 && c3 === 0x6f && c4 === 0x74) entityCode = DQ;
  else if (c1 === 0x6e && c2 === 0x62 && c3 === 0x73 && c4 === 0x70) entityCode = 0xa0;
  else return false;
  entityLength = 6;
  return true;
}

/** `&#` at `i`: a decimal (`&#39;`) or hex (`&#x27;`) reference of at most 3 digits to printable ASCII. */
function isAsciiReference(u: Uint16Array, i: number, n: number, c2: number): boolean {
  let j = i + 2;
  let v = 0;
  if ((c2 | 0x20) === 0x78) {
    for (j++; j < n && j <= i + 5; j++) {
      const d = u[j];
      if (d >= 0x30 && d <= 0x39) v = v * 16 + d - 0x30;
      else if ((d | 0x20) >= 0x61 && (d | 0x20) <= 0x66) v = v * 16 + (d | 0x20) - 0x57;
      else break;
    }
    if (j === i + 3) return false;
  } else {
    for (; j < n && j <= i + 4; j++) {
      const d = u[j];
      if (d >= 0x30 && d <= 0x39) v = v * 10 + d - 0x30;
      else break;
    }
    if (j === i + 2) return false;
  }
  if (j >= n || u[j] !== 0x3b || v < 0x20 || v > 0x7e) return false;
  entityCode = v;
  entityLength = j + 1 - i;
  return true;
}

/**
 * Runs longer than this are searched with `indexOf` (of the string). A call costs ~10-30 ns, a character read
 * here ~1-2 ns, yet most runs that end within a few characters end at the first: tokenizing alone, 2-8 read
 * fastest (24 was 10-25% slower on farm and corpus pages, with `charCodeAt` reads).
 */
const SHORT_RUN = 4;

/**
 * Buffer position of the next `x` (the character `xs`) at or after `from`, or `n` when there is none: a plain loop
 * over the first few characters (most runs are short: `indexOf` costs more per call than they take to read),
 * then `indexOf`, which reads long runs (script bodies, long attribute values, paragraphs) many times faster.
 */
function next(b: string, u: Uint16Array, x: number, xs: string, from: number, n: number): number {
  const stop = Math.min(from + SHORT_RUN, n);
  let i = from;
  for (; i < stop; i++) if (u[i] === x) return i;
  if (i === n) return n;
  const at = b.indexOf(xs, i);
  return at === -1 ? n : at;
}

/** The buffer and position `nextOrAmp` found the next `&` at (n: none left); `&` is rare, so it is searched once. */
let ampBuffer = '';
let ampAt = -1;

/** Buffer position of the next `x` or `&` at or after `from` (see `next`), or `n` when there is none. */
function nextOrAmp(b: string, u: Uint16Array, x: number, xs: string, from: number, n: number): number {
  const stop = Math.min(from + SHORT_RUN, n);
  let i = from;
  for (; i < stop; i++) {
    const d = u[i];
    if (d === x || d === AMP) return i;
  }
  if (i === n) return n;
  if (ampBuffer !== b || ampAt < i) {
    const a = b.indexOf('&', i);
    ampBuffer = b;
    ampAt = a === -1 ? n : a;
  }
  const at = b.indexOf(xs, i);
  const xAt = at === -1 ? n : at;
  return Math.min(xAt, ampAt);
}

/** The events of tokenizing `html` with a tokenizer class, as one string. */
export function eventLog(T: typeof Tokenizer, html: string): string {
  const out: string[] = [];
  const rec =
    (name: string) =>
    (...args: number[]) => {
      out.push(`${name}(${args.join(',')})`);
    };
  const t = new T(
    { decodeEntities: true },
    {
      onattribdata: rec('attribdata'),
      onattribentity: rec('attribentity'),
      onattribend: rec('attribend'),
      onattribname: rec('attribname'),
      oncdata: rec('cdata'),
      onclosetag: rec('closetag'),
      oncomment: rec('comment'),
      ondeclaration: rec('declaration'),
      onend: rec('end'),
      onopentagend: rec('opentagend'),
      onopentagname: rec('opentagname'),
      onprocessinginstruction: rec('pi'),
      onselfclosingtag: rec('selfclosingtag'),
      ontext: rec('text'),
      ontextentity: rec('textentity'),
    },
  );
  t.write(html);
  t.end();
  return out.join(' ');
}

/** Every state the loop handles inline, and its hand-offs to the stock methods. */
const PROBE =
  '<!DOCTYPE html><html lang=en><head><title>T &amp; t</title><meta name="a" content=\'b &lt; c\'>' +
  '<script type="x">if (a < b) { c = "</scrip" }</script><style>p{}</style ></head><body class=x>' +
  'a &copy b &notin; <p id = "1" hidden>x</p><br/><img src="i.png" / ><svg><path d="M0"/></svg>' +
  '<!-- c --><![CDATA[d]]><?pi?></ p></>< a</A\n><a href="/x?a=1&amp;b=2&quot;" rel=\'&#39;&gt;\'>L&nbsp;&#x27;</a><textarea>' +
  '<b></textarea><xmp>&amp;</xmp><tt>t</tt><sub>s</sub><x-y z>w</x-y><a b="unterminated';

// Use the fast loop only if it reproduces the stock events on the probe with this htmlparser2.
const fast = FastTokenizer.prototype as unknown as Internals;
fast.parse = fastParse;
if (eventLog(FastTokenizer, PROBE) !== eventLog(Tokenizer, PROBE)) fast.parse = stock.parse;
