/**
 * `metacrawl diff <crawlA> <crawlB>`: pages added, removed and changed between two crawls of a database, with
 * each changed page's field changes (old → new). Which pages changed is the `page_pairs` view's answer (the
 * README's SQL recipe gives the same); the fields are then compared here, row against row.
 */
import type { Db } from './db.js';
import type { PageColumn } from './page-columns.js';

export type Change = 'added' | 'removed' | 'changed';
export type FieldValue = string | number | null;
/** `[old, new]`, or for `links` the link counts added and removed. */
export type FieldChange = [FieldValue, FieldValue] | { added: number; removed: number };

export interface PageDiff {
  url: string;
  change: Change;
  /** Only the fields that differ (none for added and removed pages). */
  fields: Record<string, FieldChange>;
}

export interface CrawlDiff {
  from: string;
  to: string;
  pages: PageDiff[];
}

export interface DiffOptions {
  /** Compare only these fields: a changed page is listed when one of them changed (added/removed always are). */
  fields?: string[] | null;
  only?: Change[] | null;
}

/**
 * `pages` columns compared, by their column name (status as page_status gives it), in the order the changes are
 * listed; a subset of the writer's columns (page-columns.ts), which the type checks.
 */
export const DIFF_COLUMNS = [
  'status',
  'error',
  'final_url',
  'title',
  'description',
  'canonical',
  'lang',
  'charset',
  'viewport',
  'robots',
  'keywords',
  'hreflang',
  'feeds',
  'best_title',
  'best_description',
  'best_image',
  'best_url',
  'site_name',
  'author',
  'published_at',
  'modified_at',
  'page_type',
  'favicon',
  'jsonld_types',
  'jsonld_count',
  'jsonld_invalid',
  'links_count',
] as const satisfies readonly PageColumn[];

/**
 * Fields besides the columns: `jsonld` (the blocks' JSON, one per line), `links` (links added and removed, by
 * URL, text and rel), and every meta tag by its key: og:* and twitter:* keys as `og_image`, `twitter_card`
 * (':' becomes '_'), other keys as `meta:<key>` (e.g. `meta:author`); several tags of a key are one value, one
 * content per line.
 */
export function metaField(key: string): string {
  return /^(og|twitter):/i.test(key) ? key.replace(/:/g, '_') : `meta:${key}`;
}

interface Pair {
  url: string;
  a: number | null;
  b: number | null;
  change: Change | 'unchanged';
}

export class UnknownCrawlError extends Error {}

export function diffCrawls(db: Db, from: string, to: string, opts: DiffOptions = {}): CrawlDiff {
  const crawlId = (name: string): number => {
    const id = db.prepare('SELECT id FROM crawls WHERE name = ?').pluck().get(name) as number | undefined;
    if (id === undefined) throw new UnknownCrawlError(`no crawl named "${name}" in the database`);
    return id;
  };
  const aId = crawlId(from);
  const bId = crawlId(to);
  const pairs = db
    .prepare(
      `SELECT url, a, b, change FROM page_pairs WHERE a_crawl = ? AND b_crawl = ? AND change <> 'unchanged'
       ORDER BY url`,
    )
    .all(aId, bId) as Pair[];
  const only = opts.only && opts.only.length > 0 ? new Set(opts.only) : null;
  const want = opts.fields && opts.fields.length > 0 ? new Set(opts.fields) : null;
  const compare = pageComparer(db);
  const pages: PageDiff[] = [];
  for (const p of pairs) {
    const change = p.change as Change;
    if (only && !only.has(change)) continue;
    if (change !== 'changed') {
      pages.push({ url: p.url, change, fields: {} });
      continue;
    }
    const fields = compare(p.a as number, p.b as number);
    if (want) {
      for (const k of Object.keys(fields)) if (!want.has(k)) delete fields[k];
      if (Object.keys(fields).length === 0) continue;
    }
    pages.push({ url: p.url, change, fields });
  }
  return { from, to, pages };
}

/** A function comparing two page rows (ids) field by field: the fields that differ, old → new. */
export function pageComparer(db: Db): (a: number, b: number) => Record<string, FieldChange> {
  const cols = DIFF_COLUMNS.map((c) =>
    c === 'status' ? '(SELECT status FROM page_status WHERE page_id = p.id) AS status' : `p.${c}`,
  ).join(', ');
  const row = db.prepare(`SELECT ${cols} FROM pages p WHERE p.id = ?`);
  const metas = db.prepare('SELECT key, content FROM meta WHERE page_id = ? ORDER BY position');
  const jsonld = db.prepare('SELECT json FROM jsonld WHERE page_id = ? ORDER BY position').pluck();
  const links = db.prepare('SELECT url, text, rel FROM links WHERE page_id = ? ORDER BY position');
  return (a, b) => {
    const fields: Record<string, FieldChange> = {};
    const ra = row.get(a) as Record<string, FieldValue>;
    const rb = row.get(b) as Record<string, FieldValue>;
    for (const c of DIFF_COLUMNS) if (ra[c] !== rb[c]) fields[c] = [ra[c], rb[c]];
    const ma = metaMap(metas.all(a) as MetaRow[]);
    const mb = metaMap(metas.all(b) as MetaRow[]);
    for (const k of new Set([...ma.keys(), ...mb.keys()])) {
      const va = ma.get(k) ?? null;
      const vb = mb.get(k) ?? null;
      if (va !== vb) fields[k] = [va, vb];
    }
    const ja = (jsonld.all(a) as string[]).join('\n') || null;
    const jb = (jsonld.all(b) as string[]).join('\n') || null;
    if (ja !== jb) fields.jsonld = [ja, jb];
    const la = linkCounts(links.all(a) as LinkRow[]);
    const lb = linkCounts(links.all(b) as LinkRow[]);
    let added = 0;
    let removed = 0;
    for (const [k, n] of lb) added += Math.max(0, n - (la.get(k) ?? 0));
    for (const [k, n] of la) removed += Math.max(0, n - (lb.get(k) ?? 0));
    if (added || removed) fields.links = { added, removed };
    return fields;
  };
}

interface MetaRow {
  key: string;
  content: string | null;
}
interface LinkRow {
  url: string;
  text: string;
  rel: string | null;
}

function metaMap(rows: MetaRow[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const r of rows) {
    const f = metaField(r.key);
    const prev = m.get(f);
    m.set(f, prev === undefined ? (r.content ?? '') : `${prev}\n${r.content ?? ''}`);
  }
  return m;
}

function linkCounts(rows: LinkRow[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rows) {
    const k = `${r.url}\t${r.text}\t${r.rel ?? ''}`;
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}
