/**
 * Every corpus page against its reference extraction (test/fixtures/corpus/expected, html5lib oracle).
 * Known, justified differences are named exceptions below (see DIFFERENCES.md); anything else fails.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { extract } from '../../src/extract/index.js';
import type { PageMetadata } from '../../src/types.js';

const dir = new URL('../fixtures/corpus/', import.meta.url);
const names = readdirSync(new URL('expected/', dir))
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -5))
  .sort();

interface Expected {
  base_url: string;
  encoding_used: string;
  title: string | null;
  lang: string | null;
  charset: string | null;
  canonical: string | null;
  description: string | null;
  meta: unknown[];
  og: Record<string, string>;
  twitter: Record<string, string>;
  jsonld: unknown[];
  jsonld_invalid: number;
  jsonld_recoverable?: unknown[];
  links: [string, string][];
  links_count: number;
}

/**
 * AREA_LINKS: the reference's `links` (like the page report's and `inspect --json`'s) is every <a href>; HTML makes
 * <area href> a link too, so the links table also holds them, tagged 'area'. On these pages exactly this many
 * <area> links (empty text) come on top of the reference's list.
 */
const AREA_LINKS: Record<string, number> = {
  'metascraper-business-today': 6,
  'metascraper-citation-pmc': 1,
  'salon-1': 12,
  'wikipedia-2': 55,
};

function load(name: string): { e: Expected; html: string } {
  const e = JSON.parse(readFileSync(new URL(`expected/${name}.json`, dir), 'utf8')) as Expected;
  // Byte decoding belongs to the fetch module; here the reference's own encoding is used.
  const html = new TextDecoder(e.encoding_used).decode(readFileSync(new URL(`pages/${name}.html`, dir)));
  return { e, html };
}

function strictlyValid(raw: string): boolean {
  try {
    JSON.parse(raw);
    return true;
  } catch {
    return false;
  }
}

/** Our output in the reference's shape (jsonld split into strict / recovered to match its two lists). */
function asReference(m: PageMetadata) {
  const strict = m.jsonld.filter((b) => b.valid && strictlyValid(b.raw));
  const recovered = m.jsonld.filter((b) => b.valid && !strictlyValid(b.raw));
  return {
    title: m.title,
    lang: m.lang,
    charset: m.charset,
    canonical: m.canonical,
    description: m.description,
    meta: m.meta,
    og: m.og,
    twitter: m.twitter,
    jsonld: strict.map((b) => b.value),
    // The reference counts wrapper-recoverable blocks as invalid and lists their values separately.
    jsonld_invalid: m.jsonld.length - strict.length,
    jsonld_recoverable: recovered.map((b) => b.value),
    links: m.links.filter((l) => l.tag === 'a').map((l) => [l.url, l.text]),
    links_count: m.linksCount - m.areaLinksCount,
  };
}

const results = new Map<string, boolean>();

describe('corpus: extract() agrees with the reference on every page', () => {
  it.each(names)('%s', (name) => {
    const { e, html } = load(name);
    const m = extract(html, e.base_url);
    const got = asReference(m);
    const areas = m.links.filter((l) => l.tag === 'area');
    expect(areas.length, 'area links').toBe(AREA_LINKS[name] ?? 0);
    expect(m.areaLinksCount).toBe(areas.length);
    expect(areas.every((l) => l.text === '')).toBe(true);
    const want = { ...e, jsonld_recoverable: e.jsonld_recoverable ?? [] };
    const wrong = Object.keys(got).filter(
      (k) => !isDeepStrictEqual(got[k as keyof typeof got], want[k as keyof typeof want]),
    );
    results.set(name, wrong.length === 0);
    for (const k of wrong) expect(got[k as keyof typeof got], k).toEqual(want[k as keyof typeof want]);
  });

  it('agrees on every field of >= 99% of the pages', () => {
    expect(names.length).toBe(164);
    const agreeing = [...results.values()].filter(Boolean).length;
    expect(agreeing / names.length).toBeGreaterThanOrEqual(0.99);
  });
});
