/**
 * Safe HTML building: `html` is a tagged template that escapes every interpolation unless it is already
 * Html (built by `html` itself). Crawled text is hostile, so nothing from the database reaches the page
 * without passing through `esc`.
 */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type Renderable = Html | string | number | boolean | null | undefined | Renderable[];

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Escapes text for an element body or a quoted attribute value. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (c) => ENTITIES[c]);
}

function render(v: Renderable): string {
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === null || v === undefined || v === false) return '';
  return esc(v);
}

export function html(strings: TemplateStringsArray, ...values: Renderable[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new Html(out);
}

/** Joins already-safe pieces. */
export function join(parts: Renderable[], sep = ''): Html {
  return new Html(parts.map(render).join(esc(sep)));
}

/** The URL (resolved against `base` when given) when it may be a live link (http or https), else null. */
export function safeHref(url: string | null | undefined, base?: string | null): string | null {
  if (!url) return null;
  try {
    const u = base ? new URL(url, base) : new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

/** A link to an external URL when its scheme is http(s); otherwise the text alone, never live. */
export function extLink(url: string | null | undefined, text?: string | null, base?: string | null): Html {
  const href = safeHref(url, base);
  const label = text === undefined || text === null || text === '' ? (url ?? '') : text;
  if (!href) return html`<span class="dead" title="not an http(s) link">${label}</span>`;
  return html`<a href="${href}" rel="noopener noreferrer nofollow" target="_blank">${label}</a>`;
}

/** An internal link: path plus query parameters (undefined, null and '' are left out). */
export function href(path: string, params: Record<string, string | number | null | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export function num(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : n.toLocaleString('en-US');
}

export function pct(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '—';
}

export interface LayoutOptions {
  title: string;
  /** Breadcrumb trail: [label, href] pairs; the last one is the current page. */
  crumbs?: [string, string][];
  queues?: boolean;
}

export function layout(opts: LayoutOptions, body: Html): Html {
  const crumbs = opts.crumbs ?? [];
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${opts.title} · metacrawl</title>
<link rel="stylesheet" href="/static/style.css">
<script src="/static/app.js" defer></script>
</head>
<body>
<header class="top">
  <a class="brand" href="/">metacrawl</a>
  <nav>
    <a href="/">Crawls</a>
    <a href="/sql">SQL</a>
    ${opts.queues ? html`<a href="/queues/">Queues</a>` : ''}
  </nav>
</header>
${crumbs.length > 0 ? html`<nav class="crumbs">${join(crumbs.map(([label, to], i) => (i === crumbs.length - 1 ? html`<span>${label}</span>` : html`<a href="${to}">${label}</a> › `)))}</nav>` : ''}
<main>
${body}
</main>
</body>
</html>
`;
}
