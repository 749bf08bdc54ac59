/** Text helpers shared by the extract rules. HTML whitespace is ASCII only: NBSP is content, not space. */

const ASCII_WS = /[\t\n\f\r ]+/g;

/** Collapses runs of ASCII whitespace (`\t \n \f \r space`) to one space and trims them from both ends. */
export function collapse(text: string): string {
  if (isCollapsed(text)) return text;
  const s = text.replace(ASCII_WS, ' ');
  const start = s.charCodeAt(0) === 32 ? 1 : 0;
  const end = s.length > start && s.charCodeAt(s.length - 1) === 32 ? s.length - 1 : s.length;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** True when `collapse` would return `text` unchanged: no edge space, no whitespace but single spaces. */
function isCollapsed(text: string): boolean {
  let prevSpace = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32) {
      if (prevSpace) return false;
      prevSpace = true;
    } else if (c === 9 || c === 10 || c === 12 || c === 13) return false;
    else prevSpace = false;
  }
  return !prevSpace || text.length === 0;
}

/** HTML input-stream preprocessing: CRLF and lone CR become LF. */
export function normalizeNewlines(value: string): string {
  return value.indexOf('\r') === -1 ? value : value.replace(/\r\n?/g, '\n');
}

/** Trims ASCII whitespace only (String#trim would also eat NBSP and other Unicode spaces). */
export function trimAscii(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isAsciiWs(value.charCodeAt(start))) start++;
  while (end > start && isAsciiWs(value.charCodeAt(end - 1))) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

function isAsciiWs(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 12 || c === 13;
}

/** ASCII lowercase (what HTML means by "ASCII case-insensitive"). */
export function lowerAscii(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    // Most names are lowercase already: no new string then.
    if (c >= 65 && c <= 90) return value.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  }
  return value;
}

/** Splits a space-separated token list (rel, sizes) into lowercase tokens. */
export function tokens(value: string | null | undefined): string[] {
  if (!value) return [];
  // Most values are one lowercase token (rel="stylesheet"): no regex split then.
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c <= 32 || (c >= 65 && c <= 90)) return splitTokens(value);
  }
  return [value];
}

function splitTokens(value: string): string[] {
  const out: string[] = [];
  for (const t of lowerAscii(value).split(/[\t\n\f\r ]+/)) if (t) out.push(t);
  return out;
}

/** Resolves `href` against `base` with WHATWG URL rules; null when it does not parse. */
export function resolveUrl(href: string, base: string): URL | null {
  try {
    return new URL(href, base);
  } catch {
    return null;
  }
}

/** Resolves to an absolute http(s) URL string, or null. */
export function resolveHttp(href: string | null | undefined, base: string): string | null {
  if (href == null) return null;
  const u = resolveUrl(href, base);
  return u && (u.protocol === 'https:' || u.protocol === 'http:') ? u.href : null;
}
