/** Worker metrics observe the politeness gate through its observer hook (no method wrapping). */
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerMetrics } from '../../src/metrics/index.js';
import { connectRedis } from '../../src/redis.js';
import { PolitenessGate } from '../../src/worker/politeness/gate.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';

let redis: Redis;
beforeAll(() => {
  redis = connectRedis(testRedisUrl());
});
afterAll(async () => {
  await redis.quit();
});

async function counts(registry: Registry, name: string): Promise<Record<string, number>> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const out: Record<string, number> = {};
  for (const v of metric?.values ?? []) out[Object.values(v.labels).join(',')] = v.value;
  return out;
}

describe('WorkerMetrics as the gate observer', () => {
  it('counts refusals by reason and backoffs by outcome, and nothing for grants or ok', async () => {
    const registry = new Registry();
    const metrics = new WorkerMetrics(registry);
    const gate = new PolitenessGate(redis, testPrefix(), { observer: metrics.gateObserver });
    const oneAtATime = { ratePerSec: 0, concurrency: 1 };

    expect((await gate.acquire('c1', 'a.example', oneAtATime, 't1')).granted).toBe(true);
    expect(await gate.acquire('c1', 'a.example', oneAtATime, 't2')).toMatchObject({ reason: 'concurrency' });
    expect(await gate.acquire('c1', 'b.example', { ratePerSec: 1, concurrency: 0 }, 't3')).toMatchObject({
      granted: true,
    });
    expect(await gate.acquire('c1', 'b.example', { ratePerSec: 1, concurrency: 0 }, 't4')).toMatchObject({
      reason: 'rate',
    });
    await gate.recordHostEvent('a.example', 'ok', null);
    await gate.recordHostEvent('a.example', 'throttled', 50);
    await gate.recordHostEvent('c.example', 'conn-failure', null);
    await gate.recordHostEvent('c.example', 'conn-failure', null);
    expect(await gate.acquire('c1', 'a.example', { ratePerSec: 0, concurrency: 0 }, 't5')).toMatchObject({
      reason: 'paused',
    });

    expect(await counts(registry, 'metacrawl_politeness_delays_total')).toEqual({
      concurrency: 1,
      rate: 1,
      paused: 1,
    });
    expect(await counts(registry, 'metacrawl_host_backoffs_total')).toEqual({
      throttled: 1,
      conn_failure: 2,
    });
  });
});
