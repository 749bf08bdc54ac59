/** feeds: every <link rel=alternate> whose type is RSS, Atom or JSON Feed, absolute, unique, in document order. */
import { lowerAscii, trimAscii } from '../text.js';
import { absolute, linksWithRel, type RuleContext } from './context.js';

const FEED_TYPES = new Set(['application/rss+xml', 'application/atom+xml', 'application/feed+json']);

export function feeds(c: RuleContext): string[] {
  const out = new Set<string>();
  for (const l of linksWithRel(c, 'alternate')) {
    const type = lowerAscii(trimAscii((l.type ?? '').split(';')[0]));
    const url = FEED_TYPES.has(type) ? absolute(c, l.href) : null;
    if (url) out.add(url);
  }
  return [...out];
}
