/** hreflang: every <link rel=alternate hreflang=… href=…> as {lang, url} (absolute), unique, in document order. */
import { trimAscii } from '../text.js';
import { absolute, linksWithRel, type RuleContext } from './context.js';

export function hreflang(c: RuleContext): { lang: string; url: string }[] {
  const seen = new Set<string>();
  const out: { lang: string; url: string }[] = [];
  for (const l of linksWithRel(c, 'alternate')) {
    const lang = trimAscii(l.hreflang ?? '');
    const url = lang ? absolute(c, l.href) : null;
    if (!url || seen.has(`${lang} ${url}`)) continue;
    seen.add(`${lang} ${url}`);
    out.push({ lang, url });
  }
  return out;
}
