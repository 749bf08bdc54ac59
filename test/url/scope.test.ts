import { describe, expect, it } from 'vitest';
import { inScope } from '../../src/url/scope.js';

const SEED = 'https://blog.example.co.uk/start';

describe('inScope', () => {
  it.each([
    ['same host', 'https://blog.example.co.uk/post/1', 'host', true],
    ['same host over http', 'http://blog.example.co.uk/post/1', 'host', true],
    ['sibling subdomain by host', 'https://shop.example.co.uk/', 'host', false],
    ['sibling subdomain by domain', 'https://shop.example.co.uk/', 'domain', true],
    ['the bare domain by domain', 'https://example.co.uk/', 'domain', true],
    ['another registrable domain by domain', 'https://other.co.uk/', 'domain', false],
    ['another site by any', 'https://elsewhere.example/', 'any', true],
    ['an unparsable URL', 'not a url', 'any', false],
  ] as const)('%s → %s', (_name, url, mode, expected) => {
    expect(inScope(url, SEED, mode, [], [])).toBe(expected);
  });

  it('requires a match of at least one include pattern when any are given', () => {
    const include = [/\/post\//, /\/news\//];
    expect(inScope('https://blog.example.co.uk/post/1', SEED, 'host', include, [])).toBe(true);
    expect(inScope('https://blog.example.co.uk/about', SEED, 'host', include, [])).toBe(false);
  });

  it('lets exclude win over include and over scope', () => {
    const url = 'https://blog.example.co.uk/post/1?print=1';
    expect(inScope(url, SEED, 'host', [/\/post\//], [/print=/])).toBe(false);
    expect(inScope('https://x.example/a.pdf', SEED, 'any', [], [/\.pdf$/])).toBe(false);
  });

  it('gives the same answer every time for global regexps', () => {
    const include = [/post/g];
    const url = 'https://blog.example.co.uk/post/1';
    expect([1, 2, 3].map(() => inScope(url, SEED, 'host', include, []))).toEqual([true, true, true]);
  });
});
