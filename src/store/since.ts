/**
 * Re-crawls (`--since <earlier crawl>`), the database side:
 * - SinceLinker (the store writer): compares a page with the earlier crawl's row of its URL and, when the
 *   metadata did not change, makes the new row share that row's links, meta tags and JSON-LD (`content_of`)
 *   and fills its metadata columns from it. An unchanged page costs one `pages` row, no child rows.
 *   Its own fields (custom rule values, microdata) are copied rule by rule (shareCustom).
 * - SinceReader (the producer): the earlier row's validators and hashes, to send with each job.
 */
import type { Statement } from 'better-sqlite3';
import { type CustomSettings, hasCustomFields, ruleName } from '../custom-fields.js';
import type { PageRecord, SinceData, UnchangedReason } from '../types.js';
import type { Db } from './db.js';
import { METADATA_COLUMNS } from './page-columns.js';

interface EarlierRow {
  id: number;
  content_of: number | null;
  error: string | null;
  meta_hash: string | null;
}

/**
 * A crawl's rules and --microdata as its stored settings (crawls.settings) say; null when the database has no
 * settings for it. A crawl stored before rules existed has none: `extract` [] and `microdata` false.
 */
export function storedCustomSettings(db: Db, crawlId: number): CustomSettings | null {
  const json = db.prepare('SELECT settings FROM crawls WHERE id = ?').pluck().get(crawlId) as
    | string
    | null
    | undefined;
  if (!json) return null;
  try {
    const s = JSON.parse(json) as Partial<CustomSettings>;
    return {
      extract: Array.isArray(s.extract) ? s.extract.map(String) : [],
      microdata: s.microdata === true,
    };
  } catch {
    return null;
  }
}

/**
 * Whether every field `current` asks for is one `earlier` had, defined the same (the same normalised rule text,
 * --microdata on in both): then a page that did not change has those values in its earlier row.
 */
export function customCovered(current: CustomSettings | null, earlier: CustomSettings | null): boolean {
  if (!current || !hasCustomFields(current)) return true;
  if (!earlier) return false;
  const had = new Set(earlier.extract);
  return current.extract.every((t) => had.has(t)) && (!current.microdata || earlier.microdata);
}

/** Why a rule of a page that was not extracted again has no value (pages.extract_errors). */
const NOT_EVALUATED: Record<string, string> = {
  'not-modified': "not evaluated: 304 Not Modified (no body) and the rule is not the earlier crawl's",
  'same-body': "not evaluated: the body was the earlier crawl's and the rule is not the earlier crawl's",
  'same-metadata': 'not evaluated: the body changed and the record (of an older worker) has no values',
  lastmod: "not evaluated: not fetched (--trust-lastmod) and the rule is not the earlier crawl's",
};

export class SinceLinker {
  private readonly crawlIds = new Map<string, number | null>();
  private readonly custom = new Map<string, CustomSettings | null>();
  private readonly selectCrawl: Statement;
  private readonly selectEarlier: Statement;
  private readonly fill: Statement;
  private readonly mark: Statement;
  private readonly selectCustom: Statement;
  private readonly copyExtracts: Statement;
  private readonly insertExtract: Statement;
  private readonly copyMicrodata: Statement;
  private readonly setCustom: Statement;
  /** The page link() last shared, and the earlier row it shares. */
  private lastShared: { page: number; earlier: number } | null = null;

  constructor(private readonly db: Db) {
    this.selectCrawl = db.prepare('SELECT id FROM crawls WHERE name = ?').pluck();
    this.selectEarlier = db.prepare(
      'SELECT id, content_of, error, meta_hash FROM pages WHERE crawl_id = ? AND url = ?',
    );
    const cols = METADATA_COLUMNS.join(', ');
    // The response's own columns are kept (status 304, its headers); those a 304 or a skipped page lacks
    // (final URL, content type, encoding, body hash) are the earlier row's.
    this.fill = db.prepare(
      `UPDATE pages SET (${cols}, final_url, content_type, encoding, body_hash) =
         (SELECT ${cols}, coalesce(pages.final_url, e.final_url), coalesce(pages.content_type, e.content_type),
                 coalesce(pages.encoding, e.encoding), coalesce(pages.body_hash, e.body_hash)
          FROM pages e WHERE e.id = @earlier),
         unchanged = 1, unchanged_reason = @reason, content_of = @owner, since_page = @earlier,
         microdata_count = coalesce(microdata_count, 0)
       WHERE id = @page`,
    );
    this.mark = db.prepare(
      `UPDATE pages SET unchanged = @unchanged, unchanged_reason = @reason, content_of = @owner,
         since_page = @earlier WHERE id = @page`,
    );
    this.selectCustom = db.prepare(
      'SELECT extract_errors, microdata_count, microdata_types FROM pages WHERE id = ?',
    );
    this.copyExtracts = db.prepare(
      `INSERT INTO extracts (page_id, rule, position, value)
       SELECT @page, rule, position, value FROM extracts WHERE page_id = @earlier AND rule = @rule`,
    );
    this.insertExtract = db.prepare(
      'INSERT INTO extracts (page_id, rule, position, value) VALUES (?, ?, 0, NULL)',
    );
    this.copyMicrodata = db.prepare(
      `INSERT INTO microdata (page_id, position, type, json)
       SELECT @page, position, type, json FROM microdata WHERE page_id = @earlier`,
    );
    this.setCustom = db.prepare(
      'UPDATE pages SET extract_errors = ?, microdata_count = ?, microdata_types = ? WHERE id = ?',
    );
  }

  /** Crawl ids and settings are trusted for one batch (as the writer's own). */
  newBatch(): void {
    this.crawlIds.clear();
    this.custom.clear();
  }

  /**
   * Records how the page compares with its row in `r.since`. True when the page now shares that row's child
   * rows: the caller then writes none.
   */
  link(pageId: number, r: PageRecord): boolean {
    const earlier = this.earlier(r);
    const page = { page: pageId, earlier: earlier?.id ?? null, owner: null as number | null };
    const none = { ...page, unchanged: null, reason: null };
    if (!earlier || r.error) {
      // Nothing to compare with: a URL new to this crawl, or a failure (it says nothing about the page).
      this.mark.run(none);
      return false;
    }
    const owner = earlier.content_of ?? earlier.id;
    if (earlier.error !== null) {
      this.mark.run({ ...page, unchanged: 0, reason: null });
      return false;
    }
    let reason: UnchangedReason | null = r.unchanged ?? null;
    if (!reason && r.meta && r.metaHash && r.metaHash === earlier.meta_hash) reason = 'same-metadata';
    if (!reason) {
      this.mark.run({ ...page, unchanged: 0, reason: null });
      return false;
    }
    this.fill.run({ ...page, owner, reason });
    this.lastShared = { page: pageId, earlier: earlier.id };
    return true;
  }

  /**
   * The own fields of a page link() just shared, when its record brought none (a 304, the same body, a skip):
   * rule by rule, the values of a rule defined the same in both crawls are the earlier row's (copied: they are
   * a few rows, and the crawls' rules may differ); a rule new in this crawl has no body to run on, so its value
   * is null and extract_errors says "not evaluated". Microdata likewise, when --microdata is on in both crawls;
   * on in this crawl only, microdata_count is NULL (not evaluated).
   */
  shareCustom(pageId: number, r: PageRecord): void {
    const shared = this.lastShared;
    this.lastShared = null;
    if (r.meta || r.custom || !shared || shared.page !== pageId) return;
    const current = this.customSettings(r.crawl);
    // Without rules or --microdata there is nothing to share (fill set microdata_count 0, as a fresh crawl's).
    if (!current || !hasCustomFields(current)) return;
    // A changed body (same metadata) may give other values: an older worker's record without them has none.
    const earlier = r.unchanged === 'same-metadata' ? null : this.customSettings(r.since as string);
    const before = this.selectCustom.get(shared.earlier) as {
      extract_errors: string | null;
      microdata_count: number | null;
      microdata_types: string | null;
    };
    const oldErrors = parseErrors(before.extract_errors);
    const had = new Set(earlier?.extract ?? []);
    const errors: Record<string, string> = {};
    for (const text of current.extract) {
      const rule = ruleName(text);
      if (had.has(text)) {
        this.copyExtracts.run({ page: pageId, earlier: shared.earlier, rule });
        if (oldErrors[rule] !== undefined) errors[rule] = oldErrors[rule];
        continue;
      }
      if (!text.slice(0, text.indexOf('=')).endsWith('[]')) this.insertExtract.run(pageId, rule);
      errors[rule] = NOT_EVALUATED[r.unchanged ?? 'same-metadata'];
    }
    let count: number | null = 0;
    let types: string | null = null;
    if (current.microdata && earlier?.microdata) {
      this.copyMicrodata.run({ page: pageId, earlier: shared.earlier });
      count = before.microdata_count;
      types = before.microdata_types;
    } else if (current.microdata) count = null;
    const json = Object.keys(errors).length > 0 ? JSON.stringify(errors) : null;
    this.setCustom.run(json, count, types, pageId);
  }

  /** A crawl's rules and --microdata from the database (the store writer records them before its pages). */
  private customSettings(name: string): CustomSettings | null {
    if (this.custom.has(name)) return this.custom.get(name) ?? null;
    const id = this.crawlId(name);
    const s = id === null ? null : storedCustomSettings(this.db, id);
    this.custom.set(name, s);
    return s;
  }

  private crawlId(name: string): number | null {
    let id = this.crawlIds.get(name);
    if (id === undefined) {
      id = (this.selectCrawl.get(name) as number | undefined) ?? null;
      this.crawlIds.set(name, id);
    }
    return id;
  }

  private earlier(r: PageRecord): EarlierRow | undefined {
    const id = this.crawlId(r.since as string);
    if (id === null) return undefined;
    return this.selectEarlier.get(id, r.url) as EarlierRow | undefined;
  }
}

/** An earlier crawl's rows as the producer sends them with each job (validators and hashes). */
export interface SinceRow extends SinceData {
  /** When the earlier row was fetched (ISO 8601): --trust-lastmod compares the sitemap lastmod with it. */
  fetchedAt: string | null;
}

function parseErrors(json: string | null): Record<string, string> {
  if (!json) return {};
  try {
    return JSON.parse(json) as Record<string, string>;
  } catch {
    return {};
  }
}

export class SinceReader {
  private readonly stmt: Statement;
  readonly crawlId: number;

  /**
   * When the new crawl asks for own fields (`current`: its rules, --microdata) the earlier crawl did not have,
   * no page may be left unfetched or unextracted: only the metadata hash is sent (no validators, no body hash,
   * no --trust-lastmod skip), so every page's body is at hand to run the new rules on.
   */
  readonly covered: boolean;

  /** Throws when the database has no crawl of that name. */
  constructor(db: Db, crawl: string, current?: CustomSettings) {
    const id = db.prepare('SELECT id FROM crawls WHERE name = ?').pluck().get(crawl) as number | undefined;
    if (id === undefined) throw new Error(`--since: the database has no crawl named "${crawl}"`);
    this.crawlId = id;
    this.covered = customCovered(current ?? null, storedCustomSettings(db, id));
    // A page that shares an earlier row's metadata (a 304 may come without validators) has that row's too.
    this.stmt = db.prepare(
      `SELECT p.fetched_at AS fetchedAt, p.body_hash AS bodyHash, p.meta_hash AS metaHash,
              coalesce(json_extract(p.headers, '$.etag'), json_extract(o.headers, '$.etag')) AS etag,
              coalesce(json_extract(p.headers, '$."last-modified"'),
                       json_extract(o.headers, '$."last-modified"')) AS lastModified
       FROM pages p LEFT JOIN pages o ON o.id = p.content_of
       WHERE p.crawl_id = ? AND p.url = ? AND p.error IS NULL`,
    );
  }

  /** The earlier row of the URL, with only what it has; undefined when it has none (or it failed). */
  get(url: string): SinceRow | undefined {
    const r = this.stmt.get(this.crawlId, url) as Record<string, string | null> | undefined;
    if (!r) return undefined;
    if (!this.covered) return r.metaHash ? { fetchedAt: null, metaHash: r.metaHash } : { fetchedAt: null };
    const out: SinceRow = { fetchedAt: r.fetchedAt };
    if (r.etag) out.etag = r.etag;
    if (r.lastModified) out.lastModified = r.lastModified;
    if (r.bodyHash) out.bodyHash = r.bodyHash;
    if (r.metaHash) out.metaHash = r.metaHash;
    return out;
  }
}
