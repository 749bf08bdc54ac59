/**
 * The fleet-wide politeness gate: per-host rate, concurrency and pauses, kept in Redis and changed only
 * by the Lua scripts in src/worker/lua (one atomic step each, on Redis' clock), so any number of worker
 * processes together never exceed a host's limits. A crawl's rate and concurrency count its own requests
 * (state per crawl and host), so one crawl never waits for another's backlog; what the host asks for
 * itself, a pause (Retry-After, backoff) or a robots.txt Crawl-delay, holds for every crawl (state per host).
 *
 * Round trips: acquires asked in the same turn of the event loop go to Redis together, at the end of that turn;
 * a release waits up to releaseLingerMs for the next acquire and goes in front of it (a slot is at most that much
 * later free, never early), so a page costs one gate round trip, not two. What goes together goes as one call of
 * gate-batch.lua, which runs each step as acquire.lua or release.lua would (one script run and one command for
 * the lot, not one per step).
 */
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { keys } from '../../keys.js';
import { defineScript, type ScriptFn } from '../../lua.js';
import type { HostLimits } from './limits.js';

export {
  type HostLimits,
  loadPolitenessFile,
  resolveLimits,
  validateOverrides,
} from './limits.js';

export type AcquireResult =
  /** atMs: Redis time of the grant, epoch ms (fractional). */
  | { granted: true; atMs: number }
  /** booked: waitMs is a turn booked for this caller (see acquire.lua); ask again then with mode 'booked'. */
  | { granted: false; waitMs: number; reason: 'rate' | 'concurrency' | 'paused'; booked: boolean };

/**
 * How a caller that must wait is told when to come back (acquire.lua): `plain` = when the next slot
 * frees; `book` = a turn of its own, behind the turns already booked (so a host's waiting jobs wake one
 * at a time, not all at once); `booked` = the caller is waking for its turn.
 */
export type BookingMode = 'plain' | 'book' | 'booked';
const MODE_ARG: Record<BookingMode, number> = { plain: 0, book: 1, booked: 2 };

/** What a request told about its host, for adaptive backoff (backoff.lua): it answered, throttled, or was unreachable. */
export type HostEvent = 'ok' | 'throttled' | 'conn-failure';

/** Told of each answer the gate gets from Redis, after it came (metrics count refusals and backoffs). */
export interface GateObserver {
  onAcquire?(hostKey: string, result: AcquireResult): void;
  onHostEvent?(hostKey: string, event: HostEvent): void;
}

export interface GateOptions {
  /** A slot not released (dead worker) is given back after this. Default 60 s. */
  leaseMs?: number;
  /** First pause of a throttle / connection-failure streak; doubles per consecutive failure. Default 1 s. */
  backoffBaseMs?: number;
  /** Host keys expire this long after the host's last activity. Default 10 min. */
  idleMs?: number;
  /** How long a release waits for an acquire to travel with (0: it goes at the end of the turn). Default 5 ms. */
  releaseLingerMs?: number;
  observer?: GateObserver;
}

/** A script call waiting for the next pipeline. */
interface Pending {
  name: ScriptName;
  args: Array<string | number>;
  /** When it was asked (performance.now()), for a release: the time it waited is not the host's. */
  at: number;
  resolve: (v: unknown) => void;
  reject: (err: Error) => void;
}

export const DEFAULT_BACKOFF_CAP_MS = 600_000;

// One command name per script; the .lua files live in src/worker/lua (copied into dist/ by the build).
const SCRIPTS = {
  acquire: 'mcGateAcquire',
  release: 'mcGateRelease',
  pause: 'mcGatePause',
  backoff: 'mcGateBackoff',
} as const;
type ScriptName = keyof typeof SCRIPTS;
/** The steps gate-batch.lua runs, by the letter it knows them by. */
const STEP_KIND: Partial<Record<ScriptName, string>> = { acquire: 'a', release: 'r' };

const KEY_COUNT: Record<ScriptName, number> = { acquire: 4, release: 2, pause: 2, backoff: 2 };

function script(redis: Redis, name: ScriptName): ScriptFn {
  return defineScript(redis, SCRIPTS[name], `worker/lua/${name}.lua`, KEY_COUNT[name]);
}

/** 0, negative and non-finite limits mean "unlimited", which the scripts spell 0. */
function scriptLimit(n: number): number {
  return Number.isFinite(n) && n > 0 ? n : 0;
}

export class PolitenessGate {
  private readonly k: ReturnType<typeof keys>;
  private readonly leaseMs: number;
  private readonly backoffBaseMs: number;
  private readonly idleMs: number;
  private readonly run: Record<ScriptName, ScriptFn>;
  private readonly runBatch: ScriptFn;
  private readonly observer: GateObserver;
  private readonly releaseLingerMs: number;
  private pending: Pending[] = [];
  private soon: NodeJS.Immediate | null = null;
  private later: NodeJS.Timeout | null = null;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    opts: GateOptions = {},
  ) {
    this.k = keys(prefix);
    this.leaseMs = opts.leaseMs ?? 60_000;
    this.backoffBaseMs = opts.backoffBaseMs ?? 1000;
    this.idleMs = opts.idleMs ?? 600_000;
    this.observer = opts.observer ?? {};
    this.releaseLingerMs = opts.releaseLingerMs ?? 5;
    this.run = {
      acquire: script(redis, 'acquire'),
      release: script(redis, 'release'),
      pause: script(redis, 'pause'),
      backoff: script(redis, 'backoff'),
    };
    this.runBatch = defineScript(redis, 'mcGateBatch', 'worker/lua/gate-batch.lua', null);
  }

  /**
   * One slot for one request of `crawl` to `hostKey`, under the crawl's limits (and the host's floor, if
   * `limits` has one); `token` names the lease (one per job attempt).
   */
  async acquire(
    crawl: string,
    hostKey: string,
    limits: HostLimits,
    token: string,
    mode: BookingMode = 'plain',
  ): Promise<AcquireResult> {
    const res = (await this.batched('acquire', [
      this.k.hostState(hostKey),
      this.k.crawlHostState(crawl, hostKey),
      this.k.crawlHostSlots(crawl, hostKey),
      this.k.crawlDelayedHosts(crawl),
      token,
      scriptLimit(limits.ratePerSec),
      scriptLimit(limits.concurrency),
      this.leaseMs,
      this.idleMs,
      MODE_ARG[mode],
      hostKey,
      scriptLimit(limits.hostFloorPerSec ?? 0),
    ])) as [number, number, string?, number?];
    const result: AcquireResult =
      res[0] === 1
        ? { granted: true, atMs: res[1] / 1000 }
        : {
            granted: false,
            waitMs: res[1],
            reason: res[2] as 'rate' | 'concurrency' | 'paused',
            booked: res[3] === 1,
          };
    this.observer.onAcquire?.(hostKey, result);
    return result;
  }

  /**
   * Gives the slot back; a no-op when the lease is already gone (released twice, or expired). `ok`: the
   * request succeeded, which is also recorded as the host event 'ok' (see recordHostEvent) in the same call.
   * Resolves once Redis has it: up to releaseLingerMs later (it travels with the next acquire).
   */
  async release(crawl: string, hostKey: string, token: string, ok = false): Promise<void> {
    await this.batched('release', [
      this.k.hostState(hostKey),
      this.k.crawlHostSlots(crawl, hostKey),
      token,
      this.leaseMs,
      this.idleMs,
      ok ? '1' : '0',
    ]);
    if (ok) this.observer.onHostEvent?.(hostKey, 'ok');
  }

  /** Sends what waits for the next pipeline now (a stopping worker gives its slots back at once). */
  async flush(): Promise<void> {
    if (this.soon) clearImmediate(this.soon);
    if (this.later) clearTimeout(this.later);
    this.soon = null;
    this.later = null;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    const now = performance.now();
    // A release's ARGV ends with the ms it waited here: release.lua leaves them out of the host's hold time.
    const argsOf = (p: Pending) =>
      p.name === 'release' ? [...p.args, Math.max(0, Math.round(now - p.at))] : p.args;
    if (batch.length === 1) {
      const [p] = batch;
      await this.run[p.name](...argsOf(p)).then(p.resolve, p.reject);
      return;
    }
    // One gate-batch.lua call: every step's keys, then per step its kind, key count, argument count, arguments.
    const keyList: Array<string | number> = [];
    const argList: Array<string | number> = [batch.length];
    for (const p of batch) {
      const n = KEY_COUNT[p.name];
      const args = argsOf(p);
      for (let i = 0; i < n; i++) keyList.push(args[i]);
      argList.push(STEP_KIND[p.name] as string, n, args.length - n);
      for (let i = n; i < args.length; i++) argList.push(args[i]);
    }
    try {
      const res = (await this.runBatch(keyList.length, ...keyList, ...argList)) as unknown[] | null;
      batch.forEach((p, i) => {
        const r = res?.[i];
        if (r === undefined) p.reject(new Error('gate batch: no reply'));
        else if (r instanceof Error) p.reject(r);
        else p.resolve(r);
      });
    } catch (err) {
      for (const p of batch) p.reject(err as Error);
    }
  }

  /** Queues a script call: an acquire goes at the end of this turn, a release within releaseLingerMs. */
  private batched(name: ScriptName, args: Array<string | number>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.pending.push({ name, args, at: performance.now(), resolve, reject });
      if (this.soon) return;
      if (name === 'release' && this.releaseLingerMs > 0) {
        this.later ??= setTimeout(() => void this.flush(), this.releaseLingerMs);
        return;
      }
      this.soon = setImmediate(() => void this.flush());
    });
  }

  /** Pauses the host for every worker and every crawl of the fleet (never shortens a longer pause in force). */
  async pause(hostKey: string, ms: number, reason: string): Promise<void> {
    await this.run.pause(
      this.k.hostState(hostKey),
      this.k.pausedHosts,
      hostKey,
      Math.max(0, Math.ceil(ms)),
      reason,
      this.idleMs,
    );
  }

  /**
   * Adaptive backoff. `throttled` with Retry-After pauses min(retryAfter, cap); without it, and
   * `conn-failure`, pause backoffBaseMs doubling per consecutive failure up to cap; `ok` resets the streak.
   * Returns the ms until the host's pause ends (0 when not paused): delay the job by that much.
   */
  async recordHostEvent(
    hostKey: string,
    event: HostEvent,
    retryAfterMs: number | null,
    capMs = DEFAULT_BACKOFF_CAP_MS,
  ): Promise<number> {
    const ra =
      retryAfterMs === null || !Number.isFinite(retryAfterMs) ? -1 : Math.max(0, Math.ceil(retryAfterMs));
    const res = await this.run.backoff(
      this.k.hostState(hostKey),
      this.k.pausedHosts,
      hostKey,
      event,
      ra,
      capMs,
      this.backoffBaseMs,
      this.idleMs,
    );
    this.observer.onHostEvent?.(hostKey, event);
    return Number(res);
  }

  /** Hosts paused right now, soonest end first (for `status`); ended entries are removed. untilMs is on Redis' clock. */
  async pausedHosts(): Promise<Array<{ host: string; untilMs: number; reason: string }>> {
    const [sec, usec] = await this.redis.time();
    const nowMs = Number(sec) * 1000 + Number(usec) / 1000;
    const all = await this.redis.hgetall(this.k.pausedHosts);
    const out: Array<{ host: string; untilMs: number; reason: string }> = [];
    const ended: string[] = [];
    for (const [host, json] of Object.entries(all)) {
      let v: { untilMs?: unknown; reason?: unknown } | null = null;
      try {
        v = JSON.parse(json);
      } catch {
        // unreadable entry: swept below
      }
      const untilMs = Number(v?.untilMs);
      if (untilMs > nowMs) out.push({ host, untilMs, reason: String(v?.reason ?? '') });
      else ended.push(host);
    }
    if (ended.length > 0) await this.redis.hdel(this.k.pausedHosts, ...ended);
    return out.sort((a, b) => a.untilMs - b.untilMs);
  }
}
