/** The "Export" section of a crawl's view: every table in every format `metacrawl export` writes, as downloads. */
import { EXPORT_TABLES, type ExportFormat, type ExportTable } from '../../store/index.js';
import { type Html, html } from '../html.js';

/** What a crawl offers: `nested` is one JSONL document per page with its meta tags, links and JSON-LD. */
export type ExportKind = ExportTable | 'nested';

/** A download's path; the route is routes/export.ts. */
export function exportPath(crawl: string, kind: ExportKind, format: ExportFormat, gzip: boolean): string {
  return `/crawl/${encodeURIComponent(crawl)}/export/${kind}.${format}${gzip ? '.gz' : ''}`;
}

const WHAT: Record<ExportKind, string> = {
  pages: 'one row per page',
  links: 'one row per link, with page_id and page_url',
  meta: 'one row per meta tag, with page_id and page_url',
  jsonld: 'one row per JSON-LD block, with page_id and page_url',
  nested: 'one document per page with its meta tags, links and JSON-LD',
};

export function exportsSection(crawl: string): Html {
  const link = (kind: ExportKind, format: ExportFormat, gzip: boolean, label: string) =>
    html`<a href="${exportPath(crawl, kind, format, gzip)}" download data-export="${kind}.${format}${gzip ? '.gz' : ''}">${label}</a>`;
  const rows = [...EXPORT_TABLES, 'nested' as const].map(
    (kind) => html`<tr>
  <th>${kind}</th>
  <td>${link(kind, 'jsonl', false, 'JSONL')} · ${link(kind, 'jsonl', true, 'JSONL.gz')}</td>
  <td>${kind === 'nested' ? '' : html`${link(kind, 'csv', false, 'CSV')} · ${link(kind, 'csv', true, 'CSV.gz')}`}</td>
  <td>${kind === 'nested' ? '' : link(kind, 'parquet', false, 'Parquet')}</td>
  <td class="muted">${WHAT[kind]}</td>
</tr>`,
  );
  return html`<h2 id="export">Export</h2>
<table class="grid" id="exports">
<thead><tr><th>Table</th><th>JSONL</th><th>CSV</th><th>Parquet</th><th></th></tr></thead>
<tbody>${rows}</tbody>
</table>
<p class="muted">The files <code>metacrawl export --crawl ${crawl}</code> writes, streamed as they are read; CSV cells that a spreadsheet would run as a formula are neutralised.</p>`;
}
