import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  assertRedisReachable,
  connectRedis,
  freePort,
  redactRedisUrl,
  startPrivateRedis,
} from '../src/redis.js';
import { testRedisUrl } from './helpers/redis.js';

describe('redis plumbing', () => {
  it('uses a private redis-server, never the shared one on 6379', () => {
    expect(testRedisUrl()).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(testRedisUrl()).not.toMatch(/:6379$/);
  });

  it('starts and stops a private redis-server with AOF in the given folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mc-redis-'));
    const r = await startPrivateRedis(dir);
    const c = connectRedis(r.url);
    expect(await c.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    expect(await c.config('GET', 'dir')).toEqual(['dir', dir]);
    c.disconnect();
    await r.stop();
    await expect(assertRedisReachable(r.url, 300)).rejects.toThrow(/cannot reach Redis/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves no timer behind after a refused connection (the command exits right after its message)', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    await expect(assertRedisReachable(url, 1000)).rejects.toThrow(/ECONNREFUSED/);
    expect(timers()).toBeLessThanOrEqual(before);
  });

  it('redacts passwords', () => {
    expect(redactRedisUrl('rediss://user:s3cret@host:6380/2')).toBe('rediss://user:***@host:6380/2');
    expect(redactRedisUrl('redis://:s3cret@host')).not.toContain('s3cret');
  });
});
