/** `/`: every crawl with its counts and a link into it. */
import { type Html, html, layout, num, pct } from '../html.js';
import type { CrawlInfo } from '../reader.js';

export function crawlPath(name: string): string {
  return `/crawl/${encodeURIComponent(name)}`;
}

export function crawlsView(crawls: CrawlInfo[], queues: boolean): Html {
  const rows = crawls.map(
    (c) => html`<tr>
  <td><a href="${crawlPath(c.name)}">${c.name}</a></td>
  <td class="n">${num(c.pages)}</td>
  <td class="n">${num(c.ok)}</td>
  <td class="n">${num(c.failed)} <span class="muted">${c.pages ? pct(c.failed, c.pages) : ''}</span></td>
  <td>${c.byError.length === 0 ? html`<span class="muted">none</span>` : c.byError.map(([code, n]) => html`<a class="tag bad" href="${crawlPath(c.name)}?error=${encodeURIComponent(code)}">${code} ${num(n)}</a> `)}</td>
  <td class="n">${c.rate === null ? '—' : c.rate.toFixed(1)}</td>
  <td>${c.firstFetchedAt ?? '—'}</td>
  <td>${c.lastFetchedAt ?? '—'}</td>
</tr>`,
  );
  const body = html`<h1>Crawls</h1>
${
  crawls.length === 0
    ? html`<p class="muted">No crawls in this database yet. Run <code>metacrawl crawl seeds.txt</code>.</p>`
    : html`<table class="grid" id="crawls">
<thead><tr><th>Crawl</th><th class="n">Stored</th><th class="n">OK</th><th class="n">Failed</th><th>Failed by code</th><th class="n">Pages/s</th><th>Started</th><th>Finished</th></tr></thead>
<tbody>${rows}</tbody>
</table>`
}`;
  return layout({ title: 'Crawls', queues }, body);
}
