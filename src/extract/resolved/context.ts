/** What every resolved-field rule reads, plus small lookups shared by the rules. */
import type { PageMetadata } from '../../types.js';
import type { Attrs, Scan } from '../scan.js';
import { collapse, lowerAscii, normalizeNewlines, resolveHttp, tokens, trimAscii } from '../text.js';

export interface RuleContext {
  scan: Scan;
  meta: PageMetadata;
  pageUrl: string;
  /** Response headers; names are matched case-insensitively. */
  headers: Record<string, string>;
}

/** A rule returns a value, or null/undefined/'' for "no answer here, try the next one". */
export type Rule<T> = (ctx: RuleContext) => T | null | undefined;

/** Content of the first meta whose name or property equals one of `keys` (ASCII case-insensitive). */
export function metaContent(ctx: RuleContext, ...keys: string[]): string | null {
  return metaContents(ctx, ...keys)[0] ?? null;
}

/** Contents of every meta whose name, property or itemprop equals one of `keys`, in document order. */
export function metaContents(ctx: RuleContext, ...keys: string[]): string[] {
  const index = metaIndex(ctx.scan);
  let at: number[] = [];
  for (const k of keys) {
    const list = index.byKey.get(k);
    if (list) at = at.length === 0 ? list : [...new Set([...at, ...list])].sort((a, b) => a - b);
  }
  const out: string[] = [];
  for (const i of at) {
    let v = index.contents[i];
    if (v === undefined) {
      v = collapse(normalizeNewlines(ctx.scan.metas[i].content ?? ''));
      index.contents[i] = v;
    }
    if (v) out.push(v);
  }
  return out;
}

interface MetaIndex {
  /** Lowercased, trimmed name/property/itemprop -> positions in `metas` (ascending, each meta once). */
  byKey: Map<string, number[]>;
  /** Collapsed content per meta position, filled on first use. */
  contents: (string | undefined)[];
}

/** Built once per page: some thirty rules look metas up by key, so keys are normalized only once. */
const metaIndexes = new WeakMap<Scan, MetaIndex>();

function metaIndex(scan: Scan): MetaIndex {
  let index = metaIndexes.get(scan);
  if (index) return index;
  index = { byKey: new Map(), contents: [] };
  for (let i = 0; i < scan.metas.length; i++) {
    const m = scan.metas[i];
    if (m.content === undefined) continue;
    addKey(index.byKey, m.name, i);
    addKey(index.byKey, m.property, i);
    addKey(index.byKey, m.itemprop, i);
  }
  metaIndexes.set(scan, index);
  return index;
}

function addKey(byKey: Map<string, number[]>, attr: string | undefined, i: number): void {
  if (attr === undefined) return;
  const key = lowerAscii(trimAscii(attr));
  const list = byKey.get(key);
  if (list === undefined) byKey.set(key, [i]);
  else if (list[list.length - 1] !== i) list.push(i);
}

/** `<link>` elements whose rel contains `rel`. */
export function linksWithRel(ctx: RuleContext, rel: string): Attrs[] {
  return ctx.scan.linkEls.filter((l) => l.href !== undefined && tokens(l.rel).includes(rel));
}

export function absolute(ctx: RuleContext, href: string | null | undefined): string | null {
  if (href == null) return null;
  const v = trimAscii(href);
  return v ? resolveHttp(v, ctx.meta.baseUrl) : null;
}

type Node = Record<string, unknown>;

/** Top-level JSON-LD nodes of the valid blocks (block values, array items, @graph members), in order. */
export function jsonLdNodes(ctx: RuleContext): Node[] {
  const out: Node[] = [];
  const add = (v: unknown) => {
    if (Array.isArray(v)) for (const x of v) add1(x);
    else add1(v);
  };
  const add1 = (v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return;
    const node = v as Node;
    out.push(node);
    if (Array.isArray(node['@graph']))
      for (const x of node['@graph']) if (x && typeof x === 'object') out.push(x as Node);
  };
  for (const b of ctx.meta.jsonld) if (b.valid) add(b.value);
  return out;
}

export function typesOf(node: Node): string[] {
  const t = node['@type'];
  if (typeof t === 'string') return [t];
  return Array.isArray(t) ? t.filter((x): x is string => typeof x === 'string') : [];
}

/** Types that describe the site, the navigation or a part of the page rather than the page itself. */
const NOT_THE_PAGE = new Set([
  'Organization',
  'NewsMediaOrganization',
  'Corporation',
  'Person',
  'WebSite',
  'BreadcrumbList',
  'ListItem',
  'ImageObject',
  'SiteNavigationElement',
  'WPHeader',
  'WPFooter',
  'WPSideBar',
  'SearchAction',
  'Brand',
  'Place',
  'PostalAddress',
]);

/** The nodes that describe the page itself (articles, products, videos, web pages...). */
export function pageNodes(ctx: RuleContext): Node[] {
  return jsonLdNodes(ctx).filter((n) => !typesOf(n).some((t) => NOT_THE_PAGE.has(t)));
}

/** The first string value of `key` among `nodes` (a string, or the name/url/@id of an object, or a list's first). */
export function nodeString(nodes: Node[], key: string, objKeys: string[] = ['name']): string | null {
  for (const n of nodes) {
    const v = asString(n[key], objKeys);
    if (v) return v;
  }
  return null;
}

export function asString(v: unknown, objKeys: string[] = ['name']): string | null {
  if (typeof v === 'string') return collapse(v) || null;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) {
    for (const x of v) {
      const s = asString(x, objKeys);
      if (s) return s;
    }
    return null;
  }
  if (v && typeof v === 'object') {
    for (const k of objKeys) {
      const s = asString((v as Node)[k], []);
      if (s) return s;
    }
  }
  return null;
}
