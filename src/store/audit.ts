/**
 * The site audit's query side: every check is a SQL view shipped by a migration (listed in `audit_checks`,
 * thresholds in `audit_settings`); this runs them for one crawl. Every view has `crawl_id` and `url` (the page
 * where the finding is seen), some a `target` (the linked, canonical or alternate URL), then details.
 */
import type { Db } from './db.js';
import { nearDuplicateRows } from './near-duplicates.js';
import { type Cell, cell, toCsv, toTable } from './query.js';

export interface AuditCheck {
  id: string;
  view: string;
  severity: string;
  finds: string;
}

export interface AuditFinding {
  url: string;
  target?: string;
  [detail: string]: unknown;
}

export interface AuditCheckResult {
  id: string;
  severity: string;
  /** Every finding (the items listed may be fewer when a limit is given). */
  count: number;
  items: AuditFinding[];
}

export interface AuditReport {
  crawl: string;
  checks: AuditCheckResult[];
}

export interface AuditOptions {
  /** Check ids to run (default: all, in their listed order). */
  checks?: string[];
  /** At most this many items per check (default: all). */
  limit?: number;
  /** Skip this many items of each check first, in their order (default 0): a page of findings. */
  offset?: number;
  /** What a caller already knows of the database as it is now (the explorer's cache): spares recomputing it. */
  memo?: AuditMemo;
}

/**
 * Remembered results, valid only while the database is unchanged (the caller keys them on that). `count` gives
 * a check's known count (or undefined); `rows` returns the remembered rows of a computed check or computes them.
 */
export interface AuditMemo {
  count(check: string): number | undefined;
  rows(check: string, compute: () => AuditFinding[]): AuditFinding[];
}

export interface AuditSetting {
  key: string;
  value: number;
  meaning: string;
}

/** A database without the audit schema, an unknown crawl, an unknown check or setting. */
export class AuditError extends Error {}

function requireAuditSchema(db: Db): void {
  const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_checks'").get();
  if (!has)
    throw new AuditError(
      `${db.name} has no audit views (written by an older metacrawl: open it once with this one to upgrade it)`,
    );
}

/** The checks, in their listed order. */
export function auditChecks(db: Db): AuditCheck[] {
  requireAuditSchema(db);
  return db
    .prepare('SELECT id, view, severity, finds FROM audit_checks ORDER BY position')
    .all() as AuditCheck[];
}

export function auditSettings(db: Db): AuditSetting[] {
  requireAuditSchema(db);
  return db.prepare('SELECT key, value, meaning FROM audit_settings ORDER BY key').all() as AuditSetting[];
}

/** Sets thresholds (a writable connection); an unknown key or a non-number value changes nothing. */
export function setAuditSettings(db: Db, values: Record<string, number>): void {
  requireAuditSchema(db);
  const known = new Set(auditSettings(db).map((s) => s.key));
  for (const [key, value] of Object.entries(values)) {
    if (!known.has(key))
      throw new AuditError(`unknown audit setting ${JSON.stringify(key)} (known: ${[...known].join(', ')})`);
    if (!Number.isFinite(value)) throw new AuditError(`audit setting ${key}: ${value} is not a number`);
  }
  const update = db.prepare('UPDATE audit_settings SET value = ? WHERE key = ?');
  db.transaction(() => {
    for (const [key, value] of Object.entries(values)) update.run(value, key);
  })();
}

/** Runs the checks over one crawl: every finding of each, in URL order (then target). */
export function runAudit(db: Db, crawl: string, opts: AuditOptions = {}): AuditReport {
  const all = auditChecks(db);
  const crawlRow = db.prepare('SELECT id FROM crawls WHERE name = ?').get(crawl) as
    | { id: number }
    | undefined;
  if (!crawlRow) {
    const names = db.prepare('SELECT name FROM crawls ORDER BY name').pluck().all() as string[];
    throw new AuditError(
      `no crawl named ${JSON.stringify(crawl)} in ${db.name}${names.length ? ` (crawls: ${names.join(', ')})` : ' (it has no crawls)'}`,
    );
  }
  let selected = all;
  if (opts.checks && opts.checks.length > 0) {
    const byId = new Map(all.map((c) => [c.id, c]));
    const unknown = opts.checks.filter((id) => !byId.has(id));
    if (unknown.length > 0)
      throw new AuditError(
        `unknown check ${unknown.join(', ')} (checks: ${all.map((c) => c.id).join(', ')})`,
      );
    const wanted = new Set(opts.checks);
    selected = all.filter((c) => wanted.has(c.id));
  }
  const stored = storedCounts(db, crawlRow.id);
  const memo: AuditMemo = {
    count: (id) => opts.memo?.count(id) ?? stored.get(id),
    rows: (id, compute) => (opts.memo ? opts.memo.rows(id, compute) : compute()),
  };
  const remembers = opts.memo !== undefined;
  const checks = selected.map((c) =>
    runCheck(db, c, crawlRow.id, opts.limit, opts.offset ?? 0, memo, remembers),
  );
  return { crawl, checks };
}

/** What a stored count depends on besides the crawl's pages: the schema (the views) and the thresholds. */
function countsSignature(db: Db): string {
  const settings = db
    .prepare(
      "SELECT group_concat(key || '=' || value, ',') FROM (SELECT key, value FROM audit_settings ORDER BY key)",
    )
    .pluck()
    .get() as string | null;
  return `${db.pragma('user_version', { simple: true })};${settings ?? ''}`;
}

function hasCountsTable(db: Db): boolean {
  return (
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_counts'").get() !==
    undefined
  );
}

/** The crawl's stored counts that still hold (its pages, the schema and the thresholds as when counted). */
function storedCounts(db: Db, crawlId: number): Map<string, number> {
  if (!hasCountsTable(db)) return new Map();
  const rows = db
    .prepare(
      `SELECT a.check_id, a.count FROM audit_counts a JOIN crawls c ON c.id = a.crawl_id
       WHERE a.crawl_id = ? AND a.pages_version = c.pages_version AND a.settings = ?`,
    )
    .raw()
    .all(crawlId, countsSignature(db)) as [string, number][];
  return new Map(rows);
}

/**
 * Crawls smaller than this get no stored counts at the end of a crawl: counting their checks live costs
 * ~35-40 µs per page (35 CPU s at 1,000,000 pages, 0.2 s at 5,000), under ~0.4 s here, and the explorer
 * remembers what it counted; storing them would cost the end of every such crawl as much again.
 */
export const AUDIT_COUNTS_MIN_PAGES = 10_000;

/**
 * Counts every check of every crawl whose stored counts no longer hold, and stores them (a writable connection;
 * the end of a crawl calls it, with minPages AUDIT_COUNTS_MIN_PAGES). Counted in one read transaction with the
 * crawl's pages_version, so a page written meanwhile leaves the stored counts marked as older than the crawl.
 * Crawls with fewer than `minPages` pages are left out. Returns the crawls counted.
 */
export function storeAuditCounts(
  db: Db,
  report: (message: string) => void = () => {},
  minPages = 0,
): string[] {
  if (!hasCountsTable(db)) return [];
  const checks = auditChecks(db);
  const crawls = db.prepare('SELECT id, name FROM crawls ORDER BY id').all() as {
    id: number;
    name: string;
  }[];
  const pageCount = db.prepare('SELECT count(*) FROM pages WHERE crawl_id = ?').pluck();
  const done: string[] = [];
  for (const crawl of crawls) {
    const counted = db
      .transaction(() => {
        const fresh = storedCounts(db, crawl.id);
        if (checks.every((c) => fresh.has(c.id))) return null;
        if (minPages > 0 && (pageCount.get(crawl.id) as number) < minPages) return null;
        const version = db
          .prepare('SELECT pages_version FROM crawls WHERE id = ?')
          .pluck()
          .get(crawl.id) as number;
        const settings = countsSignature(db);
        report(`counting audit findings of crawl ${crawl.name}…`);
        const started = performance.now();
        const counts = runAudit(db, crawl.name, { limit: 0 }).checks.map((c) => [c.id, c.count] as const);
        report(
          `counting audit findings of crawl ${crawl.name}: done in ${((performance.now() - started) / 1000).toFixed(1)} s`,
        );
        return { version, settings, counts };
      })
      .deferred();
    if (!counted) continue;
    const put = db.prepare(
      'INSERT OR REPLACE INTO audit_counts (crawl_id, check_id, count, pages_version, settings) VALUES (?, ?, ?, ?, ?)',
    );
    db.transaction(() => {
      for (const [id, count] of counted.counts)
        put.run(crawl.id, id, count, counted.version, counted.settings);
    }).immediate();
    done.push(crawl.name);
  }
  return done;
}

/**
 * Checks whose findings are computed here rather than read from their view (which stays, giving the same rows,
 * for SQL): the view of `near-duplicate-content` compares every pair of pages, hours at a million.
 */
const COMPUTED: Record<string, { view: string; rows: (db: Db, crawlId: number) => AuditFinding[] }> = {
  'near-duplicate-content': {
    view: 'audit_near_duplicate_content',
    rows: (db, crawlId) => nearDuplicateRows(db, crawlId),
  },
};

/**
 * Up to this many findings, a page of a check's findings asked for with a caller's memo (the explorer) reads all
 * of them once and keeps them while the database is unchanged: paging on, or back, does not run the view again
 * (a duplicate check's window sorts every page of the crawl whatever the LIMIT; seconds at a million pages).
 */
const REMEMBER_ROWS_UP_TO = 20_000;

function runCheck(
  db: Db,
  c: AuditCheck,
  crawlId: number,
  limit: number | undefined,
  offset: number,
  memo: AuditMemo | undefined,
  remembers = false,
): AuditCheckResult {
  const computed = COMPUTED[c.id];
  if (computed && c.view === computed.view) {
    const known = memo?.count(c.id);
    if (known !== undefined && (known === 0 || limit === 0))
      return { id: c.id, severity: c.severity, count: known, items: [] };
    const compute = () => computed.rows(db, crawlId);
    const all = memo ? memo.rows(c.id, compute) : compute();
    const skip = Math.max(0, Math.floor(offset));
    const end = limit === undefined ? all.length : skip + Math.max(0, Math.floor(limit));
    return { id: c.id, severity: c.severity, count: all.length, items: all.slice(skip, end) };
  }
  const view = quoteIdent(c.view);
  const cols = (db.prepare(`SELECT * FROM ${view} LIMIT 0`).columns() as { name: string }[]).map(
    (x) => x.name,
  );
  const order = cols.includes('target') ? 'url, target' : 'url';
  const known = memo?.count(c.id);
  const count =
    known ?? (db.prepare(`SELECT count(*) FROM ${view} WHERE crawl_id = ?`).pluck().get(crawlId) as number);
  if (count === 0 || limit === 0) return { id: c.id, severity: c.severity, count, items: [] };
  const skip = Math.max(0, Math.floor(offset));
  const read = (lim: string): AuditFinding[] =>
    (
      db.prepare(`SELECT * FROM ${view} WHERE crawl_id = ? ORDER BY ${order}${lim}`).all(crawlId) as Record<
        string,
        unknown
      >[]
    ).map((r) => {
      const item: AuditFinding = { url: String(r.url) };
      for (const k of cols) {
        if (k === 'crawl_id' || k === 'url') continue;
        item[k] = r[k];
      }
      return item;
    });
  if (remembers && memo && limit !== undefined && count <= REMEMBER_ROWS_UP_TO) {
    const all = memo.rows(c.id, () => read(''));
    return {
      id: c.id,
      severity: c.severity,
      count,
      items: all.slice(skip, skip + Math.max(0, Math.floor(limit))),
    };
  }
  const lim =
    limit === undefined
      ? skip > 0
        ? ` LIMIT -1 OFFSET ${skip}`
        : ''
      : ` LIMIT ${Math.max(0, Math.floor(limit))}${skip > 0 ? ` OFFSET ${skip}` : ''}`;
  return { id: c.id, severity: c.severity, count, items: read(lim) };
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export type AuditFormat = 'table' | 'csv' | 'json';

/**
 * The report as printed. json: one object, `{"crawl", "checks": [{"id", "severity", "count", "items"}]}`.
 * table: a summary (check, severity, findings), then each check with findings as its own table. csv: one row
 * per finding (check, severity, url, target, details as a JSON object), for a spreadsheet.
 */
export function formatAudit(report: AuditReport, format: AuditFormat): string {
  if (format === 'json') return `${JSON.stringify(report, jsonValue)}\n`;
  if (format === 'csv') {
    const rows: Cell[][] = [];
    for (const c of report.checks) {
      for (const { url, target, ...details } of c.items)
        rows.push([
          c.id,
          c.severity,
          url,
          target === undefined ? null : cell(target),
          JSON.stringify(details, jsonValue),
        ]);
    }
    return toCsv(['check', 'severity', 'url', 'target', 'details'], rows);
  }
  const parts = [
    `audit of crawl ${report.crawl}\n`,
    toTable(
      ['check', 'severity', 'findings'],
      report.checks.map((c) => [c.id, c.severity, c.count]),
    ),
  ];
  for (const c of report.checks) {
    if (c.count === 0) continue;
    const columns = [...new Set(c.items.flatMap((i) => Object.keys(i)))];
    parts.push(
      `\n${c.id} (${c.severity}, ${c.count})${c.items.length < c.count ? `: first ${c.items.length}` : ''}\n`,
      toTable(
        columns,
        c.items.map((i) => columns.map((k) => cell(i[k]))),
      ),
    );
  }
  return parts.join('');
}

/** BigInts (SimHash values) as exact decimal strings. */
function jsonValue(_key: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}
