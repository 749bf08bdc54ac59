/**
 * near-duplicate-content without comparing every pair: the block search against brute force, and the
 * check's rows against its view (which compares every pair) on a hand-written database.
 */
import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/store/db.js';
import { runAudit, setAuditSettings } from '../../src/store/index.js';
import { chooseBlocks, compareUtf8, nearPairs, popcount32 } from '../../src/store/near-duplicates.js';

/** Deterministic 32-bit noise. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** `n` random values plus, for each of `planted` bases, copies exactly 0..k+1 bits away (distinct bits). */
function values(n: number, k: number, planted: number, seed: number): { hi: Uint32Array; lo: Uint32Array } {
  const r = rng(seed);
  const hi: number[] = [];
  const lo: number[] = [];
  for (let i = 0; i < n; i++) {
    hi.push(r());
    lo.push(r());
  }
  for (let p = 0; p < planted; p++) {
    const h = r();
    const l = r();
    hi.push(h);
    lo.push(l);
    for (let d = 0; d <= k + 1; d++) {
      const bits = new Set<number>();
      while (bits.size < d) bits.add(r() % 64);
      let x = h;
      let y = l;
      for (const b of bits) {
        if (b < 32) y ^= 1 << b;
        else x ^= 1 << (b - 32);
      }
      hi.push(x >>> 0);
      lo.push(y >>> 0);
    }
  }
  return { hi: Uint32Array.from(hi), lo: Uint32Array.from(lo) };
}

function brute(hi: Uint32Array, lo: Uint32Array, k: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < hi.length; i++)
    for (let j = i + 1; j < hi.length; j++) {
      const d = popcount32(hi[i] ^ hi[j]) + popcount32(lo[i] ^ lo[j]);
      if (d <= k) out.push(`${i},${j},${d}`);
    }
  return out.sort();
}

const key = (pairs: [number, number, number][]) => pairs.map((p) => p.join(',')).sort();

describe('nearPairs: every pair within k bits, each once, by blocks', () => {
  for (const k of [0, 1, 3, 6, 9]) {
    it(`k = ${k}: the same pairs as comparing every pair, with k+1, k+2, k+3 blocks and the chosen count`, () => {
      const { hi, lo } = values(400, k, 12, 1000 + k);
      const expected = brute(hi, lo, k);
      // Planted copies at exactly k bits are found, at k+1 not (unless two copies happen to be close).
      expect(expected.filter((p) => p.endsWith(`,${k}`)).length).toBeGreaterThanOrEqual(12);
      for (const b of [k + 1, k + 2, k + 3, chooseBlocks(hi.length, k, 10)])
        expect(key(nearPairs(hi, lo, k, b)), `${b} blocks`).toEqual(expected);
    });
  }

  it('pairs at exactly k bits are found and pairs at k + 1 are not, across block edges', () => {
    const k = 6;
    // Flip runs of bits straddling the 32-bit halves and every block edge of 7..9 blocks.
    for (let start = 0; start + k + 1 <= 64; start += 5) {
      const base = [0xdeadbeef, 0x01234567];
      const flip = (n: number) => {
        let [h, l] = base;
        for (let b = start; b < start + n; b++) {
          if (b < 32) l ^= 1 << b;
          else h ^= 1 << (b - 32);
        }
        return [h >>> 0, l >>> 0];
      };
      const [h6, l6] = flip(k);
      const [h7, l7] = flip(k + 1);
      const hi = Uint32Array.from([base[0], h6, h7]);
      const lo = Uint32Array.from([base[1], l6, l7]);
      for (const b of [7, 8, 9]) {
        const found = key(nearPairs(hi, lo, k, b));
        // 0-1 at 6 bits; 1-2 at 1 bit; 0-2 at 7 bits: not a pair.
        expect(found, `start ${start}, ${b} blocks`).toEqual(['0,1,6', '1,2,1']);
      }
    }
  });

  it('compares every pair when there are few values, blocks when there are many', () => {
    expect(chooseBlocks(10, 6, 10)).toBe(0);
    expect(chooseBlocks(1_000_000, 6, 22)).toBe(9);
    expect(chooseBlocks(1_000_000, 64, 22)).toBe(0);
  });
});

describe('compareUtf8', () => {
  it('orders as SQLite compares text (UTF-8 bytes)', () => {
    const db = openDb(':memory:');
    const words = ['a', 'b', 'ab', '', 'é', '\uffff', '😀', '\ue000', 'z😀', 'z\uffee', 'A'];
    const sqlite = db
      .prepare(`SELECT value FROM json_each(?) ORDER BY value`)
      .pluck()
      .all(JSON.stringify(words)) as string[];
    expect([...words].sort(compareUtf8)).toEqual(sqlite);
    db.close();
  });
});

describe('near-duplicate-content: the same rows as its view', () => {
  it('on a crawl with planted near, exact and look-alike duplicates, at several thresholds', () => {
    const db = openDb(':memory:');
    const crawl = (name: string) =>
      Number(db.prepare("INSERT INTO crawls (name, created_at) VALUES (?, 'now')").run(name).lastInsertRowid);
    const c = crawl('c');
    const other = crawl('other');
    const insert = db.prepare(
      `INSERT INTO pages (crawl_id, url, final_url, status, stored_at, attempts, word_count, text_hash, simhash, robots)
       VALUES (?, ?, ?, 200, 'now', 1, 300, ?, ?, ?)`,
    );
    const r = rng(7);
    const s64 = (h: number, l: number) => BigInt.asIntN(64, (BigInt(h) << 32n) | BigInt(l));
    let n = 0;
    const url = () => `https://s.example/${['p', 'é', '😀', '\ue000'][n % 4]}/${n++}`;
    for (let g = 0; g < 12; g++) {
      const h = r();
      const l = r();
      // A base page, copies 1..8 bits away, an exact duplicate (same text) and a same-fingerprint page with
      // another text; one noindex copy (not indexable: left out); the same in another crawl (never reported).
      insert.run(c, url(), null, `t${g}`, s64(h, l), null);
      for (let d = 1; d <= 8; d++)
        insert.run(c, url(), null, `t${g}-${d}`, s64(h, (l ^ ((1 << d) - 1)) >>> 0), null);
      insert.run(c, url(), null, `t${g}`, s64(h, l), null);
      insert.run(c, url(), null, `t${g}-same`, s64(h, l), null);
      insert.run(c, url(), null, `t${g}-noindex`, s64(h, l ^ 1), 'noindex');
      insert.run(other, url(), null, `t${g}-other`, s64(h, l ^ 3), null);
    }
    for (let i = 0; i < 60; i++) insert.run(c, url(), null, `r${i}`, s64(r(), r()), null);
    const view = db
      .prepare(
        'SELECT url, target, similarity FROM audit_near_duplicate_content WHERE crawl_id = ? ORDER BY url, target',
      )
      .all(c) as Record<string, unknown>[];
    const rows = () => runAudit(db, 'c', { checks: ['near-duplicate-content'] }).checks[0];
    for (const t of [0.9, 0.85, 1]) {
      setAuditSettings(db, { near_duplicate_min_similarity: t });
      const expected = db
        .prepare(
          'SELECT url, target, similarity FROM audit_near_duplicate_content WHERE crawl_id = ? ORDER BY url, target',
        )
        .all(c);
      const got = rows();
      expect(got.items, `threshold ${t}`).toEqual(expected);
      expect(got.count).toBe(expected.length);
      if (t === 0.9) expect(expected.length).toBeGreaterThan(12 * 20);
    }
    expect(view.length).toBeGreaterThan(0);
    // A page of findings is a slice of them in the same order.
    setAuditSettings(db, { near_duplicate_min_similarity: 0.9 });
    const all = rows().items;
    const page = runAudit(db, 'c', { checks: ['near-duplicate-content'], limit: 7, offset: 30 }).checks[0];
    expect(page.items).toEqual(all.slice(30, 37));
    expect(page.count).toBe(all.length);
    db.close();
  });
});
