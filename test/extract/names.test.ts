/**
 * names.ts: nameAt answers from a small cache keyed by a name's length, first and last letter before it
 * hashes the name. Names that share a cache slot (like title/table), case variants and names read at different
 * positions must still come back as the right shared string with the right knownNames info.
 *
 * The table is the extractor's own (one per process, and test files share a process): the names registered here
 * are made up, so their info never mixes into a real tag's.
 */
import { describe, expect, it } from 'vitest';
import { knownNames, lastInfo, nameAt } from '../../src/extract/names.js';

// Two names of a cache slot (length 5, z…q) and two short ones, none of them a tag the extractor knows.
const TITLE = 'zitlq';
const TABLE = 'zablq';
knownNames([TITLE, TABLE, 'zd', 'zr'], (n) => n.length * 10 + n.charCodeAt(1));

/** nameAt over `name` placed inside other text, with its info. */
function at(name: string, pad = 3): [string, number] {
  const html = `${'<'.repeat(pad)}${name}>`;
  const s = nameAt(html, pad, pad + name.length);
  return [s, lastInfo()];
}

describe('nameAt', () => {
  it('tells apart names that share a cache slot, in either order and repeatedly', () => {
    const seq = [TITLE, TABLE, TABLE, TITLE, 'ZITLQ', 'Zablq', TITLE, 'zr', 'zd', 'zr'];
    for (let round = 0; round < 3; round++)
      for (const [k, n] of seq.entries()) {
        const [s, info] = at(n, k + round);
        const lower = n.toLowerCase();
        expect(s).toBe(lower);
        expect(info).toBe(lower.length * 10 + lower.charCodeAt(1));
      }
  });

  it('returns the registered string itself and 0 info for unknown names', () => {
    const [s] = at('ZaBlQ');
    expect(s).toBe(TABLE);
    const [u, info] = at('x-Custom-Tag');
    expect(u).toBe('x-custom-tag');
    expect(info).toBe(0);
    // Seen once, an unknown name is shared too, and a same-slot known name still wins its own lookup.
    expect(at('x-custom-tag')[0]).toBe('x-custom-tag');
    expect(at(TABLE)[1]).toBe(5 * 10 + 'a'.charCodeAt(0));
  });

  it('reads only the given range', () => {
    const html = 'tablexyz';
    expect(nameAt(html, 0, 5)).toBe('table');
    expect(nameAt(html, 0, 2)).toBe('ta');
    expect(nameAt(html, 0, 0)).toBe('');
  });
});
