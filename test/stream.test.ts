/**
 * The results stream's two record forms: a record published packed (`p`, its metadata rebuilt from the text its
 * metaHash hashed) reads back as the same PageRecord the JSON form (`r`) gives, on every corpus page, with
 * the crawl's own fields (rules, microdata) and the worker's hashes; the hash is that of the packed text.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { addCustomFields } from '../src/custom-fields.js';
import { bodyHash, metaHash, metaHashFields, metaHashOfJson } from '../src/hashes.js';
import { extractResponse } from '../src/page-extract.js';
import {
  PACKED_FIELD,
  parsePackedRecord,
  parseRecord,
  parseRecordJson,
  RECORD_FIELD,
  recordField,
} from '../src/stream.js';
import type { PageRecord } from '../src/types.js';

const pages = new URL('fixtures/corpus/pages/', import.meta.url);
const names = readdirSync(pages).sort();
const custom = { extract: ['h=css:h1', 'paras[]=css:p', 'nope=css:.missing-class'], microdata: true };

/** A record as the worker builds it for a fetched corpus page, and the metaHashFields text it hashed. */
function pageRecord(name: string): { record: PageRecord; fields: string } {
  const body = readFileSync(new URL(name, pages));
  const url = `https://corpus.example/${encodeURIComponent(name)}`;
  const headers = { 'content-type': 'text/html', 'x-robots-tag': 'noarchive' };
  const page = extractResponse(url, url, body, headers, 5000);
  if (!page.ok) throw new Error(`${name}: ${page.error}`);
  addCustomFields(page.meta, custom, page.text, page.decoded);
  const fields = JSON.stringify(metaHashFields(page.meta));
  const record: PageRecord = {
    crawl: 'corpus',
    url,
    depth: 1,
    discoveredFrom: 'https://corpus.example/',
    finalUrl: url,
    status: 200,
    contentType: 'text/html',
    error: null,
    errorDetail: null,
    attempts: 1,
    fetchedAt: '2026-12-07T00:00:00.000Z',
    elapsedMs: 12,
    queuedMs: 3,
    bytes: body.length,
    truncated: false,
    redirects: [{ url: `${url}/old`, status: 301 }],
    headers,
    encoding: page.encoding,
    lastmod: null,
    meta: page.meta,
    bodyHash: bodyHash(body),
    metaHash: metaHashOfJson(fields),
    archive: { file: 'a.warc.gz', offset: 10, length: 20, dir: '/tmp/a' },
  };
  return { record, fields };
}

describe('packed stream records', () => {
  it.each(names)('%s reads back packed as the record its JSON gives', (name) => {
    const { record, fields } = pageRecord(name);
    const asJson = parseRecordJson(JSON.stringify(record));
    const [field, value] = recordField(record, fields);
    expect(field).toBe(PACKED_FIELD);
    const unpacked = parsePackedRecord(value);
    expect(unpacked).toStrictEqual(asJson);
    // Packed without the caller's text (publishRecords), it is the same entry.
    expect(recordField(record)).toEqual([field, value]);
    // The hash the worker stores is that of the text packed, as metaHash computes it.
    expect(record.metaHash).toBe(metaHash(record.meta as NonNullable<PageRecord['meta']>));
    expect(value).toContain(`,${fields},`);
  });

  it('covers pages with links, JSON-LD (wrapped and invalid), custom fields and microdata', () => {
    const metas = names.map((n) => pageRecord(n).record.meta);
    expect(metas.some((m) => (m?.links.length ?? 0) > 100)).toBe(true);
    expect(metas.some((m) => m?.jsonld.some((b) => b.unwrapped !== undefined))).toBe(true);
    expect(metas.some((m) => m?.jsonld.some((b) => !b.valid))).toBe(true);
    expect(metas.some((m) => (m?.microdata?.length ?? 0) > 0)).toBe(true);
    expect(metas.some((m) => m?.links.some((l) => l.rel !== null))).toBe(true);
    expect(metas.every((m) => m?.extracts !== undefined && m.audit !== undefined)).toBe(true);
  });

  it('publishes a record without metadata as JSON, and reads either field of an entry', () => {
    const { record, fields } = pageRecord(names[0]);
    const failed: PageRecord = { ...record, meta: null, error: 'HTTP_5XX', status: 503 };
    const [field, value] = recordField(failed, fields);
    expect(field).toBe(RECORD_FIELD);
    expect(parseRecord(['c', 'corpus', field, value])).toStrictEqual(failed);
    const packed = recordField(record, fields);
    expect(parseRecord(['c', 'corpus', ...packed])).toStrictEqual(parseRecordJson(JSON.stringify(record)));
  });

  it('refuses packed entries that are not shaped as published, saying why', () => {
    const { record, fields } = pageRecord(names[0]);
    const [, value] = recordField(record, fields);
    const parts = JSON.parse(value);
    const variant = (f: (p: unknown[]) => void) => {
      const p = structuredClone(parts);
      f(p);
      return JSON.stringify(p);
    };
    const cases: [string, string][] = [
      [value.slice(0, -10), 'entry is not valid JSON'],
      ['{"crawl":"corpus"}', 'packed entry is not a 5-element JSON array'],
      [variant((p) => (p[0] = 2)), 'packed entry has unknown version 2'],
      [variant((p) => (p[1] = [])), 'packed record is not a JSON object'],
      [variant((p) => ((p[1] as PageRecord).meta = record.meta)), 'packed record carries its meta twice'],
      [variant((p) => (p[2] as unknown[]).pop()), 'packed metadata fields are malformed'],
      [variant((p) => (p[3] = null)), 'packed metadata is malformed'],
      [variant((p) => ((p[2] as unknown[][])[10] = [5])), 'packed metadata is malformed: '],
      [variant((p) => delete (p[1] as Partial<PageRecord>).url), 'record has no url'],
    ];
    for (const [text, message] of cases) expect(() => parsePackedRecord(text)).toThrow(message);
  });
});
