/**
 * The gzip members of WARC records: stored blocks across part and block boundaries, a deflated head before them,
 * the payload written as it is (no copy), each member inflated by node's gunzip as one.
 */
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gzipMember, memberBytes, storedMember } from '../../src/archive/member.js';

const text = (n: number) => Buffer.from('WARC/1.1\r\nWARC-Type: response\r\n'.repeat(n));

describe('gzip members of records', () => {
  it('stores parts across 64 KB block boundaries, empty parts included, and inflates to their concatenation', () => {
    const parts = [
      text(3),
      randomBytes(70_000),
      Buffer.alloc(0),
      randomBytes(65_535),
      text(1),
      randomBytes(1),
    ];
    const m = storedMember(parts);
    const bytes = memberBytes(m);
    expect(bytes.length).toBe(m.length);
    expect(gunzipSync(bytes).equals(Buffer.concat(parts))).toBe(true);
    // Three stored blocks of at most 65,535 bytes: 5 bytes each, the gzip header and trailer, no more.
    const total = parts.reduce((n, p) => n + p.length, 0);
    expect(m.length).toBe(10 + total + 5 * Math.ceil(total / 0xffff) + 8);
  });

  it('keeps a large payload as a part of its own, not a copy', () => {
    const payload = randomBytes(20_000);
    const m = gzipMember(text(20), [payload, Buffer.from('\r\n\r\n')]);
    expect(m.parts.some((p) => p.buffer === payload.buffer && p.byteLength === payload.length)).toBe(true);
    expect(
      gunzipSync(memberBytes(m)).equals(Buffer.concat([text(20), payload, Buffer.from('\r\n\r\n')])),
    ).toBe(true);
  });

  it('deflates what it is given to deflate, alone or before stored parts, and an empty record', () => {
    const deflated = gzipMember(text(200));
    expect(deflated.length).toBeLessThan(text(200).length / 10);
    expect(gunzipSync(memberBytes(deflated)).equals(text(200))).toBe(true);
    expect(gunzipSync(memberBytes(gzipMember(Buffer.alloc(0)))).length).toBe(0);
    expect(gunzipSync(memberBytes(storedMember([]))).length).toBe(0);
  });
});
