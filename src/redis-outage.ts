/**
 * How long a Redis outage is survived. Connections retry through an outage (a Redis restarted with AOF within
 * the window costs nothing); a command watching its connection gives up once the outage outlasts the window
 * and exits with one clear line instead of reconnecting forever.
 *
 * Giving up is the watcher's decision, not the connection's: a connection that ends makes BullMQ's worker spin
 * (it retries a failed "Connection is closed." without pause while closing), so BullMQ's connections keep
 * retrying until the process exits, and only connections made with an `abandon` signal end when it fires.
 */
import type { Redis } from 'ioredis';
import type { Logger } from './log.js';

/** Default of --redis-timeout: the outage a command survives before it gives up. */
export const REDIS_OUTAGE_MS = 30_000;

/**
 * An ioredis retryStrategy: a capped backoff, until `abandon` fires: then null at the next attempt (the
 * connection ends and its pending commands fail with "Connection is closed.").
 */
export function outageRetryStrategy(abandon?: AbortSignal): (times: number) => number | null {
  return (times) => (abandon?.aborted ? null : Math.min(times * 200, 2000));
}

/** Why a watched connection was given up, in one line. */
export class RedisLostError extends Error {}

export interface RedisWatch {
  /** Aborts, with a RedisLostError as its reason, once an outage has lasted `outageMs`. */
  readonly signal: AbortSignal;
  /** True while the connection is down (between a lost connection and its return). */
  down(): boolean;
}

/**
 * Watches a connection: logs an outage once when it starts and once when it ends (not every reconnect attempt),
 * and aborts `signal` when one lasts `outageMs` (Infinity: never). `label` names the Redis (password redacted).
 */
export function watchRedis(
  conn: Redis,
  label: string,
  opts: { outageMs?: number; logger?: Logger } = {},
): RedisWatch {
  const outageMs = opts.outageMs ?? REDIS_OUTAGE_MS;
  const ctrl = new AbortController();
  let downSince: number | null = null;
  let logged = false;
  let lastError: Error | null = null;
  let timer: NodeJS.Timeout | undefined;
  const giveUp = () => {
    const secs = Math.round((Date.now() - (downSince ?? Date.now())) / 1000);
    const why = lastError ? ` (${lastError.message})` : '';
    ctrl.abort(new RedisLostError(`lost Redis at ${label}: no connection for ${secs} s${why}`));
  };
  const down = () => {
    if (downSince !== null || ctrl.signal.aborted) return;
    downSince = Date.now();
    if (outageMs < Number.POSITIVE_INFINITY) {
      timer = setTimeout(giveUp, outageMs);
      timer.unref(); // the watch alone never keeps a process alive
    }
  };
  conn.on('close', down);
  conn.on('error', (err: Error) => {
    lastError = err;
    down();
    if (logged || ctrl.signal.aborted) return;
    logged = true;
    const limit = outageMs < Number.POSITIVE_INFINITY ? ` for up to ${Math.round(outageMs / 1000)} s` : '';
    opts.logger?.warn({ err: err.message, redis: label }, `Redis connection lost; reconnecting${limit}`);
  });
  conn.on('ready', () => {
    clearTimeout(timer);
    if (logged) opts.logger?.info({ redis: label }, 'Redis connection back');
    downSince = null;
    logged = false;
  });
  // Closed for good (by its owner, or abandoned): nothing left to watch.
  conn.on('end', () => clearTimeout(timer));
  return { signal: ctrl.signal, down: () => downSince !== null };
}
