/** Open Graph and Twitter (X) card maps: each prefixed key -> its first value. */
import type { Scan } from './scan.js';
import { normalizeNewlines, trimAscii } from './text.js';

export interface Social {
  og: Record<string, string>;
  twitter: Record<string, string>;
}

/**
 * A <meta> feeds og/twitter through both `property` and `name` (sites use either), so a meta
 * with both is counted under each; the first value of each key wins. Keys are trimmed
 * (`property="og:article:author "` is og:article:author), while meta rows keep them as written.
 */
export function social(s: Scan): Social {
  // Plain objects (every key starts with `og:` or `twitter:`, so none is inherited): no copy at the end.
  const og: Record<string, string> = {};
  const twitter: Record<string, string> = {};
  const add = (attr: string | undefined, content: string) => {
    if (attr === undefined) return;
    // A key starts with 'o' or 't' once trimmed: most names (description, viewport...) are passed over at once.
    const c = attr.charCodeAt(0);
    if (c !== 0x6f && c !== 0x74 && c > 32) return;
    const key = trimAscii(attr);
    if (key.startsWith('og:')) {
      if (!(key in og)) og[key] = normalizeNewlines(content);
    } else if (key.startsWith('twitter:')) {
      if (!(key in twitter)) twitter[key] = normalizeNewlines(content);
    }
  };
  for (const m of s.metas) {
    const content = m.content;
    if (content === undefined) continue;
    add(m.property, content);
    add(m.name, content);
  }
  return { og, twitter };
}
