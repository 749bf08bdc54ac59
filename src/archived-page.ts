/**
 * One archived page extracted again, for `reextract`: its WARC record read back and decoded, then the worker's
 * path (src/page-extract.ts, src/custom-fields.ts) and its hashes. On reextract's threads (the store stage's
 * reextract-thread.ts) or its own: the same function, so both store the same rows. Jobs and results are
 * structured-cloneable (they cross threads).
 */
import { type ArchiveLocation, WarcReader } from './archive/index.js';
import { addCustomFields, type CustomSettings } from './custom-fields.js';
import { bodyHash, metaHash } from './hashes.js';
import { extractResponse } from './page-extract.js';
import type { PageMetadata } from './types.js';

export interface ArchivedPageJob {
  url: string;
  finalUrl: string;
  headers: Record<string, string>;
  archive: ArchiveLocation;
}

export type ArchivedPageResult =
  | { ok: true; encoding: string; meta: PageMetadata; bodyHash: string; metaHash: string }
  | { ok: false; error: 'NOT_HTML' | 'BINARY_CONTENT'; errorDetail: string };

/** What every job of one run shares. */
export interface ArchivedPageSettings {
  /** The archive directory read. */
  dir: string;
  maxLinks: number;
  custom: CustomSettings;
}

/** Extracts archived pages of one archive directory (its files kept open); close() when done. */
export class ArchivedPageExtractor {
  private readonly reader: WarcReader;

  constructor(private readonly settings: ArchivedPageSettings) {
    this.reader = new WarcReader(settings.dir);
  }

  /** Throws (an `archive: …` Error) when the record cannot be read: the run stops, as before threads. */
  extract(job: ArchivedPageJob): ArchivedPageResult {
    const { maxLinks, custom } = this.settings;
    const payload = this.reader.readSync(job.archive);
    const page = extractResponse(job.url, job.finalUrl, payload.body, job.headers, maxLinks);
    if (!page.ok) return page;
    addCustomFields(page.meta, custom, page.text, page.decoded);
    return {
      ok: true,
      encoding: page.encoding,
      meta: page.meta,
      bodyHash: bodyHash(payload.body),
      metaHash: metaHash(page.meta),
    };
  }

  close(): void {
    this.reader.close();
  }
}
