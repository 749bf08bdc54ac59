/** `/page/<id>`: the URL explorer view of one crawled page, plus the pages of its crawl that link to it. */
import { extLink, type Html, html, layout, num } from '../html.js';
import type { HistoryRow, PageRow } from '../reader.js';
import { crawlPath } from './crawls.js';

export interface PageViewData {
  page: PageRow;
  crawl: string;
  meta: { attr: string; key: string; content: string | null }[];
  links: { url: string; text: string; rel: string | null }[];
  jsonld: { type: string; json: string; valid: number }[];
  /** The crawl's `--extract` rule values, by rule name then match order (absent: none). */
  extracts?: { rule: string; value: string | null }[];
  /** Top-level microdata items in document order (absent: none). */
  microdata?: { type: string; json: string }[];
  /** Null while the links-by-target index is being built (a large crawl still running). */
  linkedFrom: { id: number; url: string; title: string | null; text: string }[] | null;
  queues: boolean;
  /**
   * The same URL in every crawl (this one included), each with the fields that changed from the crawl before
   * it (null for the first); empty when the database cannot compare crawls.
   */
  history?: { row: HistoryRow; changed: string[] | null }[];
}

type V = string | number | null | undefined;

function text(v: V): Html {
  return v === null || v === undefined || v === '' ? html`<span class="muted">—</span>` : html`${v}`;
}

function fields(rows: [string, Html][]): Html {
  return html`<dl class="fields">${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;
}

function parseJson(s: V): unknown {
  if (typeof s !== 'string') return null;
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}

/** Pretty-printed when it parses, else as found; escaped either way by the template. */
function pretty(json: string): string {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}

function domain(url: V): string | null {
  try {
    return new URL(String(url)).hostname;
  } catch {
    return null;
  }
}

export function pageView(d: PageViewData): Html {
  const p = d.page;
  // Relative og:image and the like resolve against the page, as a browser would.
  const base = String(p.final_url ?? p.url);
  const urlValue = (v: V): Html =>
    v === null || v === undefined || v === '' ? text(v) : extLink(String(v), null, base);
  const redirects = (parseJson(p.redirects) as { url: string; status: number }[] | null) ?? [];
  const headers = (parseJson(p.headers) as Record<string, string> | null) ?? {};
  const feeds = (parseJson(p.feeds) as string[] | null) ?? [];
  const hreflang = (parseJson(p.hreflang) as { lang: string; url: string }[] | null) ?? [];

  const explorer = fields([
    ['Title', text(p.title)],
    ['Open Graph Title', text(p.og_title)],
    ['X Title', text(p.twitter_title)],
    ['Description', text(p.description)],
    ['OG Description', text(p.og_description)],
    ['X Description', text(p.twitter_description)],
    ['OG URL', urlValue(p.og_url)],
    ['OG Image', urlValue(p.og_image)],
    ['OG Type', text(p.og_type)],
    ['OG Site Name', text(p.og_site_name)],
    ['X (twitter:site)', text(p.twitter_site)],
    ['X Card', text(p.twitter_card)],
    ['X Image', urlValue(p.twitter_image)],
    ['Domain', text(domain(p.final_url ?? p.url))],
    ['Canonical', urlValue(p.canonical)],
    ['Language', text(p.lang)],
  ]);
  const resolved = fields([
    ['Best title', text(p.best_title)],
    ['Best description', text(p.best_description)],
    ['Best image', urlValue(p.best_image)],
    ['Best URL', urlValue(p.best_url)],
    ['Site name', text(p.site_name)],
    ['Author', text(p.author)],
    ['Published', text(p.published_at)],
    ['Modified', text(p.modified_at)],
    ['Page type', text(p.page_type)],
    ['Favicon', urlValue(p.favicon)],
    ['Robots', text(p.robots)],
    ['Keywords', text(p.keywords)],
    ['JSON-LD types', text(p.jsonld_types)],
    ['Feeds', feeds.length ? html`${feeds.map((f) => html`${extLink(f)}<br>`)}` : text(null)],
    [
      'hreflang',
      hreflang.length ? html`${hreflang.map((h) => html`${h.lang}: ${extLink(h.url)}<br>`)}` : text(null),
    ],
  ]);
  const fetch = fields([
    ['URL', urlValue(p.url)],
    ['Final URL', urlValue(p.final_url)],
    ['Status', text(p.status)],
    ['Error', p.error ? html`<span class="tag bad">${p.error}</span> ${p.error_detail ?? ''}` : text(null)],
    ['Content-Type', text(p.content_type)],
    ['Encoding', text(p.encoding)],
    ['Fetched at', text(p.fetched_at)],
    ['Fetch time', text(p.elapsed_ms === null ? null : `${num(p.elapsed_ms as number)} ms`)],
    ['Politeness wait', text(p.queued_ms === null ? null : `${num(p.queued_ms as number)} ms`)],
    ['Attempts', text(p.attempts)],
    [
      'Bytes',
      text(p.bytes === null ? null : `${num(p.bytes as number)}${p.truncated ? ' (truncated)' : ''}`),
    ],
    ['Depth', text(p.depth)],
    ['Discovered from', urlValue(p.discovered_from)],
    ['Stored at', text(p.stored_at)],
    [
      'Unchanged',
      p.unchanged === 1 ? html`yes: ${text(p.unchanged_reason)}` : text(p.unchanged === 0 ? 'no' : null),
    ],
  ]);

  const metaTable = d.meta.length
    ? html`<table class="grid" id="meta"><thead><tr><th>#</th><th>Attribute</th><th>Name</th><th>Content</th></tr></thead><tbody>${d.meta.map((m, i) => html`<tr><td class="n">${i + 1}</td><td>${m.attr}</td><td>${m.key}</td><td>${m.content === null ? html`<span class="muted">(no content)</span>` : m.content}</td></tr>`)}</tbody></table>`
    : html`<p class="muted">No meta tags.</p>`;
  const linksTable = d.links.length
    ? html`<table class="grid" id="links"><thead><tr><th>#</th><th>Text</th><th>URL</th><th>rel</th></tr></thead><tbody>${d.links.map((l, i) => html`<tr><td class="n">${i + 1}</td><td>${l.text || html`<span class="muted">(no text)</span>`}</td><td class="url">${extLink(l.url)}</td><td>${l.rel ?? ''}</td></tr>`)}</tbody></table>
${p.links_truncated ? html`<p class="muted">Only the first ${d.links.length} of ${num(p.links_count as number)} links were stored.</p>` : ''}`
    : html`<p class="muted">No links.</p>`;
  const jsonld = d.jsonld.length
    ? d.jsonld.map(
        (b, i) =>
          html`<h3>Block ${i + 1}${b.type ? html` · ${b.type}` : ''}${b.valid ? '' : html` <span class="tag bad">invalid JSON</span>`}</h3><pre class="json">${pretty(b.json)}</pre>`,
      )
    : html`<p class="muted">No JSON-LD.</p>`;
  // The crawl's own fields: one row per rule (values in match order), a failed rule with its reason from
  // pages.extract_errors; both sections are left out when the page has none.
  const extractErrors = (parseJson(p.extract_errors) as Record<string, unknown> | null) ?? {};
  const byRule = new Map<string, (string | null)[]>();
  for (const e of d.extracts ?? []) {
    const values = byRule.get(e.rule) ?? [];
    values.push(e.value);
    byRule.set(e.rule, values);
  }
  const ruleNames = [...new Set([...byRule.keys(), ...Object.keys(extractErrors)])].sort();
  const noMatch = html`<span class="muted">no match</span>`;
  const ruleValue = (rule: string): Html => {
    if (Object.hasOwn(extractErrors, rule))
      return html`<span class="tag bad">failed</span> <span class="reason">${String(extractErrors[rule])}</span>`;
    const values = byRule.get(rule) ?? [];
    if (values.length === 0) return noMatch;
    if (values.length === 1) return values[0] === null ? noMatch : html`${values[0]}`;
    return html`<ol class="values">${values.map((v) => html`<li>${v === null ? noMatch : v}</li>`)}</ol>`;
  };
  const extractsSection = ruleNames.length
    ? html`<section><h2>Extracted fields (${ruleNames.length})</h2><table class="grid" id="extracts"><thead><tr><th>Rule</th><th>Value</th></tr></thead><tbody>${ruleNames.map((r) => html`<tr><th>${r}</th><td>${ruleValue(r)}</td></tr>`)}</tbody></table></section>`
    : '';
  const microdata = d.microdata ?? [];
  const microdataSection = microdata.length
    ? html`<section id="microdata"><h2>Microdata (${microdata.length})</h2>${microdata.map(
        (m, i) =>
          html`<h3>Item ${i + 1}${m.type ? html` · ${m.type}` : ''}</h3><pre class="json">${pretty(m.json)}</pre>`,
      )}</section>`
    : '';
  const redirectList = redirects.length
    ? html`<ol class="redirects">${redirects.map((r) => html`<li><span class="tag info">${r.status}</span> ${extLink(r.url)}</li>`)}</ol>`
    : html`<p class="muted">No redirects.</p>`;
  const headerTable = Object.keys(headers).length
    ? html`<table class="grid" id="headers"><tbody>${Object.entries(headers).map(([k, v]) => html`<tr><th>${k}</th><td>${String(v)}</td></tr>`)}</tbody></table>`
    : html`<p class="muted">No headers stored.</p>`;
  const linkedFrom = !d.linkedFrom
    ? html`<p class="muted" id="linked-from">Not available yet: the index of links by target URL is built when the crawl being written ends.</p>`
    : d.linkedFrom.length
      ? html`<table class="grid" id="linked-from"><thead><tr><th>Page</th><th>Title</th><th>Link text</th></tr></thead><tbody>${d.linkedFrom.map((l) => html`<tr><td class="url"><a href="/page/${l.id}">${l.url}</a></td><td>${text(l.title)}</td><td>${l.text}</td></tr>`)}</tbody></table>`
      : html`<p class="muted" id="linked-from">No page of this crawl links here.</p>`;

  const history = d.history ?? [];
  const historyTable =
    history.length > 1
      ? html`<table class="grid" id="history"><thead><tr><th>Crawl</th><th>Status</th><th>Fetched at</th><th>Unchanged</th><th>Changed since the crawl before</th></tr></thead><tbody>${history.map(
          ({ row: h, changed }) =>
            html`<tr${h.id === p.id ? html` class="current"` : ''}><td><a href="/page/${h.id}">${h.crawl}</a>${h.id === p.id ? html` <span class="muted">(this page)</span>` : ''}</td><td>${h.error ? html`<span class="tag bad">${h.error}</span>` : text(h.status)}</td><td>${text(h.fetched_at)}</td><td>${h.unchanged === 1 ? html`<span class="tag info">${h.unchanged_reason ?? 'yes'}</span>` : text(null)}</td><td class="changed">${changed === null ? html`<span class="muted">first crawl</span>` : changed.length ? changed.join(', ') : html`<span class="muted">nothing</span>`}</td></tr>`,
        )}</tbody></table>`
      : html`<p class="muted" id="history">No other crawl of this database has this URL.</p>`;

  const title = String(p.best_title ?? p.title ?? p.url);
  const body = html`<h1 class="page-title">${title}</h1>
<p class="url-line">${urlValue(p.url)}</p>
<div class="cols">
<section><h2>Explorer</h2>${explorer}</section>
<section><h2>Resolved fields</h2>${resolved}</section>
</div>
<section><h2>Fetch</h2>${fetch}</section>
<section><h2>History (${history.length || 1} crawl${history.length > 1 ? 's' : ''})</h2>${historyTable}</section>
<section><h2>JSON-LD</h2>${jsonld}</section>
${extractsSection}${microdataSection}<section><h2>Meta tags (${d.meta.length})</h2>${metaTable}</section>
<section><h2>Links (${num(p.links_count as number | null)})</h2>${linksTable}</section>
<section><h2>Linked from${d.linkedFrom ? ` (${d.linkedFrom.length}${d.linkedFrom.length >= 200 ? '+' : ''})` : ''}</h2>${linkedFrom}</section>
<section><h2>Redirects</h2>${redirectList}</section>
<section><h2>Response headers</h2>${headerTable}</section>`;
  return layout(
    {
      title,
      crumbs: [
        ['Crawls', '/'],
        [d.crawl, crawlPath(d.crawl)],
        [String(p.url), `/page/${p.id}`],
      ],
      queues: d.queues,
    },
    body,
  );
}
