import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
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

  it('starts one that does not log its readiness, and fails on a taken port or a missing binary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mc-redis-'));
    // At log level "warning" redis-server never says "Ready to accept connections": found by PING instead.
    const quiet = join(dir, 'quiet-redis-server');
    writeFileSync(quiet, '#!/bin/sh\nexec redis-server "$@" --loglevel warning\n');
    chmodSync(quiet, 0o755);
    const r = await startPrivateRedis(join(dir, 'a'), { bin: quiet, appendonly: false });
    const c = connectRedis(r.url);
    expect(await c.config('GET', 'loglevel')).toEqual(['loglevel', 'warning']);
    c.disconnect();
    // Its port taken: that server exits, and this one says so rather than waiting.
    await expect(startPrivateRedis(join(dir, 'b'), { port: r.port, appendonly: false })).rejects.toThrow(
      new RegExp(`did not start on port ${r.port}`),
    );
    await r.stop();
    await expect(
      startPrivateRedis(join(dir, 'c'), { bin: join(dir, 'no-such-redis-server') }),
    ).rejects.toThrow(/redis-server was not found on PATH/);
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

  it('says the server closed the connection however the hang-up reaches the client', async () => {
    // Closes at once (the client's first write meets EPIPE), or answers like a web server and hangs up (the
    // ready check then finds the stream not writeable): the reason is the hang-up either way, never the
    // client library's wording of it.
    const hangUp = createServer((s) => {
      s.on('error', () => {});
      s.destroy();
    });
    const badReply = createServer((s) => {
      s.on('error', () => {});
      s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n'));
    });
    const reasons = new Set<string>();
    for (const server of [hangUp, badReply]) {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const { port } = server.address() as { port: number };
      for (let i = 0; i < 20; i++) {
        const err = await assertRedisReachable(`redis://127.0.0.1:${port}`, 2000).then(
          () => null,
          (e: Error) => e,
        );
        reasons.add(err?.message.replace(/^.*:\d+\/?: /, '') ?? 'reachable');
      }
      await new Promise((r) => server.close(r));
    }
    for (const reason of reasons) {
      expect(reason).toMatch(/^the server (closed the connection|does not speak the Redis protocol)$/);
    }
  });
});
