/**
 * Tag and attribute names as shared lowercase strings, read straight from the page text: no slice,
 * no lowercasing and no new string per tag once a name has been seen, and the names the scan
 * compares against are the very string literals it compares with (fast property and set lookups).
 */

/**
 * Names seen so far: an open-addressing table (hash, index + 1 into `names`), bounded so a page of random
 * names cannot grow it without end. Each name carries a number set by knownNames (the link emulation's
 * tree-construction info), read back through lastInfo() after nameAt, without a second lookup.
 */
const MAX_NAMES = 4096;
const SLOTS = 16384;
const MASK = SLOTS - 1;
const slotHash = new Int32Array(SLOTS);
const slotName = new Int32Array(SLOTS);
const names: string[] = [];
const infos: number[] = [];
let last = 0;

/**
 * A direct-mapped cache in front of the table, by length, first and last letter: names index + 1 of the name
 * last seen there. A page uses a few dozen names, so most lookups are one comparison with the cached name,
 * without hashing the name or probing the (much larger) table.
 */
const CACHE_SIZE = 1024;
const cache = new Int32Array(CACHE_SIZE);

function cacheKey(html: string, start: number, end: number): number {
  const len = end - start;
  return (
    ((len << 6) ^ ((html.charCodeAt(start) | 0x20) << 2) ^ (html.charCodeAt(end - 1) | 0x20)) &
    (CACHE_SIZE - 1)
  );
}

/** `html[start, end)` ASCII-lowercased, as a string shared with every other occurrence of the name. */
export function nameAt(html: string, start: number, end: number): string {
  if (end > start) {
    const key = cacheKey(html, start, end);
    const c = cache[key];
    if (c !== 0) {
      const s = names[c - 1];
      if (sameLower(html, start, end, s)) {
        last = infos[c - 1];
        return s;
      }
    }
    const s = lookup(html, start, end);
    const k = found;
    if (k !== 0) cache[key] = k;
    return s;
  }
  return lookup(html, start, end);
}

/** names index + 1 of the name lookup() returned last (0: not in the table). */
let found = 0;

function lookup(html: string, start: number, end: number): string {
  let h = end - start;
  for (let i = start; i < end; i++) h = (Math.imul(h, 31) + lowerCode(html.charCodeAt(i))) | 0;
  for (let i = h & MASK; ; i = (i + 1) & MASK) {
    const k = slotName[i];
    if (k === 0) break;
    if (slotHash[i] === h) {
      const s = names[k - 1];
      if (sameLower(html, start, end, s)) {
        last = infos[k - 1];
        found = k;
        return s;
      }
    }
  }
  const s = lowerAscii(html.slice(start, end));
  last = 0;
  found = 0;
  if (names.length < MAX_NAMES) {
    remember(h, s, 0);
    found = names.length;
  }
  return s;
}

/** The number knownNames gave the name nameAt returned last (0 for any other name). */
export function lastInfo(): number {
  return last;
}

/** Registers names (string literals) up front, so lookups return these very strings; `info` numbers them. */
export function knownNames(list: Iterable<string>, info: (name: string) => number = () => 0): void {
  for (const s of list) {
    let h = s.length;
    for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
    const k = names.indexOf(s);
    if (k < 0) remember(h, s, info(s));
    else infos[k] |= info(s);
  }
}

function remember(h: number, s: string, info: number): void {
  let i = h & MASK;
  while (slotName[i] !== 0) i = (i + 1) & MASK;
  names.push(s);
  infos.push(info);
  slotHash[i] = h;
  slotName[i] = names.length;
}

function lowerCode(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

function sameLower(html: string, start: number, end: number, s: string): boolean {
  if (end - start !== s.length) return false;
  for (let i = 0; i < s.length; i++)
    if (lowerCode(html.charCodeAt(start + i)) !== s.charCodeAt(i)) return false;
  return true;
}

function lowerAscii(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  }
  return s;
}

/**
 * A quick "could this be one of these names?" from the length and first letter alone, so most tags
 * (div, span, li, path...) are dismissed without reading the whole name. Names must start with a letter.
 */
export class NameFilter {
  /** Per name length: a bit per possible first letter (a-z). */
  private readonly masks = new Uint32Array(MAX_FILTER_LENGTH + 1);

  constructor(names: Iterable<string>) {
    for (const s of names) {
      if (s.length > MAX_FILTER_LENGTH) throw new Error(`name filter: ${s} is too long`);
      this.masks[s.length] |= 1 << (s.charCodeAt(0) - 0x61);
    }
  }

  /** False only when `html[start, end)` (ASCII case-insensitive) is none of the names. */
  mayBe(html: string, start: number, end: number): boolean {
    const len = end - start;
    if (len > MAX_FILTER_LENGTH) return false;
    const bit = (html.charCodeAt(start) | 0x20) - 0x61;
    return bit >= 0 && bit < 26 && (this.masks[len] & (1 << bit)) !== 0;
  }
}

const MAX_FILTER_LENGTH = 31;
