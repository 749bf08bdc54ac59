/**
 * Server-side SVG bar charts: no script, no inline style (the CSP forbids both), sizes as SVG attributes.
 * Each bar may link to the table filtered on it.
 */
import { type Html, html, num } from './html.js';

export interface Bar {
  label: string;
  value: number;
  href?: string;
  /** Extra text after the count, e.g. a share. */
  note?: string;
  tone?: 'ok' | 'warn' | 'bad' | 'info';
}

const ROW = 22;
const LABEL_W = 200;
const BAR_W = 260;
const VALUE_W = 150;

/** Horizontal bars, one row each, scaled to the largest value (or to `max` when given). */
export function barChart(title: string, bars: Bar[], opts: { max?: number; empty?: string } = {}): Html {
  if (bars.length === 0) {
    return html`<figure class="chart"><figcaption>${title}</figcaption><p class="muted">${opts.empty ?? 'No data.'}</p></figure>`;
  }
  const max = Math.max(1, opts.max ?? Math.max(...bars.map((b) => b.value)));
  const width = LABEL_W + BAR_W + VALUE_W;
  const height = bars.length * ROW + 4;
  const rows = bars.map((b, i) => {
    const y = i * ROW + 2;
    const w = b.value > 0 ? Math.max(1, Math.round((BAR_W * b.value) / max)) : 0;
    const label = b.label.length > 30 ? `${b.label.slice(0, 29)}…` : b.label;
    const body = html`<title>${b.label}: ${num(b.value)}${b.note ? ` (${b.note})` : ''}</title>
<text class="label" x="${LABEL_W - 8}" y="${y + 15}" text-anchor="end">${label}</text>
<rect class="track" x="${LABEL_W}" y="${y + 3}" width="${BAR_W}" height="${ROW - 8}" rx="2"></rect>
<rect class="bar ${b.tone ?? 'info'}" x="${LABEL_W}" y="${y + 3}" width="${w}" height="${ROW - 8}" rx="2"></rect>
<text class="value" x="${LABEL_W + BAR_W + 8}" y="${y + 15}">${num(b.value)}${b.note ? ` · ${b.note}` : ''}</text>`;
    return b.href ? html`<a href="${b.href}">${body}</a>` : html`<g>${body}</g>`;
  });
  return html`<figure class="chart"><figcaption>${title}</figcaption>
<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${title}">${rows}</svg>
</figure>`;
}

/** Vertical bars for a histogram (buckets in order). */
export function histogram(title: string, bars: Bar[]): Html {
  const total = bars.reduce((s, b) => s + b.value, 0);
  if (total === 0) {
    return html`<figure class="chart"><figcaption>${title}</figcaption><p class="muted">No timings.</p></figure>`;
  }
  const colW = 66;
  const plotH = 120;
  const width = bars.length * colW + 10;
  const height = plotH + 44;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const cols = bars.map((b, i) => {
    const x = 5 + i * colW;
    const h = b.value > 0 ? Math.max(1, Math.round((plotH * b.value) / max)) : 0;
    return html`<g><title>${b.label}: ${num(b.value)}</title>
<rect class="bar info" x="${x + 6}" y="${plotH - h + 14}" width="${colW - 12}" height="${h}" rx="2"></rect>
<text class="value" x="${x + colW / 2}" y="${plotH - h + 10}" text-anchor="middle">${num(b.value)}</text>
<text class="label" x="${x + colW / 2}" y="${plotH + 30}" text-anchor="middle">${b.label}</text></g>`;
  });
  return html`<figure class="chart"><figcaption>${title}</figcaption>
<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${title}">${cols}</svg>
</figure>`;
}
