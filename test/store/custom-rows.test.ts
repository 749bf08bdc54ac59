/** The page's own fields in SQLite: rule values (`extracts`), failed rules, microdata items and types. */
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.js';
import type { PageWriter } from '../../src/store/writer.js';
import type { PageRecord } from '../../src/types.js';
import { failRecord, okRecord, storePerTest } from './records.js';

function withCustom(r: PageRecord, price: string | null, tags: string[]): PageRecord {
  if (!r.meta) throw new Error('no meta');
  r.meta.extracts = { price, tags, sku: null };
  r.meta.extractErrors = { sku: 'regex stopped after 200 ms (time budget)' };
  r.meta.microdata = [
    {
      type: ['http://schema.org/Product'],
      properties: {
        name: ['P'],
        offers: [{ type: ['http://schema.org/Offer'], properties: { price: ['9'] } }],
      },
    },
    { properties: { x: ['untyped'] } },
  ];
  r.meta.microdataTypes = ['http://schema.org/Product', 'http://schema.org/Offer'];
  return r;
}

describe('custom rule values and microdata in the store', () => {
  let db: Db;
  let writer: PageWriter;
  storePerTest((d, w) => {
    db = d;
    writer = w;
  });
  const rows = (sql: string, ...args: unknown[]) => db.prepare(sql).all(...args);

  it('stores one row per value, the failed rules on the page row, and the microdata items', () => {
    writer.writeBatch([withCustom(okRecord('c1', 'https://example.com/a'), '19.99', ['a', 'b'])]);
    expect(rows('SELECT rule, position, value FROM extracts ORDER BY rule, position')).toEqual([
      { rule: 'price', position: 0, value: '19.99' },
      { rule: 'sku', position: 0, value: null },
      { rule: 'tags', position: 0, value: 'a' },
      { rule: 'tags', position: 1, value: 'b' },
    ]);
    const page = db
      .prepare('SELECT extract_errors, microdata_count, microdata_types, jsonld_types FROM pages')
      .get() as Record<string, string>;
    expect(JSON.parse(page.extract_errors)).toEqual({ sku: 'regex stopped after 200 ms (time budget)' });
    expect(page.microdata_count).toBe(2);
    expect(page.microdata_types).toBe('http://schema.org/Product http://schema.org/Offer');
    const md = rows('SELECT position, type, json FROM microdata ORDER BY position') as Array<{
      type: string;
      json: string;
    }>;
    expect(md.map((r) => r.type)).toEqual(['http://schema.org/Product', '']);
    expect(
      db
        .prepare(
          "SELECT json_extract(json, '$.properties.offers[0].properties.price[0]') FROM microdata WHERE position = 0",
        )
        .pluck()
        .get(),
    ).toBe('9');
  });

  it('a refetch replaces the rows; a later failure keeps them; a page without rules has none', () => {
    writer.writeBatch([withCustom(okRecord('c1', 'https://example.com/a'), '19.99', ['a', 'b'])]);
    const again = okRecord('c1', 'https://example.com/a');
    if (again.meta) again.meta.extracts = { price: '17.50', tags: [] };
    writer.writeBatch([again]);
    expect(rows('SELECT rule, position, value FROM extracts')).toEqual([
      { rule: 'price', position: 0, value: '17.50' },
    ]);
    expect(rows('SELECT * FROM microdata')).toEqual([]);
    expect(db.prepare('SELECT extract_errors, microdata_count, microdata_types FROM pages').get()).toEqual({
      extract_errors: null,
      microdata_count: 0,
      microdata_types: null,
    });
    writer.writeBatch([failRecord('c1', 'https://example.com/a', 'FETCH_TIMEOUT')]);
    expect(rows('SELECT value FROM extracts')).toEqual([{ value: '17.50' }]);
    writer.writeBatch([
      okRecord('c1', 'https://example.com/b'),
      failRecord('c1', 'https://example.com/c', 'FETCH_TIMEOUT'),
    ]);
    expect(
      rows(
        "SELECT count(*) AS n FROM extracts e JOIN pages p ON p.id = e.page_id WHERE p.url != 'https://example.com/a'",
      ),
    ).toEqual([{ n: 0 }]);
    expect(
      db.prepare("SELECT microdata_count FROM pages WHERE url = 'https://example.com/c'").pluck().get(),
    ).toBeNull();
  });
});
