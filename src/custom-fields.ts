/**
 * The crawl's own fields on a fetched page: its extraction rules (the crawl's settings, as every worker of the
 * fleet reads them, or `reextract`'s) and, with `--microdata`, the page's microdata. Shared by the worker and
 * `reextract`, so both store the same rows for the same bytes. Crawls without either cost nothing here; with
 * `--microdata`, a page without `itemscope` costs one substring search.
 */
import type { CrawlSettings } from './config.js';
import { extractCustom, mayHaveMicrodata } from './extract/custom.js';
import { type ExtractRule, parseRule } from './extract/rules.js';
import type { CustomFields, PageMetadata } from './types.js';

/** What decides a page's own fields: the crawl's normalised rule texts and its --microdata. */
export type CustomSettings = Pick<CrawlSettings, 'extract' | 'microdata'>;

interface Compiled {
  rules: ExtractRule[];
  /** Rules this process could not parse (checked at submit, so only a version skew): null on every page. */
  broken: Record<string, string>;
}

const compiled = new WeakMap<CustomSettings, Compiled>();

function compile(settings: CustomSettings): Compiled {
  let c = compiled.get(settings);
  if (!c) {
    c = { rules: [], broken: {} };
    for (const text of settings.extract ?? []) {
      try {
        c.rules.push(parseRule(text));
      } catch (err) {
        c.broken[ruleName(text)] = `this worker cannot run the rule: ${(err as Error).message}`;
      }
    }
    compiled.set(settings, c);
  }
  return c;
}

/** A normalised rule text's name, without `[]` (the `rule` column of `extracts`). */
export function ruleName(text: string): string {
  return text.slice(0, Math.max(0, text.indexOf('='))).replace(/\[\]$/, '') || text;
}

/** Whether the settings ask for anything of a page's own fields (rules or microdata). */
export function hasCustomFields(settings: Partial<CustomSettings>): boolean {
  return (settings.extract?.length ?? 0) > 0 || settings.microdata === true;
}

/**
 * Adds `extracts`, `extractErrors`, `microdata` and `microdataTypes` to `meta`. `body` is the page without its
 * BOM; `decoded` its text when the caller decoded it already (non-UTF-8 pages), else null (UTF-8 bytes).
 */
export function addCustomFields(
  meta: PageMetadata,
  settings: CustomSettings,
  body: Uint8Array,
  decoded: string | null,
): void {
  const { rules, broken } = compile(settings);
  const hasRules = rules.length > 0 || Object.keys(broken).length > 0;
  const microdata = settings.microdata === true && mayHaveMicrodata(decoded ?? body);
  if (!hasRules && !microdata) return;
  const html = decoded ?? Buffer.from(body.buffer, body.byteOffset, body.length).toString('utf8');
  const custom = extractCustom({ html, baseUrl: meta.baseUrl, jsonld: meta.jsonld }, rules, microdata);
  if (hasRules) {
    const errors = { ...broken, ...custom.extractErrors };
    custom.extracts = { ...custom.extracts };
    for (const name of Object.keys(broken)) custom.extracts[name] = null;
    custom.extractErrors = Object.keys(errors).length > 0 ? errors : undefined;
  }
  for (const [k, v] of Object.entries(custom))
    if (v !== undefined) (meta as unknown as Record<string, unknown>)[k] = v;
}

/** The page's own fields alone (what a record carries when the rest of its metadata is the earlier crawl's). */
export function customFieldsOf(meta: PageMetadata): CustomFields {
  const out: CustomFields = {};
  if (meta.extracts !== undefined) out.extracts = meta.extracts;
  if (meta.extractErrors !== undefined) out.extractErrors = meta.extractErrors;
  if (meta.microdata !== undefined) out.microdata = meta.microdata;
  if (meta.microdataTypes !== undefined) out.microdataTypes = meta.microdataTypes;
  return out;
}
