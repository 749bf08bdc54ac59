/**
 * One archived page extracted again, for `reextract`: its WARC record read back and decoded, then the worker's
 * path (src/page-extract.ts, src/custom-fields.ts) and its hashes. On reextract's threads (the store stage's
 * reextract-thread.ts) or its own: the same function, so both store the same rows. Jobs are structured-cloneable;
 * results cross threads packed (`extractPacked`, `unpackResults`): one JSON text per chunk of pages, built from
 * the text the metadata hash reads anyway, so a page's metadata is not serialized a second time as an object
 * graph (a structured clone cost its thread ~5% and the writing thread as much again to rebuild).
 */
import { type ArchiveLocation, WarcReader } from './archive/index.js';
import { addCustomFields, type CustomSettings } from './custom-fields.js';
import { bodyHash, metaHashFields, metaHashOfJson } from './hashes.js';
import { extractResponse } from './page-extract.js';
import { type PackedMeta, packMeta, unpackMeta } from './page-pack.js';
import type { PageMetadata } from './types.js';

export interface ArchivedPageJob {
  url: string;
  finalUrl: string;
  headers: Record<string, string>;
  archive: ArchiveLocation;
  /**
   * The body hash the crawl stored for these bytes, when it hashed all of them (not truncated): the archived
   * record holds the same bytes, so it is not computed again.
   */
  bodyHash?: string;
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

/**
 * A page's result as JSON: `[0, error, errorDetail]`, or `[1, encoding, bodyHash, metaHash, fields, rest,
 * values]` where the last three are the page's metadata packed (page-pack.ts).
 */
type Packed = [0, 'NOT_HTML' | 'BINARY_CONTENT', string] | [1, string, string, string, ...PackedMeta];

/** Extracts archived pages of one archive directory (its files kept open); close() when done. */
export class ArchivedPageExtractor {
  private readonly reader: WarcReader;

  constructor(private readonly settings: ArchivedPageSettings) {
    this.reader = new WarcReader(settings.dir);
  }

  /** Throws (an `archive: …` Error) when the record cannot be read: the run stops, as before threads. */
  extract(job: ArchivedPageJob): ArchivedPageResult {
    const p = this.extracted(job);
    if (!p.ok) return p;
    return {
      ok: true,
      encoding: p.encoding,
      meta: p.meta,
      bodyHash: p.bodyHash,
      metaHash: metaHashOfJson(p.fields),
    };
  }

  /** extract() as the JSON text of one `Packed` result: what a thread sends (unpackResults reads them). */
  extractPacked(job: ArchivedPageJob): string {
    const p = this.extracted(job);
    if (!p.ok) return JSON.stringify([0, p.error, p.errorDetail] satisfies Packed);
    return `[1,${JSON.stringify(p.encoding)},"${p.bodyHash}","${metaHashOfJson(p.fields)}",${packMeta(p.meta, p.fields)}]`;
  }

  /** The page extracted, with the JSON text of its metaHashFields. */
  private extracted(
    job: ArchivedPageJob,
  ):
    | { ok: true; encoding: string; meta: PageMetadata; bodyHash: string; fields: string }
    | { ok: false; error: 'NOT_HTML' | 'BINARY_CONTENT'; errorDetail: string } {
    const { maxLinks, custom } = this.settings;
    const payload = this.reader.readSync(job.archive);
    const page = extractResponse(job.url, job.finalUrl, payload.body, job.headers, maxLinks);
    if (!page.ok) return page;
    addCustomFields(page.meta, custom, page.text, page.decoded);
    return {
      ok: true,
      encoding: page.encoding,
      meta: page.meta,
      bodyHash: job.bodyHash ?? bodyHash(payload.body),
      fields: JSON.stringify(metaHashFields(page.meta)),
    };
  }

  close(): void {
    this.reader.close();
  }
}

/** The results of a chunk of pages: `packed` is the JSON array of their extractPacked() texts, in order. */
export function unpackResults(packed: string): ArchivedPageResult[] {
  return (JSON.parse(packed) as Packed[]).map(unpack);
}

function unpack(p: Packed): ArchivedPageResult {
  if (p[0] === 0) return { ok: false, error: p[1], errorDetail: p[2] };
  const [, encoding, bodyHash, metaHash, f, rest, values] = p;
  return { ok: true, encoding, meta: unpackMeta(f, rest, values), bodyHash, metaHash };
}
