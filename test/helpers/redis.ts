import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

/** URL of the private redis-server started by test/setup/global-redis.ts. */
export function testRedisUrl(): string {
  return inject('redisUrl');
}

/** A random key prefix so tests never see each other's keys. */
export function testPrefix(): string {
  return `mctest-${randomBytes(4).toString('hex')}`;
}
