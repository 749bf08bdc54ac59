import { describe, expect, it } from 'vitest';
import { decodeEntry, encodeEntry, entryJobData, type PendingUrl } from '../../src/frontier/entry.js';

const cases: Array<[string, PendingUrl, string]> = [
  ['a seed', { url: 'https://a.example/x', depth: 0, from: null, lastmod: null }, '0 https://a.example/x'],
  [
    'a sitemap seed with a lastmod',
    { url: 'https://a.example/x', depth: 0, from: null, lastmod: '2024-05-01T10:00:00Z' },
    '0 https://a.example/x\t2024-05-01T10:00:00Z',
  ],
  [
    'a link: the parent as what it does not share with the URL',
    { url: 'https://a.example/docs/b', depth: 2, from: 'https://a.example/docs/index.html', lastmod: null },
    '2 https://a.example/docs/b\n23 index.html',
  ],
  [
    'a link from another host',
    { url: 'https://a.example/', depth: 12, from: 'http://b.example/p', lastmod: null },
    '12 https://a.example/\n4 ://b.example/p',
  ],
  [
    'a parent that is a prefix of the URL, and the reverse',
    { url: 'https://a.example/ab', depth: 1, from: 'https://a.example/a', lastmod: 'x' },
    '1 https://a.example/ab\n19 \tx',
  ],
  [
    'a re-crawl seed with every validator and hash',
    {
      url: 'https://a.example/x',
      depth: 0,
      from: null,
      lastmod: '2024-05-01',
      since: {
        etag: 'W/"abc"',
        lastModified: 'Wed, 01 Jan 2025 00:00:00 GMT',
        bodyHash: '0123456789abcdef',
        metaHash: 'fedcba9876543210',
      },
    },
    '0 https://a.example/x\t2024-05-01\x01W/"abc"\x01spduo0\x01ASNFZ4mrze8\x01_ty6mHZUMhA',
  ],
  [
    'a re-crawl seed with only an ETag, skipped by lastmod',
    { url: 'https://a.example/x', depth: 0, from: null, lastmod: null, since: { etag: '"e"', skip: true } },
    '0 https://a.example/x\t\x01"e"\x01\x01\x01\x01s',
  ],
  [
    'a re-crawl link with only hashes',
    {
      url: 'https://a.example/b',
      depth: 1,
      from: 'https://a.example/',
      lastmod: null,
      since: { bodyHash: '0123456789abcdef', metaHash: '0123456789abcdef' },
    },
    '1 https://a.example/b\n18 \t\x01\x01\x01ASNFZ4mrze8\x01ASNFZ4mrze8',
  ],
];

describe('frontier entries', () => {
  it("carries a re-crawl URL's validators and hashes in ~50 bytes more, and none for a URL without them", () => {
    const url = 'https://shop.example/products/1234';
    const plain = encodeEntry({ url, depth: 0, from: null, lastmod: null });
    const since = {
      etag: '"5f3c-61a2b3c4d5e6f"',
      lastModified: 'Mon, 07 Dec 2026 05:56:33 GMT',
      bodyHash: '0123456789abcdef',
      metaHash: 'fedcba9876543210',
    };
    const withSince = encodeEntry({ url, depth: 0, from: null, lastmod: null, since });
    expect(Buffer.byteLength(withSince) - Buffer.byteLength(plain)).toBeLessThanOrEqual(56);
    expect(encodeEntry({ url, depth: 0, from: null, lastmod: null, since: {} })).toBe(plain);
    expect(decodeEntry(withSince).since).toEqual(since);
    // A control character in an ETag (never valid) is not sent; nothing breaks the entry.
    const bad = encodeEntry({ url, depth: 0, from: null, lastmod: null, since: { etag: 'a\x01b' } });
    expect(bad).toBe(plain);
  });

  it.each(cases)('encodes and decodes %s', (_name, p, encoded) => {
    expect(encodeEntry(p)).toBe(encoded);
    expect(decodeEntry(encoded)).toEqual(p);
  });

  it('makes tabs and line breaks in a lastmod spaces (entries are separated by CRs)', () => {
    const p = { url: 'https://a.example/', depth: 0, from: null, lastmod: '2024-01-01\r\n\t10:00' };
    expect(encodeEntry(p)).toBe('0 https://a.example/\t2024-01-01   10:00');
  });

  it('keeps a parent identical to the URL', () => {
    const p = { url: 'https://a.example/a', depth: 1, from: 'https://a.example/a', lastmod: null };
    expect(decodeEntry(encodeEntry(p))).toEqual(p);
  });

  it('becomes job data whose seed is the URL itself (scope is judged per site)', () => {
    const e = encodeEntry({
      url: 'https://a.example/b',
      depth: 1,
      from: 'https://a.example/',
      lastmod: null,
    });
    expect(entryJobData('c1', e, 5)).toEqual({
      crawl: 'c1',
      url: 'https://a.example/b',
      depth: 1,
      from: 'https://a.example/',
      seed: 'https://a.example/b',
      queuedAt: 5,
      lastmod: null,
    });
  });
});
