/** The worker's cache of crawl states: one GET per crawl per interval, however many jobs ask at once. */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlCache } from '../../src/control/state.js';
import { keys } from '../../src/keys.js';
import { connectRedis } from '../../src/redis.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';

let redis: Redis;
beforeAll(() => {
  redis = connectRedis(testRedisUrl());
});
afterAll(async () => {
  await redis.quit();
});

describe('ControlCache', () => {
  it('shares one GET between the jobs that find the state stale at once, and reads it again after ttl', async () => {
    const prefix = testPrefix();
    let gets = 0;
    // The real connection, counting the GETs it is asked for.
    const counted = new Proxy(redis, {
      get(target, prop, receiver) {
        if (prop === 'get')
          return (...args: Parameters<Redis['get']>) => {
            gets++;
            return target.get(...args);
          };
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    // A ttl long enough that a loaded machine's pauses between two steps stay inside it.
    const cache = new ControlCache(counted, prefix, 1000);
    expect(await Promise.all(Array.from({ length: 50 }, () => cache.get('c')))).toEqual(
      Array(50).fill('running'),
    );
    expect(gets).toBe(1);
    await redis.set(keys(prefix).crawlState('c'), 'paused');
    expect(await cache.get('c')).toBe('running'); // cached
    await new Promise((r) => setTimeout(r, 1050));
    expect(await Promise.all([cache.get('c'), cache.get('c')])).toEqual(['paused', 'paused']);
    expect(gets).toBe(2);
    // forget() drops a read on its way too: the next ask reads again.
    cache.forget('c');
    await redis.del(keys(prefix).crawlState('c'));
    expect(await cache.get('c')).toBe('running');
    expect(gets).toBe(3);
  });
});
