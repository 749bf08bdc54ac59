/** The one rate parser (src/rate.ts): every spelling a user may give, and errors naming where it came from. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config.js';
import { parseRate } from '../src/rate.js';

const INF = Number.POSITIVE_INFINITY;

describe('parseRate', () => {
  it.each([
    ['5', 5],
    [5, 5],
    [0.5, 0.5],
    ['5/s', 5],
    ['5/sec', 5],
    ['5/second', 5],
    ['2/S', 2],
    [' 2 / s ', 2],
    ['0.5/s', 0.5],
    ['30/m', 0.5],
    ['30/min', 0.5],
    ['30/minute', 0.5],
    ['100/h', 100 / 3600],
    ['100/hour', 100 / 3600],
    ['1/5s', 0.2],
    ['3/2m', 3 / 120],
    ['1/500ms', 2],
    ['0', INF],
    [0, INF],
    ['0/s', INF],
    ['unlimited', INF],
    ['Unlimited', INF],
    ['none', INF],
    ['inf', INF],
  ])('reads %j as %d requests per second', (input, expected) => {
    expect(parseRate('--host-rate', input)).toBeCloseTo(expected, 10);
  });

  it.each([
    '',
    'fast',
    '2/x',
    '2/',
    '-1/s',
    '-1',
    '1/0s',
    '2/s/s',
    's',
    '1e3/s',
    '2 per second',
    '5/fortnight',
    -1,
    Number.NaN,
    true,
    null,
  ])('rejects %j with a ConfigError naming the flag and the value', (input) => {
    let err: unknown;
    try {
      parseRate('--host-rate', input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message).toMatch(/^--host-rate must be a rate like 5 \(per second\), 5\/s, 30\/min/);
    expect(message).toContain(`(got ${JSON.stringify(input)})`);
  });

  it('names the unknown unit and any other source it is given', () => {
    expect(() => parseRate('politeness file p.json: "a.com".rate', '5/fortnight')).toThrow(
      /^politeness file p\.json: "a\.com"\.rate must be a rate like .*\(unknown unit "fortnight"\)/,
    );
  });
});
