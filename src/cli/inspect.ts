/** `metacrawl inspect`: the page report of one page — fetched (same rules as workers) or from a saved file. No queue, no database. */
import { readFileSync } from 'node:fs';
import type { FetchConfig } from '../config.js';
import { ConfigError } from '../config.js';
import { extractCustom } from '../extract/custom.js';
import { extract } from '../extract/index.js';
import { renderPageReport, toInspectJson } from '../extract/page-report.js';
import { parseRules } from '../extract/rules.js';
import { decodeHtml, Fetcher, isHtmlType } from '../fetch/index.js';
import type { PageMetadata } from '../types.js';
import { normalizeUrl } from '../url/normalize.js';
import { type CliIO, line } from './io.js';

export interface InspectCommandOptions {
  url: string | null;
  file: string | null;
  base: string | null;
  json: boolean;
  fetch: FetchConfig;
  /** Custom extraction rules (normalised texts, already checked by options.ts). */
  extract?: string[];
  /** --microdata: also the page's microdata items. */
  microdata?: boolean;
}

export async function inspectCommand(opts: InspectCommandOptions, io: CliIO): Promise<number> {
  let html: string;
  let finalUrl: string;
  let headers: Record<string, string> = {};
  if (opts.file) {
    const base = opts.base ?? opts.url;
    if (!base) throw new ConfigError('--file needs --base <url> (the URL the page was saved from)');
    const n = normalizeUrl(base);
    if (!n.ok) throw new ConfigError(`--base: ${n.reason}`);
    let bytes: Buffer;
    try {
      bytes = readFileSync(opts.file);
    } catch {
      throw new ConfigError(`cannot read ${opts.file}`);
    }
    html = decodeHtml(bytes, null).html;
    finalUrl = n.url;
  } else {
    if (!opts.url) throw new ConfigError('give a URL, or --file page.html --base <url>');
    const n = normalizeUrl(opts.url);
    if (!n.ok) throw new ConfigError(`${opts.url}: ${n.reason}`);
    const fetcher = new Fetcher({ ...opts.fetch, connections: 1 });
    try {
      const res = await fetcher.fetch(n.url);
      if (res.status >= 400) line(io.stderr, `warning: GET ${n.url} → ${res.status}`);
      if (res.contentType !== null && !isHtmlType(res.contentType)) {
        line(io.stderr, `GET ${n.url} → ${res.contentType}, not HTML`);
        return 1;
      }
      html = decodeHtml(res.body, res.headers['content-type'] ?? null).html;
      finalUrl = res.finalUrl;
      headers = res.headers;
    } finally {
      await fetcher.close();
    }
  }
  const meta = extract(html, finalUrl, { maxLinks: opts.fetch.maxLinks, headers });
  const rules = parseRules(opts.extract ?? []);
  Object.assign(
    meta,
    extractCustom({ html, baseUrl: meta.baseUrl, jsonld: meta.jsonld }, rules, opts.microdata === true),
  );
  if (opts.json) {
    const out: Record<string, unknown> = { ...toInspectJson(meta, finalUrl) };
    if (meta.microdata) out.microdata = meta.microdata;
    if (meta.extracts) out.extracts = meta.extracts;
    if (meta.extractErrors) out.extract_errors = meta.extractErrors;
    line(io.stdout, JSON.stringify(out, null, 2));
  } else {
    io.stdout.write(renderPageReport(meta, finalUrl));
    io.stdout.write(renderCustom(meta));
  }
  return 0;
}

/** The report's extra sections: microdata item types, and each rule's value (or why it failed). */
function renderCustom(meta: PageMetadata): string {
  const out: string[] = [];
  if (meta.microdataTypes?.length)
    out.push(`Microdata: ${meta.microdata?.length ?? 0} items (${meta.microdataTypes.join(', ')})`);
  if (meta.extracts) {
    out.push('Extracted:');
    for (const [name, v] of Object.entries(meta.extracts)) {
      const failed = meta.extractErrors?.[name];
      const shown = failed ? `failed: ${failed}` : JSON.stringify(v);
      out.push(`  ${name}: ${shown}`);
    }
  }
  return out.length ? `${out.join('\n')}\n` : '';
}
