/** The hashes compared across crawls (pages.body_hash): their values must never change. */
import { describe, expect, it } from 'vitest';
import { bodyHash } from '../src/hashes.js';

describe('bodyHash', () => {
  it('is the first 16 hex digits of the SHA-256 of the bytes, for any view of them', () => {
    // sha256("hello") = 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824
    expect(bodyHash(Buffer.from('hello'))).toBe('2cf24dba5fb0a30e');
    const big = Buffer.from('xxhelloyy');
    expect(bodyHash(big.subarray(2, 7))).toBe('2cf24dba5fb0a30e');
    expect(bodyHash(new Uint8Array(big.buffer, big.byteOffset + 2, 5))).toBe('2cf24dba5fb0a30e');
    expect(bodyHash(new Uint8Array(0))).toBe('e3b0c44298fc1c14');
  });
});
