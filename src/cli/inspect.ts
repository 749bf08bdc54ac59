/** `metacrawl inspect`: the page report of one page — fetched (same rules as workers) or from a saved file. No queue, no database. */
import { readFileSync } from 'node:fs';
import type { FetchConfig } from '../config.js';
import { ConfigError } from '../config.js';
import { extract } from '../extract/index.js';
import { renderPageReport, toInspectJson } from '../extract/page-report.js';
import { decodeHtml, Fetcher, isHtmlType } from '../fetch/index.js';
import { normalizeUrl } from '../url/normalize.js';
import { type CliIO, line } from './io.js';

export interface InspectCommandOptions {
  url: string | null;
  file: string | null;
  base: string | null;
  json: boolean;
  fetch: FetchConfig;
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
  if (opts.json) line(io.stdout, JSON.stringify(toInspectJson(meta, finalUrl), null, 2));
  else io.stdout.write(renderPageReport(meta, finalUrl));
  return 0;
}
