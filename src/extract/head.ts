/** Document-level fields: title, lang, declared charset, canonical, description, viewport, meta rows. */
import type { MetaAttr, MetaTag } from '../types.js';
import type { Attrs, Scan } from './scan.js';
import { collapse, lowerAscii, normalizeNewlines, resolveHttp, tokens, trimAscii } from './text.js';

/** The attribute that names a meta row: the first present, in this order. */
const META_KEYS: readonly MetaAttr[] = ['name', 'property', 'http-equiv', 'itemprop', 'charset'];

/** `document.title`: the first HTML <title>, ASCII whitespace collapsed, or null. */
export function title(s: Scan): string | null {
  return s.title === null ? null : collapse(s.title);
}

export function lang(s: Scan): string | null {
  return s.htmlLang;
}

/** One `[attr, key, content]` row per <meta> that has a name/property/http-equiv/itemprop/charset. */
export function metaRows(s: Scan): MetaTag[] {
  const rows: MetaTag[] = [];
  for (const m of s.metas) {
    for (const attr of META_KEYS) {
      const key = m[attr];
      if (key !== undefined) {
        const content = m.content;
        rows.push([attr, normalizeNewlines(key), content === undefined ? null : normalizeNewlines(content)]);
        break;
      }
    }
  }
  return rows;
}

/** The first charset declaration in document order: <meta charset> or http-equiv Content-Type. */
export function charset(s: Scan): string | null {
  for (const m of s.metas) {
    if (m.charset !== undefined) {
      const v = trimAscii(m.charset);
      if (v) return lowerAscii(v);
    }
    if (m['http-equiv'] !== undefined && lowerAscii(trimAscii(m['http-equiv'])) === 'content-type') {
      const v = charsetFromContentType(m.content ?? '');
      if (v) return v;
    }
  }
  return null;
}

/** WHATWG "extract a character encoding from a meta element", returning the lowercased label. */
export function charsetFromContentType(content: string): string | null {
  const lowerContent = lowerAscii(content);
  let from = 0;
  for (;;) {
    const at = lowerContent.indexOf('charset', from);
    if (at === -1) return null;
    let i = at + 7;
    while (i < content.length && /[\t\n\f\r ]/.test(content[i])) i++;
    if (content[i] !== '=') {
      from = at + 7;
      continue;
    }
    i++;
    while (i < content.length && /[\t\n\f\r ]/.test(content[i])) i++;
    const q = content[i];
    if (q === '"' || q === "'") {
      const end = content.indexOf(q, i + 1);
      if (end === -1) return null;
      const v = trimAscii(content.slice(i + 1, end));
      return v ? lowerAscii(v) : null;
    }
    let end = i;
    while (end < content.length && !/[\t\n\f\r ;]/.test(content[end])) end++;
    const v = content.slice(i, end);
    return v ? lowerAscii(v) : null;
  }
}

/** The first meta with this name (ASCII case-insensitive), its content or null. */
export function metaByName(s: Scan, name: string): string | null {
  const first = name.charCodeAt(0);
  for (const m of s.metas) {
    const n = m.name;
    if (n === undefined || m.content === undefined) continue;
    // `name` is lowercase: a name not starting with its letter (either case) or a space is passed over at once.
    const c = n.charCodeAt(0);
    if ((c | 0x20) !== first && c > 32) continue;
    if (lowerAscii(trimAscii(n)) === name) return normalizeNewlines(m.content);
  }
  return null;
}

/** The first <link> whose rel contains `rel`. */
export function linkByRel(s: Scan, rel: string): Attrs | null {
  for (const l of s.linkEls) if (tokens(l.rel).includes(rel) && l.href !== undefined) return l;
  return null;
}

/** Absolute URL of the first <link rel=canonical href>. */
export function canonical(s: Scan, baseUrl: string): string | null {
  const l = linkByRel(s, 'canonical');
  return l ? resolveHttp(l.href, baseUrl) : null;
}
