/**
 * The crawl's own fields on a fetched page: its extraction rules (from the crawl's settings, as every worker of
 * the fleet reads them) and, with `--microdata`, the page's microdata. Crawls without either cost nothing here;
 * with `--microdata`, a page without `itemscope` costs one substring search.
 */
import type { CrawlSettings } from '../config.js';
import { extractCustom, mayHaveMicrodata } from '../extract/custom.js';
import { type ExtractRule, parseRule } from '../extract/rules.js';
import type { PageMetadata } from '../types.js';

interface Compiled {
  rules: ExtractRule[];
  /** Rules this worker could not parse (checked at submit, so only a version skew): null on every page. */
  broken: Record<string, string>;
}

const compiled = new WeakMap<CrawlSettings, Compiled>();

function compile(settings: CrawlSettings): Compiled {
  let c = compiled.get(settings);
  if (!c) {
    c = { rules: [], broken: {} };
    for (const text of settings.extract ?? []) {
      try {
        c.rules.push(parseRule(text));
      } catch (err) {
        const name = text.slice(0, Math.max(0, text.indexOf('='))).replace(/\[\]$/, '') || text;
        c.broken[name] = `this worker cannot run the rule: ${(err as Error).message}`;
      }
    }
    compiled.set(settings, c);
  }
  return c;
}

/**
 * Adds `extracts`, `extractErrors`, `microdata` and `microdataTypes` to `meta`. `body` is the page without its
 * BOM; `decoded` its text when the worker decoded it already (non-UTF-8 pages), else null (UTF-8 bytes).
 */
export function addCustomFields(
  meta: PageMetadata,
  settings: CrawlSettings,
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
