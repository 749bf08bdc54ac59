/**
 * The results stream's entries as the store writer's batches take them. An entry that names its crawl (the
 * `c` field) stays unparsed until the writer reaches it inside its transaction: parsed all at once, a batch's
 * ~500 records (~25 KB of JSON each) all survived V8's young-generation collections and were copied to the old
 * generation, a fifth of the writer's CPU in garbage collection. An entry without it (an older publisher) is
 * parsed when read, as before, since its crawl is known only from its record.
 */
import type { Logger } from '../log.js';
import {
  CRAWL_FIELD,
  entryField,
  PACKED_FIELD,
  parsePackedRecord,
  parseRecord,
  parseRecordJson,
  RECORD_FIELD,
} from '../stream.js';
import type { PageRecord } from '../types.js';
import type { BatchItem, DeferredRecord } from './writer.js';

/** An entry whose record is parsed (and checked) when the writer reads it; an unusable one reads as null. */
export class StreamEntry implements DeferredRecord {
  /** Why the record is unusable, once a read found out (it is not parsed again). */
  error: Error | null = null;

  constructor(
    readonly id: string,
    readonly crawl: string,
    /** The JSON as Redis returned it: a Buffer (off the JS heap) becomes a string only while it is parsed. */
    private readonly json: string | Buffer,
    /** Whether it is the `p` field's packed record (else the `r` field's JSON record). */
    private readonly packed = false,
  ) {}

  read(): PageRecord | null {
    if (this.error) return null;
    try {
      const json = typeof this.json === 'string' ? this.json : this.json.toString();
      const r = this.packed ? parsePackedRecord(json) : parseRecordJson(json);
      // The crawl's settings were loaded for the field's crawl: an entry that contradicts itself is not stored.
      if (r.crawl !== this.crawl)
        throw new Error(`record crawl does not match the entry's "${CRAWL_FIELD}" field`);
      return r;
    } catch (err) {
      this.error = err as Error;
      return null;
    }
  }
}

export interface ReadEntries {
  items: BatchItem[];
  /** The crawls of the batch's records, whose settings are loaded before it is written. */
  crawls: Set<string>;
  /** Entries dropped already (not a usable record; logged). */
  rejected: number;
}

/** A stream entry as XREADGROUP returns it, its strings as strings or Buffers. */
export type RawEntry = [id: string | Buffer, fields: Array<string | Buffer> | null];

/** Turns a batch of stream entries into the writer's items. */
export function readEntries(entries: readonly RawEntry[], log: Logger): ReadEntries {
  const items: BatchItem[] = [];
  const crawls = new Set<string>();
  let rejected = 0;
  for (const [rawId, fields] of entries) {
    const id = String(rawId);
    const crawlField = fields ? entryField(fields, CRAWL_FIELD) : undefined;
    const crawl = crawlField === undefined ? '' : String(crawlField);
    const packed = fields && crawl ? entryField(fields, PACKED_FIELD) : undefined;
    const json = fields && crawl && packed === undefined ? entryField(fields, RECORD_FIELD) : undefined;
    if (crawl && (packed !== undefined || json !== undefined)) {
      items.push(new StreamEntry(id, crawl, packed ?? (json as string | Buffer), packed !== undefined));
      crawls.add(crawl);
      continue;
    }
    try {
      const r = parseRecord(fields ? fields.map(String) : null);
      items.push(r);
      crawls.add(r.crawl);
    } catch (err) {
      rejected++;
      // A deleted entry (null fields) in our pending list was already stored and acked once.
      if (fields) warnUnreadable(log, id, err as Error);
    }
  }
  return { items, crawls, rejected };
}

/** Logs the entries of a written batch whose record turned out unusable; returns how many. */
export function dropUnreadable(items: readonly BatchItem[], log: Logger): number {
  let n = 0;
  for (const item of items) {
    if (item instanceof StreamEntry && item.error) {
      n++;
      warnUnreadable(log, item.id, item.error);
    }
  }
  return n;
}

function warnUnreadable(log: Logger, id: string, err: Error): void {
  log.warn({ id, err: err.message }, 'dropping unreadable results entry');
}
