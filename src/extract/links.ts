/** Links: every <a href>/<area href> that resolves to http(s), resolved against the document base URL. */
import type { LinkInfo } from '../types.js';
import type { RawAnchor } from './scan.js';
import { collapse } from './text.js';
import { LinkBase } from './url.js';

export const DEFAULT_MAX_LINKS = 10_000;

export interface Links {
  links: LinkInfo[];
  linksCount: number;
  areaLinksCount: number;
  linksTruncated: boolean;
}

export function links(anchors: RawAnchor[], baseUrl: string, maxLinks = DEFAULT_MAX_LINKS): Links {
  const out: LinkInfo[] = [];
  let count = 0;
  let areas = 0;
  const base = new LinkBase(baseUrl);
  for (const a of anchors) {
    const url = base.resolve(a.href);
    if (url === null) continue;
    count++;
    if (a.tag === 'area') areas++;
    if (out.length < maxLinks) out.push({ url, text: collapse(a.text), rel: a.rel, tag: a.tag });
  }
  return { links: out, linksCount: count, areaLinksCount: areas, linksTruncated: count > out.length };
}

/** The effective base URL: the first <base href> resolved against the page URL, else the page URL. */
export function baseUrl(baseHref: string | null, pageUrl: string): string {
  if (baseHref !== null) {
    try {
      return new URL(baseHref, pageUrl).href;
    } catch {
      // An unparsable <base href> is ignored, as browsers do.
    }
  }
  return pageUrl;
}
