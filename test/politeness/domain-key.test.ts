/**
 * `--politeness-key domain` at the unit level (loopback cannot serve `a.example.co.uk` by name): sibling
 * hosts map to one key, that key gets the overrides written for the registrable domain, and the gate
 * gives them one shared budget. IP addresses stay their own key (see fleet.test.ts for the end-to-end side).
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis } from '../../src/redis.js';
import { hostKey } from '../../src/url/normalize.js';
import { PolitenessGate, resolveLimits } from '../../src/worker/politeness/gate.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';

let redis: Redis;
beforeAll(() => {
  redis = connectRedis(testRedisUrl());
});
afterAll(async () => {
  await redis.quit();
});

describe('--politeness-key domain', () => {
  const a = 'https://a.example.co.uk/page';
  const b = 'https://b.example.co.uk/other';
  const defaults = { ratePerSec: 2, concurrency: 2 };

  it('gives sibling hosts one key, and that key the registrable domain’s override', () => {
    expect(hostKey(a, 'domain')).toBe('example.co.uk');
    expect(hostKey(b, 'domain')).toBe('example.co.uk');
    const overrides = { 'example.co.uk': { rate: '1/s', concurrency: 1 } };
    expect(resolveLimits(hostKey(a, 'domain'), defaults, overrides)).toEqual({
      ratePerSec: 1,
      concurrency: 1,
    });
    // By host, a parent-domain override still covers each host, but each host has its own budget.
    expect(resolveLimits(hostKey(a, 'host'), defaults, overrides)).toEqual({ ratePerSec: 1, concurrency: 1 });
    expect(hostKey(a, 'host')).not.toBe(hostKey(b, 'host'));
  });

  it('makes sibling hosts share one budget at the gate, and keeps IP addresses apart', async () => {
    const gate = new PolitenessGate(redis, testPrefix());
    const limits = { ratePerSec: 1, concurrency: 0 };
    expect((await gate.acquire('c', hostKey(a, 'domain'), limits, 'a')).granted).toBe(true);
    expect(await gate.acquire('c', hostKey(b, 'domain'), limits, 'b')).toMatchObject({
      granted: false,
      reason: 'rate',
    });
    // By host they are two budgets.
    expect((await gate.acquire('c', hostKey(a, 'host'), limits, 'a2')).granted).toBe(true);
    expect((await gate.acquire('c', hostKey(b, 'host'), limits, 'b2')).granted).toBe(true);
    // Two loopback addresses are never grouped.
    const ip1 = hostKey('http://127.0.0.150:8080/', 'domain');
    const ip2 = hostKey('http://127.0.0.151:8080/', 'domain');
    expect([ip1, ip2]).toEqual(['127.0.0.150', '127.0.0.151']);
    expect((await gate.acquire('c', ip1, limits, 'i1')).granted).toBe(true);
    expect((await gate.acquire('c', ip2, limits, 'i2')).granted).toBe(true);
  });
});
