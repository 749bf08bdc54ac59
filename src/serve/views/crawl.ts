/** `/crawl/<name>`: charts of the crawl and a searchable, sortable, paginated, filterable table of its pages. */
import { barChart, histogram } from '../charts.js';
import {
  hasFilters,
  LACKS,
  type LacksKey,
  PAGE_SIZES,
  SORTS,
  type SortKey,
  type TableQuery,
  tableParams,
} from '../filters.js';
import { extLink, type Html, href, html, layout, num, pct, safeHref } from '../html.js';
import {
  COUNT_CAP,
  type CrawlBreakdown,
  type CrawlInfo,
  type PageListRow,
  SEARCH_WINDOW,
  type SearchPage,
} from '../reader.js';
import { crawlPath } from './crawls.js';
import { exportsSection } from './exports.js';

export interface CrawlViewData {
  crawl: CrawlInfo;
  breakdown: CrawlBreakdown;
  table: TableQuery;
  rows: PageListRow[];
  more: boolean;
  count: number;
  /** Set when the table is a search (keyset-paginated in URL order). */
  search: SearchPage | null;
  queues: boolean;
  /** The other crawls of the database, to compare this one with (none when the database cannot compare). */
  others?: string[];
}

function statusTone(status: number | null): 'ok' | 'warn' | 'bad' | 'info' {
  if (status === null) return 'bad';
  if (status < 300) return 'ok';
  if (status < 400) return 'info';
  return status < 500 ? 'warn' : 'bad';
}

function charts(d: CrawlViewData): Html {
  const base = crawlPath(d.crawl.name);
  const { breakdown, crawl } = d;
  const status = barChart(
    'Status codes',
    breakdown.byStatus.map(([s, n]) => ({
      label: s === null ? 'no response' : String(s),
      value: n,
      note: pct(n, crawl.pages),
      tone: statusTone(s),
      href: s === null ? href(base, { error: 'failed' }) : href(base, { status: s }),
    })),
  );
  const errors = barChart(
    'Error codes',
    crawl.byError.map(([code, n]) => ({
      label: code,
      value: n,
      note: pct(n, crawl.pages),
      tone: 'bad' as const,
      href: href(base, { error: code }),
    })),
    { empty: 'No failures.' },
  );
  const hosts = barChart(
    `Pages per host (top ${Math.min(20, breakdown.hosts)} of ${num(breakdown.hosts)})`,
    breakdown.topHosts.map(([h, n]) => ({ label: h, value: n, href: href(base, { host: h }) })),
  );
  const times = histogram(
    'Fetch time',
    breakdown.histogram.map((b) => ({ label: b.label, value: b.n })),
  );
  const share = (label: string, key: LacksKey) => {
    const have = crawl.ok - breakdown.lacking[key];
    return {
      label,
      value: have,
      note: pct(have, crawl.ok),
      tone: 'ok' as const,
      href: href(base, { lacks: key }),
    };
  };
  const shares = barChart(
    `Share of fetched pages with… (of ${num(crawl.ok)}; click for those without)`,
    [
      share('Open Graph (og:title)', 'og_title'),
      share('og:image', 'og_image'),
      share('Twitter card', 'twitter_card'),
      share('JSON-LD', 'jsonld'),
      share('canonical', 'canonical'),
      share('description', 'description'),
    ],
    { max: crawl.ok },
  );
  return html`<section class="charts">${status}${errors}${shares}${times}${hosts}</section>`;
}

function filterForm(d: CrawlViewData): Html {
  const t = d.table;
  const codes = d.crawl.byError.map(([c]) => c);
  const opt = (value: string, label: string, selected: boolean) =>
    html`<option value="${value}"${selected ? html` selected` : ''}>${label}</option>`;
  return html`<form class="filters" method="get" action="${crawlPath(d.crawl.name)}">
  <label>Search <input type="search" name="q" value="${t.q}" placeholder="URL or title contains…"></label>
  <label>Host <input type="text" name="host" value="${t.host}" placeholder="example.com" list="hosts"></label>
  <datalist id="hosts">${d.breakdown.topHosts.map(([h]) => html`<option value="${h}"></option>`)}</datalist>
  <label>Status <input type="text" name="status" value="${t.status ?? ''}" size="4" inputmode="numeric" pattern="\\d{3}"></label>
  <label>Outcome <select name="error">
    ${opt('', 'any', t.error === '')}${opt('ok', 'fetched (no error)', t.error === 'ok')}${opt('failed', 'failed (any code)', t.error === 'failed')}
    ${codes.map((c) => opt(c, c, t.error === c))}
  </select></label>
  <label>Lacks <select name="lacks">
    ${opt('', '—', t.lacks === '')}
    ${(Object.entries(LACKS) as [LacksKey, { label: string }][]).map(([k, v]) => opt(k, v.label, t.lacks === k))}
  </select></label>
  <label>Sort <select name="sort">${(Object.entries(SORTS) as [SortKey, { label: string }][]).map(([k, v]) => opt(k, v.label, t.sort === k))}</select></label>
  <label>Order <select name="dir">${opt('asc', 'ascending', t.dir === 'asc')}${opt('desc', 'descending', t.dir === 'desc')}</select></label>
  <label>Rows <select name="per">${PAGE_SIZES.map((n) => opt(String(n), String(n), t.per === n))}</select></label>
  <label class="check"><input type="checkbox" name="thumbs" value="1"${t.thumbs ? html` checked` : ''}> og:image thumbnails</label>
  <button type="submit">Apply</button>
  ${hasFilters(t) ? html`<a href="${crawlPath(d.crawl.name)}">Clear</a>` : ''}
</form>`;
}

function sortHeader(d: CrawlViewData, key: SortKey, label: string, cls = ''): Html {
  const t = d.table;
  if (d.search) return html`<th class="${cls}">${label}</th>`;
  const active = t.sort === key;
  const dir = active && t.dir === 'asc' ? 'desc' : 'asc';
  const to = href(crawlPath(d.crawl.name), tableParams(t, { sort: key, dir, page: 1 }));
  return html`<th class="${cls}"><a href="${to}"${active ? html` aria-sort="${t.dir === 'asc' ? 'ascending' : 'descending'}"` : ''}>${label}${active ? (t.dir === 'asc' ? ' ▲' : ' ▼') : ''}</a></th>`;
}

/** Previous / page n / next links of an offset-paginated table at `base` (the audit findings use it too). */
export function pageLinks(base: string, t: TableQuery, more: boolean): Html {
  return html`<nav class="pager">
  ${t.page > 1 ? html`<a rel="prev" href="${href(base, tableParams(t, { page: t.page - 1 }))}">← Previous</a>` : ''}
  <span>Page ${num(t.page)}</span>
  ${more ? html`<a rel="next" href="${href(base, tableParams(t, { page: t.page + 1 }))}">Next →</a>` : ''}
</nav>`;
}

function table(d: CrawlViewData): Html {
  const t = d.table;
  const base = crawlPath(d.crawl.name);
  const rows = d.rows.map((r) => {
    const thumb = t.thumbs ? safeHref(r.og_image) : null;
    return html`<tr>
  <td class="url"><a href="/page/${r.id}">${r.url}</a></td>
  <td>${r.error ? html`<span class="tag bad">${r.error}</span> ` : ''}${r.status === null ? '' : html`<span class="tag ${statusTone(r.status)}">${r.status}</span>`}</td>
  <td>${r.title ?? html`<span class="muted">—</span>`}</td>
  <td class="n">${num(r.elapsed_ms)}</td>
  <td>${r.jsonld_types ?? ''}</td>
  ${t.thumbs ? html`<td>${thumb ? html`<img class="thumb" src="${thumb}" alt="" loading="lazy">` : ''}</td>` : ''}
</tr>`;
  });
  const from = (t.page - 1) * t.per;
  let shown: string;
  let pager: Html;
  if (d.search) {
    const s = d.search;
    shown = `${num(d.rows.length)} ${d.rows.length === 1 ? 'match' : 'matches'} for “${t.q}” in URL order${t.after ? ` after ${t.after}` : ''}${s.windowEnded ? ` (searched the next ${num(SEARCH_WINDOW)} pages)` : ''}.`;
    pager = html`<nav class="pager">
  ${t.after ? html`<a href="${href(base, tableParams(t, { after: '' }))}">↺ From the start</a>` : ''}
  ${s.next ? html`<a rel="next" href="${href(base, tableParams(t, { after: s.next }))}">${s.windowEnded ? 'Continue searching →' : 'Next →'}</a>` : html`<span class="muted">End of the crawl.</span>`}
</nav>`;
  } else {
    shown =
      d.rows.length === 0
        ? 'No pages match.'
        : `Rows ${num(from + 1)}–${num(from + d.rows.length)} of ${d.count > COUNT_CAP ? `${num(COUNT_CAP)}+` : num(d.count)} matching`;
    pager = pageLinks(base, t, d.more);
  }
  return html`<p class="muted" id="shown">${shown}</p>
<table class="grid pages" id="pages">
<thead><tr>${sortHeader(d, 'url', 'URL')}${sortHeader(d, 'status', 'Status / error')}${sortHeader(d, 'title', 'Title')}${sortHeader(d, 'elapsed', 'Fetch ms', 'n')}<th>JSON-LD types</th>${t.thumbs ? html`<th>og:image</th>` : ''}</tr></thead>
<tbody>${rows}</tbody>
</table>
${pager}`;
}

export function crawlView(d: CrawlViewData): Html {
  const c = d.crawl;
  const body = html`<h1>Crawl <span class="name">${c.name}</span></h1>
<p class="summary">${num(c.pages)} pages · ${num(c.ok)} fetched · ${num(c.failed)} failed · ${c.rate === null ? '' : `${c.rate.toFixed(1)} pages/s · `}${c.firstFetchedAt ?? ''} → ${c.lastFetchedAt ?? ''}</p>
${
  d.others?.length
    ? html`<p id="compare-with">Compare with: ${d.others.map((o) => html`<a href="/compare/${encodeURIComponent(o)}/${encodeURIComponent(c.name)}">${o} → ${c.name}</a> `)}</p>`
    : ''
}
<nav class="tabs" id="crawl-tabs"><span class="current">Pages</span> · <a href="${crawlPath(c.name)}/audit">Audit</a> · <a href="#export">Export</a></nav>
${charts(d)}
<h2>Pages</h2>
${filterForm(d)}
${table(d)}
${exportsSection(c.name)}
<p class="muted">Tip: the <a href="/sql">SQL box</a> answers anything this table cannot. Page links open the explorer view; ${extLink('https://www.sqlite.org/lang.html', 'SQLite SQL reference')}.</p>`;
  return layout(
    {
      title: `Crawl ${c.name}`,
      crumbs: [
        ['Crawls', '/'],
        [c.name, crawlPath(c.name)],
      ],
      queues: d.queues,
    },
    body,
  );
}
