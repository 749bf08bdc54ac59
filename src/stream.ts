/**
 * The results stream format, shared by the worker (publisher) and the store writer (consumer):
 * `XADD <prefix>:results * c <crawl> p <packed PageRecord>` for a page with metadata, `... c <crawl> r <JSON
 * PageRecord>` for the others. The packed form is `[1, record, fields, rest, values]`: the record as JSON with
 * `meta: null`, then its metadata packed (page-pack.ts) from the JSON text its metadata hash was computed from,
 * so the worker serializes a page's links, meta tags and JSON-LD once (not a second time for the stream), and
 * the store parses each link as an array rather than an object with its keys. The store reads both fields, and
 * `r` entries of older workers, for good. The stream is never trimmed with MAXLEN (that could
 * drop unstored records); the store writer deletes entries once they are committed and acknowledged.
 *
 * The crawl travels beside the record so that the store writer knows each entry's crawl (whose settings it
 * loads before its transaction) without parsing the record: it parses each record only when it writes it, so
 * the record's objects die young instead of surviving the whole batch. Entries without `c` (published by an
 * older version) are read as before.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import { metaHashFields } from './hashes.js';
import { keys } from './keys.js';
import { type PackedMeta, packMeta, unpackMeta } from './page-pack.js';
import type { PageRecord } from './types.js';

/** The entry field holding the JSON record. */
export const RECORD_FIELD = 'r';
/** The entry field holding the packed record (a record with metadata). */
export const PACKED_FIELD = 'p';
/** The entry field holding the record's crawl (a copy of its `crawl`). */
export const CRAWL_FIELD = 'c';

/** A packed record as JSON.parse reads it (the version first: a later format gets another number). */
type Packed = [1, PageRecord, ...PackedMeta];

/**
 * The entry field and value that carry `record`: packed when it has metadata. `metaFields`, when the caller
 * has it, is the JSON text of metaHashFields(record.meta) (the text its metaHash hashed).
 */
export function recordField(record: PageRecord, metaFields?: string): [field: string, value: string] {
  const meta = record.meta;
  if (!meta) return [RECORD_FIELD, JSON.stringify(record)];
  const fields = metaFields ?? JSON.stringify(metaHashFields(meta));
  return [PACKED_FIELD, `[1,${JSON.stringify({ ...record, meta: null })},${packMeta(meta, fields)}]`];
}

/** Appends one record to the results stream; `metaFields` as for recordField. */
export async function publishRecord(
  redis: Redis,
  prefix: string,
  record: PageRecord,
  metaFields?: string,
): Promise<void> {
  const [field, value] = recordField(record, metaFields);
  await redis.xadd(keys(prefix).results, '*', CRAWL_FIELD, record.crawl, field, value);
}

/** Queues one XADD per record on a pipeline or MULTI (the caller runs `exec()`). */
export function publishRecords(
  pipeline: ChainableCommander,
  prefix: string,
  records: Iterable<PageRecord>,
): ChainableCommander {
  const stream = keys(prefix).results;
  for (const r of records) pipeline.xadd(stream, '*', CRAWL_FIELD, r.crawl, ...recordField(r));
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
 * is not a usable record (no `p` or `r` field, bad JSON, missing crawl or url).
 */
export function parseRecord(fields: readonly string[] | null): PageRecord {
  if (!fields) throw new Error('entry has no fields (deleted)');
  const packed = entryField(fields, PACKED_FIELD);
  if (packed !== undefined) return parsePackedRecord(packed);
  const json = entryField(fields, RECORD_FIELD);
  if (json === undefined) throw new Error(`entry has no "${PACKED_FIELD}" or "${RECORD_FIELD}" field`);
  return parseRecordJson(json);
}

/** Parses and checks the JSON of an entry's `r` field, as parseRecord. */
export function parseRecordJson(json: string): PageRecord {
  const value = parseJson(json);
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new Error('entry is not a JSON object');
  return checkRecord(value as Partial<PageRecord>);
}

/** Parses and checks an entry's `p` field (recordField's packed form), as parseRecord. */
export function parsePackedRecord(json: string): PageRecord {
  const p = parseJson(json) as Packed;
  if (!Array.isArray(p) || p.length !== 5) throw new Error('packed entry is not a 5-element JSON array');
  if (p[0] !== 1) throw new Error(`packed entry has unknown version ${JSON.stringify(p[0])}`);
  const [, r, fields, rest, values] = p;
  if (!r || typeof r !== 'object' || Array.isArray(r)) throw new Error('packed record is not a JSON object');
  if (r.meta !== null) throw new Error('packed record carries its meta twice');
  if (
    !Array.isArray(fields) ||
    fields.length !== 16 ||
    !Array.isArray(fields[9]) ||
    !Array.isArray(fields[10])
  )
    throw new Error('packed metadata fields are malformed');
  if (!rest || typeof rest !== 'object' || Array.isArray(rest) || !Array.isArray(values))
    throw new Error('packed metadata is malformed');
  try {
    r.meta = unpackMeta(fields, rest, values);
  } catch (err) {
    throw new Error(`packed metadata is malformed: ${(err as Error).message}`);
  }
  return checkRecord(r);
}

function parseJson(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch (err) {
    throw new Error(`entry is not valid JSON: ${(err as Error).message}`);
  }
}

function checkRecord(r: Partial<PageRecord>): PageRecord {
  if (typeof r.crawl !== 'string' || r.crawl === '') throw new Error('record has no crawl');
  if (typeof r.url !== 'string' || r.url === '') throw new Error('record has no url');
  if (r.error !== null && r.error !== undefined && typeof r.error !== 'string')
    throw new Error('record error is not a string');
  if (r.meta !== null && r.meta !== undefined && typeof r.meta !== 'object')
    throw new Error('record meta is not an object');
  return r as PageRecord;
}
