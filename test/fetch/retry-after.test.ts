import { describe, expect, it } from 'vitest';
import { classifyStatus, parseRetryAfter } from '../../src/fetch/index.js';

const NOW = Date.parse('Sun, 06 Nov 1994 08:49:37 GMT');

describe('parseRetryAfter', () => {
  it.each<[string | null | undefined, number | null]>([
    ['120', 120_000],
    ['0', 0],
    ['  5 ', 5_000],
    ['Sun, 06 Nov 1994 08:50:37 GMT', 60_000],
    ['Sunday, 06-Nov-94 08:51:37 GMT', 120_000],
    ['Sun Nov  6 08:52:37 1994', 180_000],
    ['Sun, 06 Nov 1994 08:00:00 GMT', 0],
    [undefined, null],
    [null, null],
    ['', null],
    ['-5', null],
    ['1.5', null],
    ['soon', null],
    ['2', 2_000],
    ['Sun, 06 Nov 1994 08:49:37 PST', null],
    ['99999999999999999999', null],
  ])('%j → %j', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});

describe('classifyStatus', () => {
  it.each([
    [200, null],
    [204, null],
    [304, null],
    [400, 'HTTP_4XX'],
    [403, 'HTTP_4XX'],
    [404, 'HTTP_4XX'],
    [408, 'HTTP_408'],
    [410, 'HTTP_4XX'],
    [429, 'HTTP_429'],
    [451, 'HTTP_4XX'],
    [500, 'HTTP_5XX'],
    [503, 'HTTP_5XX'],
    [599, 'HTTP_5XX'],
  ])('%i → %s', (status, expected) => {
    expect(classifyStatus(status)).toBe(expected);
  });
});
