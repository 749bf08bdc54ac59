/**
 * The page report: what `metacrawl inspect` prints about one page. `inspect --json` (InspectJson) mirrors the
 * reference corpus format; the text report is built from PageReport, whose fields mirror the listing of the
 * reference "URL explorer" tool (test/fixtures/corpus/seed/expected-explorer.json). Crawled text is data: the
 * text rendering neutralises control and bidi-override characters so a page cannot drive the terminal.
 * (`metacrawl serve`, the results explorer, is another thing: src/serve.)
 */
import type { MetaTag, PageMetadata, ResolvedFields } from '../types.js';

/** Metas the report shows in its header, so its meta list leaves them out. */
const SHOWN_ABOVE = new Set([
  'description',
  'viewport',
  'og:title',
  'og:description',
  'og:url',
  'twitter:site',
  'twitter:title',
  'twitter:description',
]);

export interface InspectJson {
  title: string | null;
  lang: string | null;
  charset: string | null;
  canonical: string | null;
  description: string | null;
  viewport: string | null;
  meta: MetaTag[];
  og: Record<string, string>;
  twitter: Record<string, string>;
  /** Parsed values of the valid JSON-LD blocks. */
  jsonld: unknown[];
  jsonld_invalid: number;
  /** `[absolute_url, collapsed_text]`. */
  links: [string, string][];
  links_count: number;
  area_links: [string, string][];
  links_truncated: boolean;
  base_url: string;
  domain: string | null;
  resolved: Record<string, unknown>;
}

export function toInspectJson(meta: PageMetadata, finalUrl: string): InspectJson {
  return {
    title: meta.title,
    lang: meta.lang,
    charset: meta.charset,
    canonical: meta.canonical,
    description: meta.description,
    viewport: meta.viewport,
    meta: meta.meta,
    og: meta.og,
    twitter: meta.twitter,
    jsonld: meta.jsonld.filter((b) => b.valid).map((b) => b.value),
    jsonld_invalid: meta.jsonld.filter((b) => !b.valid).length,
    // The report's link list is every <a href>; <area href> links are listed apart (the links table has both).
    links: meta.links.filter((l) => l.tag === 'a').map((l) => [l.url, l.text]),
    links_count: meta.linksCount - meta.areaLinksCount,
    area_links: meta.links.filter((l) => l.tag === 'area').map((l) => [l.url, l.text]),
    links_truncated: meta.linksTruncated,
    base_url: meta.baseUrl,
    domain: domainOf(finalUrl),
    resolved: snakeResolved(meta.resolved),
  };
}

/** The report's fields: header fields, then `[name || property || null, content]` and `[text, url]` lists. */
export interface PageReport {
  url: string;
  title: string | null;
  og_title: string | null;
  twitter_title: string | null;
  description: string | null;
  og_description: string | null;
  twitter_description: string | null;
  og_url: string | null;
  twitter_site: string | null;
  domain: string | null;
  jsonld: unknown[];
  meta: [string | null, string][];
  links: [string, string][];
  viewport: string | null;
}

export function toPageReport(meta: PageMetadata, finalUrl: string): PageReport {
  const list: [string | null, string][] = [];
  for (const [attr, key, content] of meta.meta) {
    if (content === null) continue;
    const name = attr === 'name' || attr === 'property' ? key : null;
    if (name !== null && SHOWN_ABOVE.has(name)) continue;
    list.push([name, content]);
  }
  return {
    url: finalUrl,
    title: meta.title,
    og_title: meta.og['og:title'] ?? null,
    twitter_title: meta.twitter['twitter:title'] ?? null,
    description: meta.description,
    og_description: meta.og['og:description'] ?? null,
    twitter_description: meta.twitter['twitter:description'] ?? null,
    og_url: meta.og['og:url'] ?? null,
    twitter_site: meta.twitter['twitter:site'] ?? null,
    domain: domainOf(finalUrl),
    jsonld: meta.jsonld.filter((b) => b.valid).map((b) => b.value),
    meta: list,
    links: meta.links.filter((l) => l.tag === 'a').map((l) => [l.text, l.url]),
    viewport: meta.viewport,
  };
}

/** The human view: header fields, JSON-LD, every meta (document order), every link, viewport, resolved fields. */
export function renderPageReport(meta: PageMetadata, finalUrl: string): string {
  const x = toPageReport(meta, finalUrl);
  const out: string[] = [];
  const field = (label: string, v: string | null) => out.push(`${label}: ${v === null ? '—' : safe(v)}`);
  field('URL', finalUrl);
  field('Title', x.title);
  field('Open Graph Title', x.og_title);
  field('X Title', x.twitter_title);
  field('Description', x.description);
  field('Open Graph Description', x.og_description);
  field('X Description', x.twitter_description);
  field('Open Graph URL', x.og_url);
  field('X', x.twitter_site);
  field('Domain', x.domain);
  field('Canonical', meta.canonical);
  field('Language', meta.lang);
  field('Charset', meta.charset);
  const invalid = meta.jsonld.length - x.jsonld.length;
  out.push('', `JSON-LD (${x.jsonld.length} block${x.jsonld.length === 1 ? '' : 's'}, ${invalid} invalid):`);
  for (const v of x.jsonld) out.push(indent(safeBlock(JSON.stringify(v, null, 2))));
  out.push('', `Meta tags (${meta.meta.length}):`);
  for (const [attr, key, content] of meta.meta) {
    const label = attr === 'name' || attr === 'property' ? key : `[${attr}] ${key}`;
    out.push(`  ${safe(label)} → ${content === null ? '' : safe(content)}`);
  }
  const anchors = meta.links.filter((l) => l.tag === 'a');
  const total = meta.linksCount - meta.areaLinksCount;
  out.push('', `Links (${anchors.length}${meta.linksTruncated ? ` of ${total}` : ''}):`);
  for (const l of anchors) out.push(`  ${safe(l.text) || '(no text)'} → ${safe(l.url)}`);
  const areas = meta.links.filter((l) => l.tag === 'area');
  if (areas.length > 0) {
    out.push('', `Image-map links (${areas.length}):`);
    for (const l of areas) out.push(`  ${safe(l.text) || '(no text)'} → ${safe(l.url)}`);
  }
  out.push('');
  field('Viewport', x.viewport);
  out.push('', 'Resolved:');
  for (const [label, v] of resolvedLines(meta.resolved)) out.push(`  ${label}: ${v}`);
  return `${out.join('\n')}\n`;
}

function resolvedLines(r: ResolvedFields): [string, string][] {
  const s = (v: string | null) => (v === null ? '—' : safe(v));
  const list = (v: string[]) => (v.length ? v.map(safe).join(', ') : '—');
  return [
    ['Best title', s(r.bestTitle)],
    ['Best description', s(r.bestDescription)],
    ['Best image', s(r.bestImage)],
    ['Best URL', s(r.bestUrl)],
    ['Site name', s(r.siteName)],
    ['Author', s(r.author)],
    ['Published', s(r.publishedAt)],
    ['Modified', s(r.modifiedAt)],
    ['Type', s(r.pageType)],
    ['Favicon', s(r.favicon)],
    ['Feeds', list(r.feeds)],
    [
      'Hreflang',
      r.hreflang.length ? r.hreflang.map((h) => `${safe(h.lang)} ${safe(h.url)}`).join(', ') : '—',
    ],
    ['Robots', s(r.robots)],
    ['Keywords', s(r.keywords)],
    ['JSON-LD types', list(r.jsonldTypes)],
  ];
}

function snakeResolved(r: ResolvedFields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) out[k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = v;
  return out;
}

function domainOf(url: string): string | null {
  try {
    return new URL(url).hostname || null;
  } catch {
    return null;
  }
}

/** One line of crawled text for a terminal: control characters become spaces or U+FFFD, bidi overrides U+FFFD. */
function safe(v: string): string {
  return v.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) =>
    c === '\n' || c === '\t' || c === '\r' ? ' ' : '\uFFFD',
  );
}

/** Like `safe`, keeping the line breaks of pretty-printed JSON (JSON.stringify already escapes C0 in strings). */
function safeBlock(v: string): string {
  return v.split('\n').map(safe).join('\n');
}

function indent(v: string): string {
  return v.replace(/^/gm, '  ');
}
