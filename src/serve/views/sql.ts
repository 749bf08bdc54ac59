/** `/sql`: the read-only SQL box, its example queries and the result table. */
import { EXAMPLE_QUERIES } from '../examples.js';
import { type Html, href, html, layout, num } from '../html.js';
import type { Cell } from '../sql-runner.js';

export interface SqlViewData {
  sql: string;
  result: { columns: string[]; rows: Cell[][]; more: boolean; ms: number } | null;
  error: string | null;
  cap: number;
  queues: boolean;
}

function cell(v: Cell): Html {
  if (v === null) return html`<td class="null">NULL</td>`;
  if (typeof v === 'number') return html`<td class="n">${v}</td>`;
  return html`<td>${v.length > 500 ? `${v.slice(0, 499)}…` : v}</td>`;
}

export function sqlView(d: SqlViewData): Html {
  const r = d.result;
  const results = r
    ? html`<p class="muted" id="result-info">${r.more ? `First ${num(d.cap)} rows shown (more exist)` : `${num(r.rows.length)} ${r.rows.length === 1 ? 'row' : 'rows'}`} · ${r.ms.toFixed(0)} ms ·
  Download <a id="dl-csv" href="${href('/sql.csv', { q: d.sql })}" download="query.csv">CSV</a> / <a id="dl-json" href="${href('/sql.json', { q: d.sql })}" download="query.json">JSON</a> (every row)</p>
<div class="scroll"><table class="grid" id="result">
<thead><tr>${r.columns.map((c) => html`<th>${c}</th>`)}</tr></thead>
<tbody>${r.rows.map((row) => html`<tr>${row.map(cell)}</tr>`)}</tbody>
</table></div>`
    : '';
  const body = html`<h1>SQL</h1>
<p class="muted">One read-only statement over the results database (tables <code>crawls</code>, <code>pages</code>; views <code>meta</code>, <code>links</code> (whose <code>target</code> is the link URL without its #fragment), <code>jsonld</code>, <code>page_jsonld_types</code>, and <code>page_pairs</code> to compare two crawls). Anything that writes is refused.</p>
<form class="sql" method="get" action="/sql">
  <textarea name="q" rows="8" spellcheck="false" aria-label="SQL">${d.sql}</textarea>
  <button type="submit">Run</button>
</form>
${d.error ? html`<p class="error" id="sql-error">${d.error}</p>` : ''}
${results}
<h2>Examples</h2>
<ul class="examples">${EXAMPLE_QUERIES.map((e) => html`<li><a href="${href('/sql', { q: e.sql })}">${e.title}</a><pre>${e.sql}</pre></li>`)}</ul>`;
  return layout({ title: 'SQL', crumbs: [['SQL', '/sql']], queues: d.queues }, body);
}
