/**
 * The results stream format, shared by the worker (publisher) and the store writer (consumer):
 * `XADD <prefix>:results * c <crawl> r <JSON PageRecord>`. The stream is never trimmed with MAXLEN (that could
 * drop unstored records); the store writer deletes entries once they are committed and acknowledged.
 *
 * The crawl travels beside the record so that the store writer knows each entry's crawl (whose settings it
 * loads before its transaction) without parsing the record: it parses each record only when it writes it, so
 * the record's objects die young instead of surviving the whole batch. Entries without `c` (published by an
 * older version) are read as before.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import { keys } from './keys.js';
import type { PageRecord } from './types.js';

/** The entry field holding the JSON record. */
export const RECORD_FIELD = 'r';
/** The entry field holding the record's crawl (a copy of its `crawl`). */
export const CRAWL_FIELD = 'c';

/** Appends one record to the results stream. */
export async function publishRecord(redis: Redis, prefix: string, record: PageRecord): Promise<void> {
  await redis.xadd(
    keys(prefix).results,
    '*',
    CRAWL_FIELD,
    record.crawl,
    RECORD_FIELD,
    JSON.stringify(record),
  );
}

/** Queues one XADD per record on a pipeline or MULTI (the caller runs `exec()`). */
export function publishRecords(
  pipeline: ChainableCommander,
  prefix: string,
  records: Iterable<PageRecord>,
): ChainableCommander {
  const stream = keys(prefix).results;
  for (const r of records) pipeline.xadd(stream, '*', CRAWL_FIELD, r.crawl, RECORD_FIELD, JSON.stringify(r));
  return pipeline;
}

/** The value of an entry's field, or undefined. */
export function entryField<T>(fields: readonly T[], name: string): T | undefined {
  let value: T | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (String(fields[i]) === name) value = fields[i + 1];
  }
  return value;
}

/**
 * Parses the fields of a stream entry back into a PageRecord. Throws with the reason when the entry
 * is not a usable record (no `r` field, bad JSON, missing crawl or url).
 */
export function parseRecord(fields: readonly string[] | null): PageRecord {
  if (!fields) throw new Error('entry has no fields (deleted)');
  const json = entryField(fields, RECORD_FIELD);
  if (json === undefined) throw new Error(`entry has no "${RECORD_FIELD}" field`);
  return parseRecordJson(json);
}

/** Parses and checks the JSON of an entry's `r` field, as parseRecord. */
export function parseRecordJson(json: string): PageRecord {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new Error(`entry is not valid JSON: ${(err as Error).message}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new Error('entry is not a JSON object');
  const r = value as Partial<PageRecord>;
  if (typeof r.crawl !== 'string' || r.crawl === '') throw new Error('record has no crawl');
  if (typeof r.url !== 'string' || r.url === '') throw new Error('record has no url');
  if (r.error !== null && r.error !== undefined && typeof r.error !== 'string')
    throw new Error('record error is not a string');
  if (r.meta !== null && r.meta !== undefined && typeof r.meta !== 'object')
    throw new Error('record meta is not an object');
  return r as PageRecord;
}
