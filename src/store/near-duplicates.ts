/**
 * Near-duplicate fingerprints without comparing every pair: all pairs of 64-bit SimHashes within Hamming
 * distance k, exactly. The pigeonhole principle generalised: cut the 64 bits into b ≥ k+1 blocks; two values at
 * most k bits apart differ in at most k blocks, so they agree exactly on at least m = b − k of them. For every
 * choice of m blocks (a "combo"), values are bucketed by those blocks' bits, and only values sharing a bucket
 * are compared. A pair is reported under the first m blocks it agrees on (its canonical combo), so once.
 *
 * b is picked per call from the number of distinct fingerprints and k, as the cheapest by a cost model (C(b, m)
 * passes over the values plus the expected candidate pairs); with few values, or k ≥ 64, it compares every
 * pair instead. For k = 6 (the default 90% similarity) and a million distinct values that is b = 9, m = 3:
 * 84 passes with ~21-bit keys. The cost grows steeply with k (k = 12, 80% similarity, needs thousands of passes).
 */
import type { Db } from './db.js';

/** A pair of value indices (a < b) and the Hamming distance between them. */
export type NearPair = [a: number, b: number, bits: number];

export function popcount32(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** Bits [from, to) of the 64-bit value hi:lo (bit 0 = the lowest of lo), as an unsigned number; to - from ≤ 32. */
function bitsOf(hi: number, lo: number, from: number, to: number): number {
  const w = to - from;
  const mask = w === 32 ? 0xffffffff : (1 << w) - 1;
  if (to <= 32) return ((lo >>> from) & mask) >>> 0;
  if (from >= 32) return ((hi >>> (from - 32)) & mask) >>> 0;
  return ((lo >>> from) | (hi << (32 - from))) & mask;
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

/** The number of blocks to cut 64 bits into for n values and distance k, or 0 to compare every pair. */
export function chooseBlocks(n: number, k: number, tableBits: number): number {
  if (k >= 64) return 0;
  let best = 0;
  let bestCost = (n * (n - 1)) / 2;
  for (let b = Math.max(k + 1, 2); b <= Math.min(64, k + 10); b++) {
    const m = b - k;
    const keyBits = Math.min(Math.floor((64 * m) / b), tableBits);
    const combos = binomial(b, m);
    const cost = combos * (n + (n * n) / 2 ** (keyBits + 1));
    if (cost < bestCost) {
      best = b;
      bestCost = cost;
    }
  }
  return best;
}

/**
 * Every pair (a < b) of the values hi[i]:lo[i] whose Hamming distance is at most k (values all distinct or
 * not: equal values are at distance 0). `blocks` forces the block count (tests); 0 compares every pair.
 */
export function nearPairs(hi: Uint32Array, lo: Uint32Array, k: number, blocks?: number): NearPair[] {
  const n = hi.length;
  const out: NearPair[] = [];
  if (k < 0 || n < 2) return out;
  const tableBits = Math.max(10, Math.min(22, Math.ceil(Math.log2(n))));
  const b = blocks ?? chooseBlocks(n, k, tableBits);
  if (b === 0) {
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) {
        const d = popcount32(hi[i] ^ hi[j]) + popcount32(lo[i] ^ lo[j]);
        if (d <= k) out.push([i, j, d]);
      }
    return out;
  }
  if (b < k + 1 || b > 64) throw new RangeError(`${b} blocks cannot find distance ${k}`);
  const m = b - k;
  const edges = Array.from({ length: b + 1 }, (_, j) => Math.floor((64 * j) / b));
  const vals = new Uint32Array(n * b);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < b; j++) vals[i * b + j] = bitsOf(hi[i], lo[i], edges[j], edges[j + 1]);
  const size = 1 << tableBits;
  const shift = 32 - tableBits;
  const start = new Int32Array(size + 1);
  const fill = new Int32Array(size);
  const bucket = new Uint32Array(n);
  const order = new Int32Array(n);
  const combo = new Int32Array(m).map((_, j) => j);
  const inCombo = new Uint8Array(b);
  for (;;) {
    inCombo.fill(0);
    for (let t = 0; t < m; t++) inCombo[combo[t]] = 1;
    const last = combo[m - 1];
    start.fill(0);
    for (let i = 0; i < n; i++) {
      let h = 0x2545f491;
      const row = i * b;
      for (let t = 0; t < m; t++) {
        h = Math.imul(h ^ vals[row + combo[t]], 0x85ebca6b);
        h ^= h >>> 13;
      }
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
      const x = h >>> shift;
      bucket[i] = x;
      start[x + 1]++;
    }
    for (let x = 0; x < size; x++) start[x + 1] += start[x];
    fill.set(start.subarray(0, size));
    for (let i = 0; i < n; i++) order[fill[bucket[i]]++] = i;
    // Each value against the values after it in its bucket.
    for (let p = 0; p < n; p++) {
      const a = order[p];
      const to = start[bucket[a] + 1];
      for (let q = p + 1; q < to; q++) {
        const c = order[q];
        // Report the pair only under its canonical combo: the first m blocks it agrees on.
        let canonical = true;
        for (let j = 0; j <= last; j++) {
          if ((vals[a * b + j] === vals[c * b + j]) !== (inCombo[j] === 1)) {
            canonical = false;
            break;
          }
        }
        if (!canonical) continue;
        const d = popcount32(hi[a] ^ hi[c]) + popcount32(lo[a] ^ lo[c]);
        if (d <= k) out.push(a < c ? [a, c, d] : [c, a, d]);
      }
    }
    // The next combo in lexicographic order.
    let j = m - 1;
    while (j >= 0 && combo[j] === b - m + j) j--;
    if (j < 0) break;
    combo[j]++;
    for (let t = j + 1; t < m; t++) combo[t] = combo[t - 1] + 1;
  }
  return out;
}

/** SQLite's BINARY order of two strings (UTF-8 bytes), which differs from UTF-16 order only past U+D7FF. */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length - b.length;
  const x = a.charCodeAt(i);
  const y = b.charCodeAt(i);
  // Surrogates (D800-DFFF) encode code points above FFFF: after E000-FFFF in UTF-8.
  const rank = (c: number) => (c >= 0xd800 && c < 0xe000 ? c + 0x2000 : c >= 0xe000 ? c - 0x800 : c);
  return rank(x) - rank(y);
}

/** A near-duplicate finding as the view `audit_near_duplicate_content` gives it. */
export type NearDuplicateRow = {
  url: string;
  target: string;
  similarity: number;
};

/**
 * The rows of `audit_near_duplicate_content` for one crawl, in (url, target) order, found by `nearPairs`
 * instead of the view's every-pair comparison: the same pages (indexable audit_pages with a SimHash), the same
 * pairs (different text hashes, at least the threshold share of equal bits, `url` < `target`) and the same
 * `similarity`, whose values and the threshold's test are SQLite's own (one query over the 65 distances).
 */
export function nearDuplicateRows(db: Db, crawlId: number): NearDuplicateRow[] {
  const scale = db
    .prepare(
      `WITH RECURSIVE d(bits) AS (SELECT 0 UNION ALL SELECT bits + 1 FROM d WHERE bits < 64)
       SELECT bits, round(1 - bits / 64.0, 4) AS similarity,
              coalesce(1 - bits / 64.0 >= (SELECT value FROM audit_settings WHERE key = 'near_duplicate_min_similarity'), 0) AS near
       FROM d ORDER BY bits`,
    )
    .all() as { bits: number; similarity: number; near: number }[];
  // The distances that count form a prefix 0..k (the test is monotone in bits).
  const k = scale.filter((s) => s.near === 1).length - 1;
  if (k < 0) return [];
  const pages = db
    .prepare(
      `SELECT url, simhash, text_hash FROM audit_pages
       WHERE crawl_id = ? AND indexable = 1 AND simhash IS NOT NULL AND text_hash IS NOT NULL`,
    )
    .safeIntegers(true)
    .raw()
    .all(crawlId) as [string, bigint, string][];
  // Pages with the same fingerprint are one value: a group of equal texts is not compared with itself again.
  const index = new Map<bigint, number>();
  const members: number[][] = [];
  for (let i = 0; i < pages.length; i++) {
    const v = pages[i][1];
    let at = index.get(v);
    if (at === undefined) {
      at = members.length;
      index.set(v, at);
      members.push([]);
    }
    members[at].push(i);
  }
  const hi = new Uint32Array(members.length);
  const lo = new Uint32Array(members.length);
  for (const [v, at] of index) {
    const u = BigInt.asUintN(64, v);
    hi[at] = Number(u >> 32n);
    lo[at] = Number(u & 0xffffffffn);
  }
  const rows: NearDuplicateRow[] = [];
  const emit = (i: number, j: number, bits: number) => {
    const [a, , ta] = pages[i];
    const [b, , tb] = pages[j];
    if (ta === tb) return;
    const order = compareUtf8(a, b);
    if (order === 0) return;
    const similarity = scale[bits].similarity;
    rows.push(order < 0 ? { url: a, target: b, similarity } : { url: b, target: a, similarity });
  };
  for (const group of members)
    for (let x = 0; x < group.length; x++)
      for (let y = x + 1; y < group.length; y++) emit(group[x], group[y], 0);
  for (const [a, b, bits] of nearPairs(hi, lo, k))
    for (const i of members[a]) for (const j of members[b]) emit(i, j, bits);
  rows.sort((x, y) => compareUtf8(x.url, y.url) || compareUtf8(x.target, y.target));
  return rows;
}
