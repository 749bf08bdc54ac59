/** Redis connections and the private redis-server launcher (the "embedded" default and the test setup). */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import { ioredis } from './deps/ioredis.js';
import { outageRetryStrategy } from './redis-outage.js';

/** Hides the password of a redis URL for logs and status output. */
export function redactRedisUrl(url: string): string {
  if (isClusterUrl(url)) return url.replace(/^([^:]+:\/\/[^:@/]*:)[^@/]*@/, '$1***@');
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<invalid redis url>';
  }
}

/** `redis+cluster://[user:pass@]host:port,host:port` (or `rediss+cluster://` for TLS): a Redis Cluster. */
export function isClusterUrl(url: string): boolean {
  return /^rediss?\+cluster:\/\//.test(url);
}

export interface ClusterTarget {
  nodes: Array<{ host: string; port: number }>;
  options: RedisOptions;
}

/** Splits a cluster URL into its seed nodes and the options every node connection shares. */
export function parseClusterUrl(url: string): ClusterTarget {
  const m = /^(rediss?)\+cluster:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]+)\/?$/.exec(url);
  if (!m) throw new Error(`not a redis+cluster://host:port,host:port URL: ${redactRedisUrl(url)}`);
  const nodes = m[4].split(',').map((hp) => {
    const i = hp.lastIndexOf(':');
    const host = (i > 0 ? hp.slice(0, i) : hp).replace(/^\[|\]$/g, '');
    const port = i > 0 ? Number(hp.slice(i + 1)) : 6379;
    if (!host || !Number.isInteger(port) || port <= 0 || port > 65535)
      throw new Error(`bad cluster node "${hp}" in ${redactRedisUrl(url)}`);
    return { host, port };
  });
  const options: RedisOptions = {};
  if (m[2]) options.username = decodeURIComponent(m[2]);
  if (m[3]) options.password = decodeURIComponent(m[3]);
  if (m[1] === 'rediss') options.tls = {};
  return { nodes, options };
}

function connectCluster(url: string, extra: RedisOptions, retry: boolean, abandon?: AbortSignal): Cluster {
  const { nodes, options } = parseClusterUrl(url);
  return new ioredis.Cluster(nodes, {
    clusterRetryStrategy: retry ? outageRetryStrategy(abandon) : () => null,
    enableReadyCheck: true,
    // BullMQ blocks on its own duplicated connections; commands wait for the cluster to be ready.
    enableOfflineQueue: extra.enableOfflineQueue ?? true,
    lazyConnect: extra.lazyConnect,
    redisOptions: { maxRetriesPerRequest: null, ...options, ...extra },
  });
}

/**
 * Opens an ioredis connection. `maxRetriesPerRequest: null` is what BullMQ workers need; the retry
 * strategy keeps reconnecting with a capped delay (Redis restarts are survivable) until `abandon` fires: then
 * the connection ends and its pending commands fail (see redis-outage.ts for who decides).
 * A `redis+cluster://` URL opens an ioredis Cluster instead: it answers the same commands (routed by
 * key slot) and BullMQ accepts it as a connection, so callers keep the `Redis` type.
 */
export function connectRedis(url: string, extra: RedisOptions = {}, abandon?: AbortSignal): Redis {
  const options = { ...redisTlsOptions(url), ...extra };
  if (isClusterUrl(url)) return connectCluster(url, options, true, abandon) as unknown as Redis;
  return new ioredis.Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: outageRetryStrategy(abandon),
    ...options,
  });
}

/**
 * Closes a connection without keeping the process alive: ioredis's disconnect() on a connection whose socket
 * is already closed (Redis gone) arms a 2 s timer that nothing clears.
 */
export function disconnectRedis(r: Redis | Cluster): void {
  if (r.status !== 'end') r.disconnect();
}

/**
 * TLS options for a `rediss://` URL: the server certificate is verified (host name included) against the
 * system CAs, or against the PEM file named by METACRAWL_REDIS_TLS_CA (a private CA or a self-signed cert).
 */
export function redisTlsOptions(url: string): RedisOptions {
  if (!/^rediss(\+cluster)?:/i.test(url)) return {};
  const path = process.env.METACRAWL_REDIS_TLS_CA;
  if (!path) return {};
  try {
    return { tls: { ca: readFileSync(path) } };
  } catch (err) {
    throw new Error(`METACRAWL_REDIS_TLS_CA: cannot read ${path} (${(err as NodeJS.ErrnoException).code})`);
  }
}

/**
 * Fails fast with a one-line message when Redis is unreachable at start: refused, unknown host, wrong
 * password, TLS failure, or a server that accepts the connection but does not answer within `timeoutMs`.
 */
export async function assertRedisReachable(url: string, timeoutMs = 5000): Promise<void> {
  const opts: RedisOptions = {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
    enableOfflineQueue: false,
    ...redisTlsOptions(url),
  };
  const r = isClusterUrl(url) ? connectCluster(url, opts, false) : new ioredis.Redis(url, opts);
  // The connection's own error says more than the "Connection is closed." that connect() rejects with.
  let lastError: Error | null = null;
  r.on('error', (err: Error) => {
    lastError = err;
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  const attempt = r.connect().then(() => r.ping());
  attempt.catch(() => {}); // settles after the deadline when the server never answers
  try {
    await Promise.race([attempt, deadline]);
  } catch (err) {
    throw new Error(`cannot reach Redis at ${redactRedisUrl(url)}: ${unreachableReason(err, lastError)}`);
  } finally {
    clearTimeout(timer);
    disconnectRedis(r);
    // A server that accepted the connection but never answers would keep the socket, and the process, alive.
    (r as unknown as { stream?: { destroy(): void } }).stream?.destroy();
  }
}

function unreachableReason(err: unknown, lastError: Error | null): string {
  const message = (err as Error).message;
  // The server closed the connection before (ioredis: "Connection is closed.") or just after connect() resolved
  // (then the PING finds the stream gone: "Stream isn't writeable …"): which one depends on timing.
  // The connection's own error may be that same message, or the reset that closed it.
  const closed = /Connection is closed|Stream isn't writeable|ECONNRESET|EPIPE/;
  if (!closed.test(message)) return message;
  if (lastError === null || closed.test(lastError.message)) return 'the server closed the connection';
  if (/Protocol error/.test(lastError.message)) return 'the server does not speak the Redis protocol';
  return lastError.message;
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

/**
 * Starts a private redis-server on a free loopback port with its data in `dir`.
 * AOF is on with appendfsync everysec: if redis-server alone is killed, what it wrote is in the kernel's
 * page cache and survives; a crash of the machine loses up to about the last second (2 s at worst).
 * A previous private server of the same `dir` left running by a killed process is shut down first.
 */
export async function startPrivateRedis(
  dir: string,
  opts: { appendonly?: boolean; port?: number; bin?: string } = {},
): Promise<PrivateRedis> {
  const bin = opts.bin ?? 'redis-server';
  mkdirSync(dir, { recursive: true });
  await stopLeftover(dir);
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
      // A crawl's seen set is 65536 small hashes; they stay compact (listpack) to 512 fields each, i.e. to
      // ~30 million URLs per crawl (the default 128 gives ~8 million). The ziplist name works on Redis 6 and 7.
      '--hash-max-ziplist-entries',
      '512',
      // Blocking-command timeouts are checked hz times a second: at the default 10, BullMQ wakes a
      // delayed job up to 100 ms late, which blurs per-host politeness timing (bookings, pauses).
      '--hz',
      '100',
      '--protected-mode',
      'yes',
      '--daemonize',
      'no',
      '--logfile',
      '',
    ];
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    // No redis-server on PATH shows as the spawn's error (no `redis-server --version` run first: ~10 ms more
    // before every crawl's first fetch).
    const spawnError = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
      child.once('spawn', () => resolve(null));
      child.once('error', resolve);
    });
    if (spawnError) {
      if (spawnError.code === 'ENOENT') throw new Error(REDIS_INSTALL_HINT);
      throw new Error(`could not start ${bin}: ${spawnError.message}`);
    }
    let output = '';
    const logged = new Promise<void>((resolve) => {
      const onData = (d: Buffer) => {
        output += d;
        if (output.includes(READY_LINE)) resolve();
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
    });
    const url = `redis://127.0.0.1:${port}`;
    const ok = await waitForRedis(url, child, logged, 10_000);
    if (ok) {
      child.stdout?.removeAllListeners('data');
      child.stderr?.removeAllListeners('data');
      child.stdout?.resume();
      child.stderr?.resume();
      const owner = join(dir, OWNER_FILE);
      writeFileSync(owner, JSON.stringify({ pid: child.pid, port }));
      return {
        url,
        port,
        dir,
        process: child,
        stop: async () => {
          await stopChild(child, url);
          rmSync(owner, { force: true });
        },
      };
    }
    child.kill('SIGKILL');
    if (opts.port)
      throw new Error(`redis-server did not start on port ${port}: ${output.trim().slice(-300)}`);
  }
  throw new Error('redis-server did not start after 5 attempts');
}

/** Names the private redis-server serving a data dir (pid, port) while it runs. */
const OWNER_FILE = 'metacrawl-redis.json';

/** The private redis-server serving `dir` now: its owner file names a live process that answers for `dir`. */
export async function findPrivateRedis(dir: string): Promise<{ url: string; pid: number } | null> {
  const found = await withOwner(dir, async () => {});
  return found && { url: found.url, pid: found.pid };
}

/**
 * Connects to the server named by `dir`'s owner file and runs `use` on it, only if it is alive and serves `dir`
 * (not a reused pid or port); null otherwise.
 */
async function withOwner<T>(
  dir: string,
  use: (r: Redis) => Promise<T>,
): Promise<{ url: string; pid: number; value: T } | null> {
  let prev: { pid: number; port: number };
  try {
    prev = JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as { pid: number; port: number };
    process.kill(prev.pid, 0);
  } catch {
    return null; // no owner file, or its process is gone
  }
  const url = `redis://127.0.0.1:${prev.port}`;
  const r = new ioredis.Redis(url, {
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
  });
  r.on('error', () => {});
  try {
    await r.connect();
    const [, served] = (await r.config('GET', 'dir')) as [string, string];
    if (realpathSync(served) !== realpathSync(dir)) return null;
    return { url, pid: prev.pid, value: await use(r) };
  } catch {
    return null;
  } finally {
    disconnectRedis(r);
  }
}

/**
 * A process killed with SIGKILL never stops its private redis-server, which keeps serving `dir`. Two servers
 * must not share one AOF: the old one is asked to SHUTDOWN (it fsyncs its AOF, then closes its port) and
 * the new one loads the files after it. A server that does not serve `dir` (a reused pid or port) is left alone.
 */
async function stopLeftover(dir: string): Promise<void> {
  const found = await withOwner(dir, (r) => r.call('SHUTDOWN').catch(() => {}));
  if (!found) return;
  const url = found.url;
  // Its port closes after the AOF is on disk.
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    try {
      await assertRedisReachable(url, 200);
    } catch {
      return;
    }
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** What redis-server logs (to stdout, with `--logfile ''`) once it listens: Redis 5 to 7, and Valkey. */
const READY_LINE = 'Ready to accept connections';

/**
 * Waits until the server started as `child` answers on `url`: as soon as it logs that it listens (`logged`), or,
 * should that line never come (another log format), when a PING every 50 ms gets an answer. False when it exits
 * first (e.g. its port was taken) or `timeoutMs` passes.
 */
async function waitForRedis(
  url: string,
  child: ChildProcess,
  logged: Promise<void>,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    child.once('exit', () => resolve());
  });
  let ready = false;
  logged.then(() => {
    ready = true;
  });
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    // The log line is the server's own word that it listens: no connection is tried before it (each refused try
    // costs a client and a timer).
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      logged,
      exited,
      new Promise((r) => {
        timer = setTimeout(r, 50);
      }),
    ]);
    clearTimeout(timer);
    if (child.exitCode !== null || child.signalCode !== null) return false;
    if (ready) return true;
    try {
      await assertRedisReachable(url, 500);
      return true;
    } catch {}
  }
  return false;
}

async function stopChild(child: ChildProcess, url: string): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A server that accepts the connection but never answers SHUTDOWN is killed all the same (a slow AOF fsync
  // is given its time).
  let timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  try {
    const r = new ioredis.Redis(url, {
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    r.on('error', () => {});
    await r.connect();
    // SHUTDOWN makes redis fsync the AOF before exiting; the connection drops, so ignore the error.
    await r.call('SHUTDOWN').catch(() => {});
    disconnectRedis(r); // already closed by the server
  } catch {
    child.kill('SIGTERM');
  }
  clearTimeout(timer);
  timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
