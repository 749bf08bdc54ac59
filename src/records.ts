/** Building PageRecords: every record of a job starts from the same empty page, filled in by what happened. */
import type { CrawlJobData, PageRecord } from './types.js';

/** A record for a job's URL with nothing fetched yet; `patch` fills in what is known. */
export function jobRecord(d: CrawlJobData, attempts: number, patch?: Partial<PageRecord>): PageRecord {
  const record: PageRecord = {
    crawl: d.crawl,
    url: d.url,
    depth: d.depth,
    discoveredFrom: d.from,
    finalUrl: null,
    status: null,
    contentType: null,
    error: null,
    errorDetail: null,
    attempts,
    fetchedAt: new Date().toISOString(),
    elapsedMs: null,
    queuedMs: null,
    bytes: null,
    truncated: false,
    redirects: [],
    headers: null,
    encoding: null,
    lastmod: d.lastmod ?? null,
    meta: null,
  };
  // Object.assign, not a spread into the literal: the same keys in the same order, at a sixth of the CPU.
  return patch === undefined ? record : Object.assign(record, patch);
}
