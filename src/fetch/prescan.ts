/**
 * The WHATWG HTML "prescan a byte stream to determine its encoding" algorithm over the first 1024 bytes,
 * and "extract a character encoding from a meta element". Pure.
 */
import { type Encoding, getEncoding } from './labels.js';

export interface Declaration {
  /** The label as written, trimmed and lowercased. */
  label: string;
  encoding: Encoding;
}

const LIMIT = 1024;
const isSpace = (b: number) => b === 0x09 || b === 0x0a || b === 0x0c || b === 0x0d || b === 0x20;
const isAlpha = (b: number) => (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
const lower = (b: number) => (b >= 0x41 && b <= 0x5a ? b + 0x20 : b);

function declaration(label: string): Declaration | null {
  const trimmed = label.trim().toLowerCase();
  const encoding = getEncoding(trimmed);
  return encoding === null ? null : { label: trimmed, encoding };
}

/** "Extract a character encoding from a meta element" applied to a content attribute value. */
export function charsetFromContent(content: string): Declaration | null {
  const text = content;
  let from = 0;
  for (;;) {
    const at = text.toLowerCase().indexOf('charset', from);
    if (at < 0) return null;
    let i = at + 7;
    while (i < text.length && isSpace(text.charCodeAt(i))) i++;
    if (text[i] !== '=') {
      from = at + 7;
      continue;
    }
    i++;
    while (i < text.length && isSpace(text.charCodeAt(i))) i++;
    if (i >= text.length) return null;
    const q = text[i];
    if (q === '"' || q === "'") {
      const end = text.indexOf(q, i + 1);
      return end < 0 ? null : declaration(text.slice(i + 1, end));
    }
    let end = i;
    while (end < text.length && !isSpace(text.charCodeAt(end)) && text[end] !== ';') end++;
    return declaration(text.slice(i, end));
  }
}

class Scanner {
  pos = 0;
  constructor(readonly b: Uint8Array) {}
  get eof(): boolean {
    return this.pos >= this.b.length;
  }
  at(offset = 0): number {
    return this.b[this.pos + offset] ?? -1;
  }
  startsWithCi(text: string): boolean {
    for (let k = 0; k < text.length; k++) if (lower(this.at(k)) !== text.charCodeAt(k)) return false;
    return true;
  }
  /** Moves just past the next occurrence of `text` (searching from `from`); false at end of input. */
  skipPast(text: string, from = this.pos): boolean {
    const idx = Buffer.from(this.b.buffer, this.b.byteOffset, this.b.length).indexOf(text, from, 'latin1');
    if (idx < 0) {
      this.pos = this.b.length;
      return false;
    }
    this.pos = idx + text.length;
    return true;
  }

  /** "Get an attribute": [name, value], or null when there are no more (a ">" or end of input). */
  attribute(): [string, string] | null {
    while (!this.eof && (isSpace(this.at()) || this.at() === 0x2f)) this.pos++;
    if (this.eof || this.at() === 0x3e) return null;
    let name = '';
    for (;;) {
      if (this.eof) return null;
      const c = this.at();
      if (c === 0x3d && name !== '') {
        this.pos++;
        return this.value(name);
      }
      if (isSpace(c)) break;
      if (c === 0x2f || c === 0x3e) return [name, ''];
      name += String.fromCharCode(lower(c));
      this.pos++;
    }
    while (!this.eof && isSpace(this.at())) this.pos++;
    if (this.at() !== 0x3d) return this.eof ? null : [name, ''];
    this.pos++;
    return this.value(name);
  }

  private value(name: string): [string, string] | null {
    while (!this.eof && isSpace(this.at())) this.pos++;
    if (this.eof) return null;
    let value = '';
    const first = this.at();
    if (first === 0x22 || first === 0x27) {
      this.pos++;
      for (;;) {
        if (this.eof) return null;
        const c = this.at();
        this.pos++;
        if (c === first) return [name, value];
        value += String.fromCharCode(lower(c));
      }
    }
    if (first === 0x3e) return [name, ''];
    for (;;) {
      if (this.eof) return null;
      const c = this.at();
      if (isSpace(c) || c === 0x3e) return [name, value];
      value += String.fromCharCode(lower(c));
      this.pos++;
    }
  }
}

/** The encoding a `<meta>` in the first 1024 bytes declares, or null. UTF-16 becomes UTF-8 as the spec says. */
export function prescanMeta(bytes: Uint8Array): Declaration | null {
  const s = new Scanner(bytes.subarray(0, LIMIT));
  while (!s.eof) {
    if (s.startsWithCi('<!--')) {
      // The "-->" may share its dashes with the "<!--" (as in "<!-->").
      if (!s.skipPast('-->', s.pos + 2)) return null;
      continue;
    }
    if (s.startsWithCi('<meta') && (isSpace(s.at(5)) || s.at(5) === 0x2f)) {
      s.pos += 5;
      const found = meta(s);
      if (found) return found;
      s.pos++;
      continue;
    }
    if (s.at() === 0x3c && (isAlpha(s.at(1)) || (s.at(1) === 0x2f && isAlpha(s.at(2))))) {
      while (!s.eof && !isSpace(s.at()) && s.at() !== 0x3e) s.pos++;
      while (s.attribute() !== null) {}
      s.pos++;
      continue;
    }
    if (s.at() === 0x3c && (s.at(1) === 0x21 || s.at(1) === 0x2f || s.at(1) === 0x3f)) {
      if (!s.skipPast('>')) return null;
      continue;
    }
    s.pos++;
  }
  return null;
}

function meta(s: Scanner): Declaration | null {
  const seen = new Set<string>();
  let gotPragma = false;
  let needPragma: boolean | null = null;
  let charset: Declaration | null = null;
  for (let attr = s.attribute(); attr !== null; attr = s.attribute()) {
    const [name, value] = attr;
    if (seen.has(name)) continue;
    seen.add(name);
    if (name === 'http-equiv') {
      if (value === 'content-type') gotPragma = true;
    } else if (name === 'content') {
      const found = charsetFromContent(value);
      if (found && charset === null) {
        charset = found;
        needPragma = true;
      }
    } else if (name === 'charset') {
      charset = declaration(value);
      needPragma = false;
    }
  }
  if (needPragma === null || (needPragma && !gotPragma) || charset === null) return null;
  if (charset.encoding === 'utf-16be' || charset.encoding === 'utf-16le')
    return { ...charset, encoding: 'utf-8' };
  if (charset.encoding === 'x-user-defined') return { ...charset, encoding: 'windows-1252' };
  return charset;
}
