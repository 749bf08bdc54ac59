/**
 * The rows of a page's own fields (migration `*_custom_extraction.sql`): custom rule values (`extracts`) and
 * microdata items (`microdata`). A small writer of its own, called by PageWriter once per page, so the crawl's
 * other child rows are written as before.
 */
import type { Statement } from 'better-sqlite3';
import type { CustomFields, PageRecord } from '../types.js';
import type { Db } from './db.js';

type Value = string | null;

/** Where the record's own fields are: its metadata, or `custom` when the rest is the earlier crawl's. */
function fieldsOf(r: PageRecord): CustomFields | null {
  return r.meta ?? r.custom ?? null;
}

/** `[rule, position, value]` per value of the page's custom rules. */
export function extractRows(r: PageRecord): [rule: string, position: number, value: Value][] {
  const out: [string, number, Value][] = [];
  const extracts = fieldsOf(r)?.extracts;
  if (!extracts || typeof extracts !== 'object') return out;
  for (const [rule, v] of Object.entries(extracts)) {
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) out.push([rule, i, v[i] === null ? null : String(v[i])]);
    } else out.push([rule, 0, v === null || v === undefined ? null : String(v)]);
  }
  return out;
}

/** `[position, type, json]` per top-level microdata item. */
export function microdataRows(r: PageRecord): [position: number, type: string, json: string][] {
  const items = fieldsOf(r)?.microdata;
  if (!Array.isArray(items)) return [];
  return items.map((item, i) => [
    i,
    Array.isArray(item?.type) ? item.type.join(' ') : '',
    JSON.stringify(item),
  ]);
}

/** The `pages` columns of the page's own fields: extract_errors, microdata_count, microdata_types. */
export function customPageValues(r: PageRecord): [Value, number | null, Value] {
  const m = fieldsOf(r);
  if (!m) return [null, null, null];
  const errors =
    m.extractErrors && Object.keys(m.extractErrors).length > 0 ? JSON.stringify(m.extractErrors) : null;
  const types =
    Array.isArray(m.microdataTypes) && m.microdataTypes.length > 0 ? m.microdataTypes.join(' ') : null;
  return [errors, Array.isArray(m.microdata) ? m.microdata.length : 0, types];
}

export class CustomRowsWriter {
  private readonly deletes: Statement[];
  private readonly insertExtract: Statement;
  private readonly insertMicrodata: Statement;

  constructor(db: Db) {
    this.deletes = ['extracts', 'microdata'].map((t) => db.prepare(`DELETE FROM ${t} WHERE page_id = ?`));
    this.insertExtract = db.prepare(
      'INSERT INTO extracts (page_id, rule, position, value) VALUES (?, ?, ?, ?)',
    );
    this.insertMicrodata = db.prepare(
      'INSERT INTO microdata (page_id, position, type, json) VALUES (?, ?, ?, ?)',
    );
  }

  /** Writes the page's rows; `replaced`: the page existed, so its old rows go first. */
  write(pageId: number, r: PageRecord, replaced: boolean): void {
    if (replaced) for (const d of this.deletes) d.run(pageId);
    if (!fieldsOf(r)) return;
    for (const [rule, position, value] of extractRows(r))
      this.insertExtract.run(pageId, rule, position, value);
    for (const [position, type, json] of microdataRows(r))
      this.insertMicrodata.run(pageId, position, type, json);
  }
}
