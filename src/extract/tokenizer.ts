/**
 * htmlparser2's Tokenizer, with the same events, made to skip runs of characters that its current
 * state would ignore. The stock tokenizer runs its state switch once per character of the page; most
 * characters (text, attribute values, tag and attribute names) change nothing until a delimiter
 * comes. Each override below handles the delimiter exactly as the stock state does and otherwise
 * moves the index to just before the next possible delimiter, so the event stream is identical
 * (test/worker/extract/tokenizer.test.ts compares the two on the corpus and on mutated pages).
 * The overridden methods are private in htmlparser2's typings; their shape is stable within 10.x.
 */
import { Tokenizer } from 'htmlparser2';

/** The tokenizer internals the fast paths read and move. */
interface Internals {
  buffer: string;
  index: number;
  offset: number;
  decodeEntities: boolean;
  stateText(c: number): void;
  handleInAttributeValue(c: number, quote: number): void;
  stateInAttributeValueNoQuotes(c: number): void;
  stateInTagName(c: number): void;
  stateInAttributeName(c: number): void;
  stateInClosingTagName(c: number): void;
}

const LT = 0x3c;
const GT = 0x3e;
const AMP = 0x26;
const EQ = 0x3d;
const SLASH = 0x2f;

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0c || c === 0x0d;
}

export class FastTokenizer extends Tokenizer {}

const base = Tokenizer.prototype as unknown as Internals;
const fast = FastTokenizer.prototype as unknown as Internals;

/** Moves the tokenizer to just before buffer position `at`: the parse loop's increment lands on it. */
function skipTo(t: Internals, at: number): void {
  t.index = at - 1 + t.offset;
}

// One loop per state, written out: a shared loop taking a predicate would not be inlined.
fast.stateText = function (this: Internals, c: number) {
  if (c === LT || c === AMP || !this.decodeEntities) return base.stateText.call(this, c);
  const b = this.buffer;
  let i = this.index - this.offset + 1;
  for (; i < b.length; i++) {
    const d = b.charCodeAt(i);
    if (d === LT || d === AMP) break;
  }
  skipTo(this, i);
};

fast.handleInAttributeValue = function (this: Internals, c: number, quote: number) {
  if (c === quote || c === AMP || !this.decodeEntities)
    return base.handleInAttributeValue.call(this, c, quote);
  const b = this.buffer;
  let i = this.index - this.offset + 1;
  for (; i < b.length; i++) {
    const d = b.charCodeAt(i);
    if (d === quote || d === AMP) break;
  }
  skipTo(this, i);
};

fast.stateInAttributeValueNoQuotes = function (this: Internals, c: number) {
  if (c === GT || c === AMP || isWs(c) || !this.decodeEntities)
    return base.stateInAttributeValueNoQuotes.call(this, c);
  const b = this.buffer;
  let i = this.index - this.offset + 1;
  for (; i < b.length; i++) {
    const d = b.charCodeAt(i);
    if (d === GT || d === AMP || isWs(d)) break;
  }
  skipTo(this, i);
};

fast.stateInTagName = function (this: Internals, c: number) {
  if (c === SLASH || c === GT || isWs(c)) return base.stateInTagName.call(this, c);
  const b = this.buffer;
  let i = this.index - this.offset + 1;
  for (; i < b.length; i++) {
    const d = b.charCodeAt(i);
    if (d === SLASH || d === GT || isWs(d)) break;
  }
  skipTo(this, i);
};

fast.stateInAttributeName = function (this: Internals, c: number) {
  if (c === EQ || c === SLASH || c === GT || isWs(c)) return base.stateInAttributeName.call(this, c);
  const b = this.buffer;
  let i = this.index - this.offset + 1;
  for (; i < b.length; i++) {
    const d = b.charCodeAt(i);
    if (d === EQ || d === SLASH || d === GT || isWs(d)) break;
  }
  skipTo(this, i);
};

fast.stateInClosingTagName = function (this: Internals, c: number) {
  if (c === GT || isWs(c)) return base.stateInClosingTagName.call(this, c);
  const b = this.buffer;
  let i = this.index - this.offset + 1;
  for (; i < b.length; i++) {
    const d = b.charCodeAt(i);
    if (d === GT || isWs(d)) break;
  }
  skipTo(this, i);
};
