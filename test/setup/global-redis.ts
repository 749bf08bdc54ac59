/**
 * Starts one private redis-server for the whole test run (never the shared one on 6379) and stops it
 * afterwards. Tests read its URL from process.env.METACRAWL_TEST_REDIS and isolate themselves with a
 * random key prefix.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startPrivateRedis } from '../../src/redis.js';

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'metacrawl-test-redis-'));
  const redis = await startPrivateRedis(dir, { appendonly: false });
  process.env.METACRAWL_TEST_REDIS = redis.url;
  project.provide('redisUrl', redis.url);
  return async () => {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}
