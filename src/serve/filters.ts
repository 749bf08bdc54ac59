/**
 * The crawl table's query string → a parameterized WHERE / ORDER BY. Pure: every column name and SQL
 * fragment comes from the fixed tables below, user input only ever travels as a bound parameter.
 */

/** "Lacks a field" filters: each is the WHERE of a partial index in migration 003. */
export const LACKS = {
  title: { label: 'no <title>', sql: 'error IS NULL AND title IS NULL', index: 'pages_lacks_title' },
  description: {
    label: 'no description',
    sql: 'error IS NULL AND description IS NULL',
    index: 'pages_lacks_description',
  },
  og_title: {
    label: 'no og:title',
    sql: 'error IS NULL AND og_title IS NULL',
    index: 'pages_lacks_og_title',
  },
  og_image: {
    label: 'no og:image',
    sql: 'error IS NULL AND og_image IS NULL',
    index: 'pages_lacks_og_image',
  },
  twitter_card: {
    label: 'no twitter:card',
    sql: 'error IS NULL AND twitter_card IS NULL',
    index: 'pages_lacks_twitter_card',
  },
  canonical: {
    label: 'no canonical',
    sql: 'error IS NULL AND canonical IS NULL',
    index: 'pages_lacks_canonical',
  },
  jsonld: { label: 'no JSON-LD', sql: 'error IS NULL AND jsonld_count = 0', index: 'pages_lacks_jsonld' },
  noindex: {
    label: 'noindex',
    sql: "error IS NULL AND instr(lower(robots), 'noindex') > 0",
    index: 'pages_noindex',
  },
} as const;
export type LacksKey = keyof typeof LACKS;

export const SORTS = {
  url: { label: 'URL', column: 'url' },
  status: { label: 'Status', column: 'status' },
  elapsed: { label: 'Fetch ms', column: 'elapsed_ms' },
  title: { label: 'Title', column: 'title' },
  fetched: { label: 'Fetched', column: 'fetched_at' },
} as const;
export type SortKey = keyof typeof SORTS;

export const PAGE_SIZES = [25, 50, 100, 200] as const;

export interface TableQuery {
  q: string;
  host: string;
  status: number | null;
  /** '' = any; 'ok' = no error; 'failed' = any error; else one code. */
  error: string;
  lacks: LacksKey | '';
  sort: SortKey;
  dir: 'asc' | 'desc';
  page: number;
  per: number;
  thumbs: boolean;
  /** Search only: continue after this URL (search pages are keyset-paginated in URL order). */
  after: string;
}

const MAX_PAGE = 100_000;

/** Unknown or malformed values fall back to defaults rather than failing the page. */
export function parseTableQuery(params: URLSearchParams): TableQuery {
  const get = (k: string) => (params.get(k) ?? '').trim();
  const statusText = get('status');
  const status = /^\d{3}$/.test(statusText) ? Number(statusText) : null;
  const error = get('error');
  const lacks = get('lacks');
  const sort = get('sort');
  const per = Number(get('per'));
  const page = Math.floor(Number(get('page')));
  return {
    q: get('q').slice(0, 200),
    host: get('host').slice(0, 300),
    status,
    error: /^[A-Z0-9_]{1,40}$/.test(error) || error === 'ok' || error === 'failed' ? error : '',
    lacks: lacks in LACKS ? (lacks as LacksKey) : '',
    sort: sort in SORTS ? (sort as SortKey) : 'url',
    dir: get('dir') === 'desc' ? 'desc' : 'asc',
    page: Number.isFinite(page) && page >= 1 ? Math.min(page, MAX_PAGE) : 1,
    per: (PAGE_SIZES as readonly number[]).includes(per) ? per : 50,
    thumbs: get('thumbs') === '1',
    after: get('after').slice(0, 8192),
  };
}

/** The query string of a table view (defaults left out), with `patch` applied. */
export function tableParams(t: TableQuery, patch: Partial<TableQuery> = {}): Record<string, string> {
  const v = { ...t, ...patch };
  const out: Record<string, string> = {};
  if (v.q) out.q = v.q;
  if (v.host) out.host = v.host;
  if (v.status !== null) out.status = String(v.status);
  if (v.error) out.error = v.error;
  if (v.lacks) out.lacks = v.lacks;
  if (v.sort !== 'url') out.sort = v.sort;
  if (v.dir !== 'asc') out.dir = v.dir;
  if (v.page !== 1) out.page = String(v.page);
  if (v.per !== 50) out.per = String(v.per);
  if (v.thumbs) out.thumbs = '1';
  if (v.after && v.q) out.after = v.after;
  return out;
}

export function hasFilters(t: TableQuery): boolean {
  return t.q !== '' || t.host !== '' || t.status !== null || t.error !== '' || t.lacks !== '';
}

function likePattern(s: string): string {
  return `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export interface SqlParts {
  /** `FROM pages [INDEXED BY ...] WHERE ...` */
  from: string;
  orderBy: string;
  params: (string | number)[];
}

/** The filters other than search, as SQL conditions (no crawl_id) and their parameters. */
export function filterConditions(t: TableQuery): { where: string[]; params: (string | number)[] } {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (t.host) {
    where.push('host = ?');
    params.push(t.host);
  }
  if (t.status !== null) {
    where.push('status = ?');
    params.push(t.status);
  }
  if (t.error === 'ok') where.push('error IS NULL');
  else if (t.error === 'failed') where.push('error IS NOT NULL');
  else if (t.error) {
    where.push('error = ?');
    params.push(t.error);
  }
  if (t.lacks) where.push(LACKS[t.lacks].sql);
  return { where, params };
}

/** Search: a case-insensitive substring of the URL or the title. */
export function searchCondition(q: string): { sql: string; params: string[] } {
  const p = likePattern(q);
  return { sql: "(url LIKE ? ESCAPE '\\' OR title LIKE ? ESCAPE '\\')", params: [p, p] };
}

/** Indexes that find a rare status or error at once, where the planner would rather read the crawl in sort order. */
export type NarrowIndex = 'pages_crawl_status' | 'pages_crawl_error';

/**
 * The index to read a status or error filter through when few rows match (the reader counts them, up to a cap):
 * SQLite's statistics say a status matches ~all pages (most are 200), so it reads the crawl in URL order and
 * filters — every row when none matches. The other filters choose their own index.
 */
export function narrowCandidate(
  t: TableQuery,
): { index: NarrowIndex; where: string; params: (string | number)[] } | null {
  if (t.host || t.q) return null;
  if (t.status !== null) return { index: 'pages_crawl_status', where: 'status = ?', params: [t.status] };
  if (t.error === 'failed') return { index: 'pages_crawl_error', where: 'error IS NOT NULL', params: [] };
  if (t.error && t.error !== 'ok')
    return { index: 'pages_crawl_error', where: 'error = ?', params: [t.error] };
  return null;
}

/**
 * The table without search: every filter is served by an index of migrations 001 and 003. `hasIndex` tells
 * whether an index exists: a writer storing a large crawl leaves the "lacks a field" ones off until its end
 * (store/indexes.ts), and `INDEXED BY` a missing index is an error where the query without it answers the same rows.
 */
export function tableSql(
  crawlId: number,
  t: TableQuery,
  narrow?: NarrowIndex,
  hasIndex: (name: string) => boolean = () => true,
): SqlParts {
  const f = filterConditions(t);
  const where = ['crawl_id = ?', ...f.where];
  const params: (string | number)[] = [crawlId, ...f.params];
  let indexed = narrow ? ` INDEXED BY ${narrow}` : '';
  // The planner would pick (crawl_id, error) for "error IS NULL"; the partial index is far smaller.
  if (t.lacks && !t.host && t.status === null && !t.error && hasIndex(LACKS[t.lacks].index))
    indexed = ` INDEXED BY ${LACKS[t.lacks].index}`;
  const col = SORTS[t.sort].column;
  const dir = t.dir === 'desc' ? 'DESC' : 'ASC';
  return {
    from: `FROM pages${indexed} WHERE ${where.join(' AND ')}`,
    orderBy: `ORDER BY ${col} ${dir}, id ${dir}`,
    params,
  };
}
