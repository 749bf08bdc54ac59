/** `/compare/<A>/<B>`: what `metacrawl diff A B` says, with links to both versions of each page. */
import type { PageDiff } from '../../store/index.js';
import { type Html, html, layout, num } from '../html.js';
import { crawlPath } from './crawls.js';

export interface CompareViewData {
  from: string;
  to: string;
  /** Every added, removed and changed page, with its row ids in each crawl (null where absent). */
  pages: (PageDiff & { a: number | null; b: number | null })[];
  queues: boolean;
}

/** Changed pages shown in full; the rest are counted (the SQL box and `metacrawl diff` list them all). */
const SHOWN = 500;

function short(v: unknown): string {
  const s = v === null || v === undefined ? '∅' : String(v);
  return s.length > 160 ? `${s.slice(0, 157)}…` : s;
}

export function compareView(d: CompareViewData): Html {
  const count = (c: string) => d.pages.filter((p) => p.change === c).length;
  const rows = d.pages.slice(0, SHOWN).map((p) => {
    const fields = Object.entries(p.fields).map(([k, v]) =>
      Array.isArray(v)
        ? html`<li><b>${k}</b>: ${short(v[0])} → ${short(v[1])}</li>`
        : html`<li><b>${k}</b>: +${v.added} −${v.removed}</li>`,
    );
    return html`<tr class="${p.change}"><td class="url">${p.url}</td><td><span class="tag ${p.change === 'removed' ? 'bad' : p.change === 'added' ? 'ok' : 'info'}">${p.change}</span></td><td>${p.a === null ? '' : html`<a href="/page/${p.a}">${d.from}</a>`}</td><td>${p.b === null ? '' : html`<a href="/page/${p.b}">${d.to}</a>`}</td><td>${fields.length ? html`<ul class="changes">${fields}</ul>` : ''}</td></tr>`;
  });
  const body = html`<h1>Crawl <span class="name">${d.from}</span> → <span class="name">${d.to}</span></h1>
<p class="summary" id="compare-counts">${num(count('added'))} added · ${num(count('removed'))} removed · ${num(count('changed'))} changed</p>
${
  d.pages.length
    ? html`<table class="grid" id="changes"><thead><tr><th>URL</th><th>Change</th><th>Before</th><th>After</th><th>Fields (old → new)</th></tr></thead><tbody>${rows}</tbody></table>
${d.pages.length > SHOWN ? html`<p class="muted">${num(d.pages.length - SHOWN)} more: see <code>metacrawl diff ${d.from} ${d.to}</code>.</p>` : ''}`
    : html`<p class="muted">No page was added, removed or changed.</p>`
}`;
  return layout(
    {
      title: `${d.from} → ${d.to}`,
      crumbs: [
        ['Crawls', '/'],
        [d.to, crawlPath(d.to)],
        [`compared with ${d.from}`, `/compare/${encodeURIComponent(d.from)}/${encodeURIComponent(d.to)}`],
      ],
      queues: d.queues,
    },
    body,
  );
}
