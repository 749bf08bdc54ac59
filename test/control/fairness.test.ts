/** FairShare's turn is an explicit option; a bad one, or a bad METACRAWL_FAIR_TURN test hook, is refused. */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { classFirstPriority, FairShare, TURN } from '../../src/control/fairness.js';
import { connectRedis } from '../../src/redis.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';

let redis: Redis;
beforeAll(() => {
  // The default turn is under test: no test hook left over by a file before this one in the same fork.
  delete process.env.METACRAWL_FAIR_TURN;
  redis = connectRedis(testRedisUrl());
});
afterAll(() => {
  delete process.env.METACRAWL_FAIR_TURN;
  redis.disconnect();
});

function share(turn?: number): FairShare {
  const prefix = testPrefix();
  return new FairShare(redis, prefix, 'c', 0, `${prefix}:empty`, turn === undefined ? {} : { turn });
}

describe('FairShare turns', () => {
  it('numbers a crawl in turns of the size it is given', async () => {
    const first = classFirstPriority(5);
    const levels = (await share(3).next(7)).map((p) => p - first);
    expect(levels).toEqual([0, 0, 0, 1, 1, 1, 2]);
  });

  it('uses TURN by default', async () => {
    const levels = new Set((await share().next(TURN + 1)).map((p) => p - classFirstPriority(5)));
    expect([...levels]).toEqual([0, 1]);
  });

  it.each([0, -2, 1.5, Number.NaN])('refuses a turn of %s', (turn) => {
    expect(() => share(turn)).toThrow(ConfigError);
  });

  it('refuses a METACRAWL_FAIR_TURN that is not a positive integer, naming it', () => {
    process.env.METACRAWL_FAIR_TURN = 'ten';
    try {
      expect(() => share()).toThrow(/METACRAWL_FAIR_TURN must be a positive integer \(got "ten"\)/);
    } finally {
      delete process.env.METACRAWL_FAIR_TURN;
    }
  });
});
