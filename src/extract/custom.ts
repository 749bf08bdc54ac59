/**
 * A crawl's own fields: its extraction rules (rules.ts) and the page's microdata (microdata.ts), applied after
 * the streaming extractor. Pure and never throwing: a rule that fails on a page gets the value null and its
 * reason in `extractErrors`; the page is not failed.
 *
 * The DOM (htmlparser2, the tree cheerio selects on) is built only when a CSS rule or an `itemscope` needs it,
 * and once per page for both; pages of crawls without rules and without microdata pay one substring search.
 */
import type { CheerioAPI } from 'cheerio/slim';
import type { Document } from 'domhandler';
import { parseDocument } from 'htmlparser2';
import type { ExtractValue, JsonLdBlock, MicrodataItem } from '../types.js';
import { forEachJsonLdNode } from './jsonld.js';
import { microdata } from './microdata.js';
import { runRegexJobs } from './regex-budget.js';
import { cheerio, type ExtractRule } from './rules.js';

/** Values kept per keep-every-match rule and page; later matches are dropped. */
export const MAX_VALUES = 1000;
/** A longer value fails its rule on that page (a runaway `@html` or regex). */
export const MAX_VALUE_CHARS = 65_536;

export interface CustomInput {
  /** The decoded body. */
  html: string;
  /** The page's effective base URL (microdata URLs resolve against it). */
  baseUrl: string;
  /** The page's JSON-LD blocks, already parsed by the extractor. */
  jsonld: JsonLdBlock[];
}

export interface CustomFields {
  /** Per rule name: a string or null (first match), or an array (keep-every-match rule). */
  extracts?: Record<string, ExtractValue>;
  /** Per failed rule name: why it failed on this page (its value is null). */
  extractErrors?: Record<string, string>;
  /** Top-level microdata items, in the HTML standard's JSON form. */
  microdata?: MicrodataItem[];
  /** Every microdata itemtype on the page (nested items included), unique, in document order. */
  microdataTypes?: string[];
}

/** True when the body may hold microdata (`itemscope` in lower or upper case): the only cost for other pages. */
export function mayHaveMicrodata(body: string | Uint8Array): boolean {
  if (typeof body === 'string') return body.includes('itemscope') || body.includes('ITEMSCOPE');
  const b = Buffer.from(body.buffer, body.byteOffset, body.length);
  return b.includes('itemscope') || b.includes('ITEMSCOPE');
}

/** Applies the rules (and microdata when `withMicrodata`) to one page. Never throws. */
export function extractCustom(
  input: CustomInput,
  rules: readonly ExtractRule[],
  withMicrodata: boolean,
): CustomFields {
  const out: CustomFields = {};
  let dom: Document | null = null;
  const doc = () => {
    dom ??= parseDocument(input.html);
    return dom;
  };
  let $: CheerioAPI | null = null;
  const select = () => {
    $ ??= cheerio().load(doc());
    return $;
  };
  if (rules.length > 0) {
    const values: Record<string, ExtractValue> = {};
    const errors: Record<string, string> = {};
    const set = (r: ExtractRule, v: string[] | { error: string }) => {
      if (!Array.isArray(v)) {
        values[r.name] = r.all ? [] : null;
        errors[r.name] = v.error;
        return;
      }
      const long = v.find((s) => s.length > MAX_VALUE_CHARS);
      if (long !== undefined) {
        values[r.name] = r.all ? [] : null;
        errors[r.name] = `value of ${long.length} characters is longer than ${MAX_VALUE_CHARS}`;
        return;
      }
      values[r.name] = r.all ? v.slice(0, MAX_VALUES) : (v[0] ?? null);
    };
    const regexRules = rules.filter((r) => r.kind === 'regex');
    const regexOut = runRegexJobs(
      regexRules.map((r) => ({ re: r.regex as RegExp, all: r.all })),
      input.html,
      MAX_VALUES,
    );
    for (const r of rules) {
      try {
        if (r.kind === 'css') set(r, cssValues(r, select()));
        else if (r.kind === 'jsonld') set(r, jsonldValues(r, input.jsonld));
        else {
          const o = regexOut[regexRules.indexOf(r)];
          set(r, o.ok ? o.values : { error: o.reason });
        }
      } catch (err) {
        set(r, { error: (err as Error).message || String(err) });
      }
    }
    out.extracts = values;
    if (Object.keys(errors).length > 0) out.extractErrors = errors;
  }
  if (withMicrodata && mayHaveMicrodata(input.html)) {
    try {
      const md = microdata(doc(), input.baseUrl);
      if (md.items.length > 0) {
        out.microdata = md.items;
        out.microdataTypes = md.types;
      }
    } catch {
      // Microdata is best effort, like every extracted field: the page keeps the rest.
    }
  }
  return out;
}

const WS = /[\t\n\f\r ]+/g;

function cssValues(r: ExtractRule, $: CheerioAPI): string[] {
  const found = $(r.selector as string);
  const out: string[] = [];
  const limit = r.all ? MAX_VALUES : 1;
  for (let i = 0; i < found.length && out.length < limit; i++) {
    const el = found.eq(i);
    let v: string | undefined | null;
    if (r.attr === null) v = el.text().replace(WS, ' ').trim();
    else if (r.attr === '@html') v = el.html();
    else v = el.attr(r.attr as string);
    // An element without the attribute is not a match.
    if (v !== undefined && v !== null) out.push(v);
  }
  return out;
}

/** Whether a node's @type (string or array) names `type`, written plainly or as an IRI/CURIE ending in it. */
function hasType(node: Record<string, unknown>, type: string): boolean {
  const t = node['@type'];
  const list = Array.isArray(t) ? t : [t];
  return list.some(
    (x) =>
      typeof x === 'string' &&
      (x === type || x.endsWith(`/${type}`) || x.endsWith(`#${type}`) || x.endsWith(`:${type}`)),
  );
}

/** Values at `path` below every node of the rule's @type, in document order (arrays and @graph walked). */
function jsonldValues(r: ExtractRule, blocks: readonly JsonLdBlock[]): string[] {
  const out: string[] = [];
  for (const b of blocks) {
    if (!b.valid) continue;
    forEachJsonLdNode(b.value, (node) => {
      if (hasType(node, r.type as string)) follow(node, r.path as string[], out);
    });
  }
  return out;
}

function follow(node: unknown, path: string[], out: string[]): void {
  let current: unknown[] = [node];
  for (const step of path) {
    const next: unknown[] = [];
    for (const v of flat(current)) {
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && step in v)
        next.push((v as Record<string, unknown>)[step]);
    }
    current = next;
  }
  for (const v of flat(current)) {
    if (v === null || v === undefined) continue;
    if (typeof v === 'object') {
      // A JSON-LD value object ({"@value": "19.99"}) stands for its value.
      const value = (v as Record<string, unknown>)['@value'];
      out.push(value !== undefined && typeof value !== 'object' ? String(value) : JSON.stringify(v));
    } else out.push(String(v));
  }
}

function flat(values: unknown[]): unknown[] {
  return values.flatMap((v) => (Array.isArray(v) ? flat(v) : [v]));
}
