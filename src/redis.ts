/** Redis connections and the private redis-server launcher (the "embedded" default and the test setup). */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';

/** Hides the password of a redis URL for logs and status output. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<invalid redis url>';
  }
}

/**
 * Opens an ioredis connection. `maxRetriesPerRequest: null` is what BullMQ workers need; the retry
 * strategy keeps reconnecting (Redis restarts are survivable) with a capped delay.
 */
export function connectRedis(url: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    ...extra,
  });
}

/** Fails fast with a one-line message when Redis is unreachable at start. */
export async function assertRedisReachable(url: string, timeoutMs = 5000): Promise<void> {
  const r = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
    enableOfflineQueue: false,
  });
  r.on('error', () => {});
  try {
    await r.connect();
    await r.ping();
  } catch (err) {
    throw new Error(`cannot reach Redis at ${redactRedisUrl(url)}: ${(err as Error).message}`);
  } finally {
    r.disconnect();
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface PrivateRedis {
  url: string;
  port: number;
  dir: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export const REDIS_INSTALL_HINT =
  'redis-server was not found on PATH. Install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis), ' +
  'or start one with `docker compose up -d redis` and pass --redis redis://127.0.0.1:6379 (or set REDIS_URL).';

export function hasRedisServer(bin = 'redis-server'): boolean {
  const r = spawnSync(bin, ['--version'], { stdio: 'ignore' });
  return r.status === 0;
}

/**
 * Starts a private redis-server on a free loopback port with its data in `dir`.
 * AOF is on with appendfsync everysec (a hard kill loses at most ~1 s of writes).
 */
export async function startPrivateRedis(
  dir: string,
  opts: { appendonly?: boolean; port?: number; bin?: string } = {},
): Promise<PrivateRedis> {
  const bin = opts.bin ?? 'redis-server';
  if (!hasRedisServer(bin)) throw new Error(REDIS_INSTALL_HINT);
  mkdirSync(dir, { recursive: true });
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = opts.port ?? (await freePort());
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      opts.appendonly === false ? 'no' : 'yes',
      '--appendfsync',
      'everysec',
      '--maxmemory-policy',
      'noeviction',
      '--protected-mode',
      'yes',
      '--daemonize',
      'no',
      '--logfile',
      '',
    ];
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (d) => {
      output += d;
    });
    child.stderr?.on('data', (d) => {
      output += d;
    });
    const url = `redis://127.0.0.1:${port}`;
    const ok = await waitForRedis(url, child, 10_000);
    if (ok) {
      child.stdout?.removeAllListeners('data');
      child.stderr?.removeAllListeners('data');
      child.stdout?.resume();
      child.stderr?.resume();
      return {
        url,
        port,
        dir,
        process: child,
        stop: () => stopChild(child, url),
      };
    }
    child.kill('SIGKILL');
    if (opts.port)
      throw new Error(`redis-server did not start on port ${port}: ${output.trim().slice(-300)}`);
  }
  throw new Error('redis-server did not start after 5 attempts');
}

async function waitForRedis(url: string, child: ChildProcess, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return false;
    try {
      await assertRedisReachable(url, 500);
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return false;
}

async function stopChild(child: ChildProcess, url: string): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const r = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    r.on('error', () => {});
    await r.connect();
    // SHUTDOWN makes redis fsync the AOF before exiting; the connection drops, so ignore the error.
    await r.call('SHUTDOWN').catch(() => {});
    r.disconnect();
  } catch {
    child.kill('SIGTERM');
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
