/**
 * Re-crawls (`--since <earlier crawl>`), the database side:
 * - SinceLinker (the store writer): compares a page with the earlier crawl's row of its URL and, when the
 *   metadata did not change, makes the new row share that row's links, meta tags and JSON-LD (`content_of`)
 *   and fills its metadata columns from it. An unchanged page costs one `pages` row, no child rows.
 * - SinceReader (the producer): the earlier row's validators and hashes, to send with each job.
 */
import type { Statement } from 'better-sqlite3';
import type { PageRecord, SinceData, UnchangedReason } from '../types.js';
import type { Db } from './db.js';
import { AUDIT_COLUMNS } from './rows.js';

/** The `pages` columns that hold what the extractor found: an unchanged page takes them from the earlier row. */
export const METADATA_COLUMNS = [
  'title',
  'description',
  'canonical',
  'lang',
  'charset',
  'viewport',
  'og_title',
  'og_description',
  'og_image',
  'og_url',
  'og_type',
  'og_site_name',
  'twitter_card',
  'twitter_site',
  'twitter_title',
  'twitter_description',
  'twitter_image',
  'links_count',
  'links_truncated',
  'jsonld_count',
  'jsonld_invalid',
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
  'feeds',
  'hreflang',
  'robots',
  'keywords',
  'jsonld_types',
  'meta_hash',
  // The site audit's fields come from the same body (h1, word count, text hashes, images, X-Robots-Tag).
  ...AUDIT_COLUMNS,
] as const;

interface EarlierRow {
  id: number;
  content_of: number | null;
  error: string | null;
  meta_hash: string | null;
}

export class SinceLinker {
  private readonly crawlIds = new Map<string, number | null>();
  private readonly selectCrawl: Statement;
  private readonly selectEarlier: Statement;
  private readonly fill: Statement;
  private readonly mark: Statement;

  constructor(db: Db) {
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
         unchanged = 1, unchanged_reason = @reason, content_of = @owner, since_page = @earlier
       WHERE id = @page`,
    );
    this.mark = db.prepare(
      `UPDATE pages SET unchanged = @unchanged, unchanged_reason = @reason, content_of = @owner,
         since_page = @earlier WHERE id = @page`,
    );
  }

  /** Crawl ids are trusted for one batch (as the writer's own). */
  newBatch(): void {
    this.crawlIds.clear();
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
    return true;
  }

  private earlier(r: PageRecord): EarlierRow | undefined {
    const name = r.since as string;
    let id = this.crawlIds.get(name);
    if (id === undefined) {
      id = (this.selectCrawl.get(name) as number | undefined) ?? null;
      this.crawlIds.set(name, id);
    }
    if (id === null) return undefined;
    return this.selectEarlier.get(id, r.url) as EarlierRow | undefined;
  }
}

/** An earlier crawl's rows as the producer sends them with each job (validators and hashes). */
export interface SinceRow extends SinceData {
  /** When the earlier row was fetched (ISO 8601): --trust-lastmod compares the sitemap lastmod with it. */
  fetchedAt: string | null;
}

export class SinceReader {
  private readonly stmt: Statement;
  readonly crawlId: number;

  /** Throws when the database has no crawl of that name. */
  constructor(db: Db, crawl: string) {
    const id = db.prepare('SELECT id FROM crawls WHERE name = ?').pluck().get(crawl) as number | undefined;
    if (id === undefined) throw new Error(`--since: the database has no crawl named "${crawl}"`);
    this.crawlId = id;
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
    const out: SinceRow = { fetchedAt: r.fetchedAt };
    if (r.etag) out.etag = r.etag;
    if (r.lastModified) out.lastModified = r.lastModified;
    if (r.bodyHash) out.bodyHash = r.bodyHash;
    if (r.metaHash) out.metaHash = r.metaHash;
    return out;
  }
}
