/**
 * `/crawl/<name>/audit`: every audit check with its severity and count of findings for the crawl, and
 * `/crawl/<name>/audit/<check>`: that check's findings, paginated, with a CSV download of all of them.
 */
import type { AuditCheck, AuditFinding } from '../../store/index.js';
import type { TableQuery } from '../filters.js';
import { extLink, type Html, html, layout, num } from '../html.js';
import type { CrawlInfo } from '../reader.js';
import { pageLinks } from './crawl.js';
import { crawlPath } from './crawls.js';

export function auditPath(crawl: string, check?: string): string {
  return `${crawlPath(crawl)}/audit${check === undefined ? '' : `/${encodeURIComponent(check)}`}`;
}

function severityTone(severity: string): 'bad' | 'warn' | 'info' {
  return severity === 'error' ? 'bad' : severity === 'warning' ? 'warn' : 'info';
}

function severityTag(severity: string): Html {
  return html`<span class="tag ${severityTone(severity)}">${severity}</span>`;
}

export interface AuditSummaryRow extends AuditCheck {
  count: number;
}

export function auditView(d: { crawl: CrawlInfo; checks: AuditSummaryRow[]; queues: boolean }): Html {
  const name = d.crawl.name;
  const total = d.checks.reduce((n, c) => n + c.count, 0);
  const withFindings = d.checks.filter((c) => c.count > 0).length;
  const rows = d.checks.map(
    (c) => html`<tr data-check="${c.id}">
  <td><a href="${auditPath(name, c.id)}">${c.id}</a></td>
  <td>${severityTag(c.severity)}</td>
  <td class="n">${c.count === 0 ? html`<span class="muted">0</span>` : num(c.count)}</td>
  <td>${c.finds}</td>
  <td><code>${c.view}</code></td>
</tr>`,
  );
  const body = html`<h1>Audit of crawl <span class="name">${name}</span></h1>
<nav class="tabs" id="crawl-tabs"><a href="${crawlPath(name)}">Pages</a> · <span class="current">Audit</span></nav>
<p class="summary" id="audit-summary">${num(total)} ${total === 1 ? 'finding' : 'findings'} in ${num(withFindings)} of ${num(d.checks.length)} checks.</p>
<table class="grid" id="audit">
<thead><tr><th>Check</th><th>Severity</th><th class="n">Findings</th><th>Finds</th><th>View</th></tr></thead>
<tbody>${rows}</tbody>
</table>
<p class="muted">The same as <code>metacrawl audit --crawl ${name}</code>; every check is a view the <a href="/sql">SQL box</a> can query. Thresholds are in <code>audit_settings</code>.</p>`;
  return layout(
    {
      title: `Audit of ${name}`,
      crumbs: [
        ['Crawls', '/'],
        [name, crawlPath(name)],
        ['Audit', auditPath(name)],
      ],
      queues: d.queues,
    },
    body,
  );
}

/** One finding as shown: its page's id (a link to the page view) when the URL has a row in the crawl. */
export interface FindingRow {
  finding: AuditFinding;
  pageId: number | null;
  targetId: number | null;
}

function detail(v: unknown): string {
  if (v === null || v === undefined) return '—';
  return typeof v === 'bigint' ? v.toString() : String(v);
}

export function auditCheckView(d: {
  crawl: CrawlInfo;
  check: AuditCheck;
  count: number;
  rows: FindingRow[];
  table: TableQuery;
  more: boolean;
  queues: boolean;
}): Html {
  const name = d.crawl.name;
  const c = d.check;
  const base = auditPath(name, c.id);
  const hasTarget = d.rows.some((r) => 'target' in r.finding);
  const rows = d.rows.map(({ finding, pageId, targetId }) => {
    const { url, target, ...details } = finding;
    const targetCell =
      target === undefined || target === null
        ? html`<span class="muted">—</span>`
        : targetId !== null
          ? html`<a href="/page/${targetId}">${String(target)}</a>`
          : extLink(String(target));
    return html`<tr>
  <td class="url">${pageId === null ? url : html`<a href="/page/${pageId}">${url}</a>`}</td>
  ${hasTarget ? html`<td class="url">${targetCell}</td>` : ''}
  <td class="details">${Object.entries(details).map(([k, v]) => html`<span class="detail"><span class="muted">${k}:</span> ${detail(v)}</span> `)}</td>
</tr>`;
  });
  const from = (d.table.page - 1) * d.table.per;
  const shown =
    d.rows.length === 0
      ? d.count === 0
        ? 'No findings.'
        : 'No findings on this page.'
      : `Findings ${num(from + 1)}–${num(from + d.rows.length)} of ${num(d.count)}`;
  const body = html`<h1>${c.id} <span class="muted">in crawl</span> <span class="name">${name}</span></h1>
<p class="summary">${severityTag(c.severity)} ${c.finds} · view <code>${c.view}</code> · <a id="audit-csv" href="${base}.csv" download>Download all ${num(d.count)} as CSV</a></p>
<p class="muted" id="shown">${shown}</p>
<table class="grid" id="findings">
<thead><tr><th>URL</th>${hasTarget ? html`<th>Target</th>` : ''}<th>Details</th></tr></thead>
<tbody>${rows}</tbody>
</table>
${pageLinks(base, d.table, d.more)}`;
  return layout(
    {
      title: `${c.id} · audit of ${name}`,
      crumbs: [
        ['Crawls', '/'],
        [name, crawlPath(name)],
        ['Audit', auditPath(name)],
        [c.id, base],
      ],
      queues: d.queues,
    },
    body,
  );
}
