/**
 * The `pages` columns a record fills, in one table: each column with where its value comes from. The writer's
 * bind order (PAGE_COLUMNS), the site-audit columns and the columns a re-crawl's unchanged page takes from the
 * earlier row (METADATA_COLUMNS) are all read from it, so a new column is added in one place.
 */

/**
 * - `fetch`: the response and the job (an unchanged page keeps its own, or the earlier row's when it lacks one)
 * - `metadata`: what the extractor found (an unchanged page takes it from the earlier row)
 * - `audit`: the site audit's fields (schema 7), from the same body: metadata too
 * - `custom`: custom rules and microdata (a re-crawl copies them rule by rule)
 * - `archive`: where the response stands in a WARC file
 */
export type ColumnGroup = 'fetch' | 'metadata' | 'audit' | 'custom' | 'archive';

/** In bind order (crawl_id and stored_at are added by the writer). */
const COLUMNS = [
  ['url', 'fetch'],
  ['final_url', 'fetch'],
  ['status', 'fetch'],
  ['content_type', 'fetch'],
  ['error', 'fetch'],
  ['error_detail', 'fetch'],
  ['attempts', 'fetch'],
  ['fetched_at', 'fetch'],
  ['elapsed_ms', 'fetch'],
  ['queued_ms', 'fetch'],
  ['bytes', 'fetch'],
  ['truncated', 'fetch'],
  ['encoding', 'fetch'],
  ['title', 'metadata'],
  ['description', 'metadata'],
  ['canonical', 'metadata'],
  ['lang', 'metadata'],
  ['charset', 'metadata'],
  ['viewport', 'metadata'],
  ['og_title', 'metadata'],
  ['og_description', 'metadata'],
  ['og_image', 'metadata'],
  ['og_url', 'metadata'],
  ['og_type', 'metadata'],
  ['og_site_name', 'metadata'],
  ['twitter_card', 'metadata'],
  ['twitter_site', 'metadata'],
  ['twitter_title', 'metadata'],
  ['twitter_description', 'metadata'],
  ['twitter_image', 'metadata'],
  ['links_count', 'metadata'],
  ['links_truncated', 'metadata'],
  ['jsonld_count', 'metadata'],
  ['jsonld_invalid', 'metadata'],
  ['redirects', 'fetch'],
  ['headers', 'fetch'],
  ['depth', 'fetch'],
  ['discovered_from', 'fetch'],
  ['lastmod', 'fetch'],
  ['best_title', 'metadata'],
  ['best_description', 'metadata'],
  ['best_image', 'metadata'],
  ['best_url', 'metadata'],
  ['site_name', 'metadata'],
  ['author', 'metadata'],
  ['published_at', 'metadata'],
  ['modified_at', 'metadata'],
  ['page_type', 'metadata'],
  ['favicon', 'metadata'],
  ['feeds', 'metadata'],
  ['hreflang', 'metadata'],
  ['robots', 'metadata'],
  ['keywords', 'metadata'],
  ['jsonld_types', 'metadata'],
  ['body_hash', 'fetch'],
  ['meta_hash', 'metadata'],
  ['h1', 'audit'],
  ['h1_count', 'audit'],
  ['title_count', 'audit'],
  ['canonical_count', 'audit'],
  ['word_count', 'audit'],
  ['text_hash', 'audit'],
  ['simhash', 'audit'],
  ['img_count', 'audit'],
  ['img_missing_alt', 'audit'],
  ['x_robots_tag', 'audit'],
  ['extract_errors', 'custom'],
  ['microdata_count', 'custom'],
  ['microdata_types', 'custom'],
  ['warc_file', 'archive'],
  ['warc_offset', 'archive'],
  ['warc_length', 'archive'],
] as const satisfies readonly (readonly [string, ColumnGroup])[];

export type PageColumn = (typeof COLUMNS)[number][0];

function columnsOf(...groups: ColumnGroup[]): readonly PageColumn[] {
  return Object.freeze(COLUMNS.filter(([, g]) => groups.includes(g)).map(([c]) => c));
}

/** Columns of `pages` written from a record, in bind order. */
export const PAGE_COLUMNS: readonly PageColumn[] = Object.freeze(COLUMNS.map(([c]) => c));

/** The site-audit columns (schema 7), written from `meta.audit` (see auditValues in rows.ts). */
export const AUDIT_COLUMNS = columnsOf('audit');

/** The columns that hold what the extractor found: an unchanged page takes them from the earlier row. */
export const METADATA_COLUMNS = columnsOf('metadata', 'audit');
