/**
 * JSON-LD validity means "SQLite's JSON functions accept the text the store keeps": every block marked valid,
 * from the corpus and from hostile cases, is checked with json_valid / json_extract on a real SQLite.
 */
import { readdirSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { extract } from '../../src/extract/index.js';
import { nestsDeeperThan, parseJsonLd, SQLITE_JSON_MAX_DEPTH } from '../../src/extract/jsonld.js';
import type { JsonLdBlock } from '../../src/types.js';

const sqlite = new Database(':memory:');
afterAll(() => sqlite.close());
const jsonValid = (text: string) => sqlite.prepare('SELECT json_valid(?)').pluck().get(text) as number;
const jsonType = (text: string) => sqlite.prepare("SELECT json_type(?, '$')").pluck().get(text) as string;
/** What the store's `json` column gets for a block. */
const stored = (b: JsonLdBlock) => b.unwrapped ?? b.raw;

const nestedArrays = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const nestedObjects = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;

const corpus = new URL('../fixtures/corpus/', import.meta.url);
function corpusBlocks(): JsonLdBlock[] {
  const blocks: JsonLdBlock[] = [];
  for (const f of readdirSync(new URL('expected/', corpus)).filter((n) => n.endsWith('.json'))) {
    const e = JSON.parse(readFileSync(new URL(`expected/${f}`, corpus), 'utf8'));
    const bytes = readFileSync(new URL(`pages/${f.slice(0, -5)}.html`, corpus));
    blocks.push(...extract(new TextDecoder(e.encoding_used).decode(bytes), e.base_url).jsonld);
  }
  return blocks;
}

describe('parseJsonLd', () => {
  it.each([
    ['<!-- {"@type":"Event"} -->', '{"@type":"Event"}'],
    ['<![CDATA[\n  {"@type":"Event"}\n]]>', '{"@type":"Event"}'],
    ['\n//<![CDATA[\n{"@type":"Place"}\n//]]>\n', '{"@type":"Place"}'],
    ['/*<![CDATA[*/ [{"@type":"A"}] /*]]>*/', '[{"@type":"A"}]'],
    ['// <!--\n{"x":"-->"}\n// -->', '{"x":"-->"}'],
  ])('unwraps %j: the JSON inside goes to `unwrapped`, the text as found stays in `raw`', (raw, json) => {
    const b = parseJsonLd(raw);
    expect(b).toMatchObject({ raw, unwrapped: json, valid: true });
    expect(b.value).toEqual(JSON.parse(json));
    expect(jsonValid(stored(b))).toBe(1);
  });

  it('leaves `unwrapped` unset when the text parsed as found, and for invalid blocks', () => {
    expect(parseJsonLd('\n  {"@type":"Thing"}\n').unwrapped).toBeUndefined();
    expect(parseJsonLd('\n  {"@type":"Thing"}\n').valid).toBe(true);
    expect(parseJsonLd('<!-- {broken -->')).toEqual({
      raw: '<!-- {broken -->',
      valid: false,
      value: null,
      types: [],
    });
  });

  it(`is invalid past ${SQLITE_JSON_MAX_DEPTH} levels of nesting, where SQLite's json_valid says no though JSON.parse says yes`, () => {
    for (const make of [nestedArrays, nestedObjects]) {
      const ok = make(SQLITE_JSON_MAX_DEPTH);
      const deep = make(SQLITE_JSON_MAX_DEPTH + 1);
      expect(() => JSON.parse(deep)).not.toThrow();
      expect([jsonValid(ok), jsonValid(deep)]).toEqual([1, 0]);
      expect(parseJsonLd(ok).valid).toBe(true);
      expect(parseJsonLd(deep)).toMatchObject({ valid: false, value: null, types: [] });
      expect(parseJsonLd(`<!--${deep}-->`).valid).toBe(false);
    }
    // 100,000 levels: rejected without a stack overflow.
    expect(parseJsonLd(nestedArrays(100_000)).valid).toBe(false);
  });

  it('counts only brackets outside strings (escaped quotes included) toward the depth', () => {
    const brackets = '['.repeat(5000);
    expect(nestsDeeperThan(JSON.stringify({ s: brackets }), 10)).toBe(false);
    expect(nestsDeeperThan(JSON.stringify({ s: `\\"${brackets}` }), 10)).toBe(false);
    expect(nestsDeeperThan(`[[["\\\\"],${'['.repeat(11)}${']'.repeat(11)}]]`, 10)).toBe(true);
    expect(parseJsonLd(JSON.stringify({ '@type': 'Thing', s: brackets })).valid).toBe(true);
  });

  it.each([
    ['a lone surrogate escape', '{"name":"\\ud800"}'],
    ['a raw lone surrogate', '{"name":"\ud800"}'],
    ['a NUL escape', '{"name":"a\\u0000b"}'],
    ['U+2028 in a string', '{"name":"a\u2028b"}'],
    ['a huge number', '{"n":1e400}'],
    ['an integer beyond 2^64', '{"n":123456789012345678901234567890}'],
    ['duplicate keys', '{"a":1,"a":2}'],
  ])('%s: valid, and SQLite agrees', (_name, raw) => {
    const b = parseJsonLd(raw);
    expect(b.valid).toBe(true);
    expect(jsonValid(stored(b))).toBe(1);
    expect(jsonType(stored(b))).toBe('object');
  });

  it.each([
    ['a form feed as whitespace', '\f{"a":1}'],
    ['a raw tab inside a string', '{"a":"x\ty"}'],
    ['a leading no-break space', '\u00a0{"a":1}'],
    ['a JS comment', '{"a":1 /* c */}'],
  ])('%s: invalid, as SQLite says', (_name, raw) => {
    expect(parseJsonLd(raw).valid).toBe(false);
    expect(jsonValid(raw)).toBe(0);
  });

  it('every block of the corpus marked valid is JSON that json_valid and json_extract accept', () => {
    const blocks = corpusBlocks();
    const valid = blocks.filter((b) => b.valid);
    expect(valid.length).toBeGreaterThan(100);
    // The corpus has CDATA-wrapped blocks: the case that broke json_extract.
    expect(valid.filter((b) => b.unwrapped !== undefined).length).toBeGreaterThanOrEqual(10);
    for (const b of valid) {
      expect(jsonValid(stored(b)), stored(b).slice(0, 80)).toBe(1);
      expect(() => sqlite.prepare("SELECT json_extract(?, '$.headline')").get(stored(b))).not.toThrow();
    }
  });
});
