/** `metacrawl status`: per crawl and per fleet, from Redis (counters, queue, heartbeats). */
import type { Redis } from 'ioredis';
import { type ControlState, readControlState } from '../control/index.js';
import { type DelayedHost, delayedHosts } from '../crawl-turns.js';
import { liveWorkers, type WorkerBeat } from '../heartbeat.js';
import { keys } from '../keys.js';
import { writerLag } from '../metrics/index.js';
import { describeBudget } from '../producer/index.js';
import { loadCrawlSettings, openQueue, readCrawlStats } from '../queue.js';
import { redactRedisUrl } from '../redis.js';
import { sleep } from '../sleep.js';
import { pagesPerSecond } from '../throughput.js';
import { type CliIO, line, quietStop } from './io.js';
import { findRedis, withRedis } from './redis-target.js';

export interface StatusCommandOptions {
  redisUrl: string | null;
  /** Without --redis: the database of a crawl running here, whose private Redis to use. */
  db: string;
  redisTimeoutMs?: number;
  prefix: string;
  crawl: string | null;
  json: boolean;
  watch: boolean;
}

/**
 * Job ids are `<crawl>~<hash>`, so queue contents can be split per crawl while the queue is not huge (the feeders
 * keep it to about --queue-window ready jobs; the millions waiting are counted by the frontier's counter).
 */
const SCAN_LIMIT = 200_000;

export interface CrawlStatus {
  crawl: string;
  /** running, paused or cancelled (metacrawl pause/resume/cancel); done once every submitted URL has its row. */
  state: ControlState | 'done';
  submitted: number;
  invalid: number;
  duplicates: number;
  /** Waiting to be fetched: in the frontier plus in the queue. */
  queued: number | null;
  /** Of those, waiting in the crawl's frontier (not yet in the queue): an O(1) counter. */
  frontier: number;
  active: number | null;
  delayed: number | null;
  stored: number;
  failed: number;
  pending: number;
  failedByError: Record<string, number>;
  startedAt: string | null;
  pagesPerSec: number | null;
  etaSec: number | null;
  /** Discovery budgets: which one stopped discovery (null = none), and the links it refused. */
  budgetHit: string | null;
  budgetHitHost: string | null;
  overBudget: number;
  /** The crawl's custom extraction rules (`--extract`), as they travel to the workers. */
  extract: string[];
}

export interface FleetStatus {
  redis: string;
  queue: { waiting: number; active: number; delayed: number; prioritized: number };
  workers: WorkerBeat[];
  writerLag: number;
  /** Hosts paused by what they answered (Retry-After, backoff): every crawl waits for them. */
  pausedHosts: Array<{ host: string; untilMs: number; reason: string }>;
  /**
   * Hosts where a running crawl's jobs wait for their turn (longest backlog first, at most 20), with the
   * crawl and the cause: its own limit, or the host's pause.
   */
  delayedHosts: DelayedHost[];
  /** (crawl, host) pairs with booked turns, in all. */
  delayedHostsTotal: number;
  crawls: CrawlStatus[];
}

export async function collectStatus(
  redis: Redis,
  prefix: string,
  crawlFilter: string | null,
  redisUrl: string,
): Promise<FleetStatus> {
  const k = keys(prefix);
  const queue = openQueue(redis, prefix);
  try {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    const total =
      (counts.waiting ?? 0) + (counts.active ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0);
    const perCrawl = new Map<string, { queued: number; active: number; delayed: number }>();
    const scan = total <= SCAN_LIMIT;
    if (scan) {
      // BullMQ's own key names (queue.keys), never spelled out here.
      const [wait, active, delayed, prio] = await Promise.all([
        redis.lrange(queue.keys.wait, 0, -1),
        redis.lrange(queue.keys.active, 0, -1),
        redis.zrange(queue.keys.delayed, 0, -1),
        redis.zrange(queue.keys.prioritized, 0, -1),
      ]);
      const bump = (ids: string[], field: 'queued' | 'active' | 'delayed') => {
        for (const id of ids) {
          const name = id.slice(0, id.lastIndexOf('~'));
          const e = perCrawl.get(name) ?? { queued: 0, active: 0, delayed: 0 };
          e[field]++;
          perCrawl.set(name, e);
        }
      };
      bump(wait, 'queued');
      bump(prio, 'queued');
      bump(active, 'active');
      bump(delayed, 'delayed');
    }
    const names = crawlFilter ? [crawlFilter] : (await redis.smembers(k.crawls)).sort();
    const crawls: CrawlStatus[] = [];
    const delayed: DelayedHost[] = [];
    let delayedTotal = 0;
    for (const name of names) {
      const s = await readCrawlStats(redis, prefix, name);
      const control = await readControlState(redis, prefix, name);
      const errors = await redis.hgetall(k.crawlErrors(name));
      const settings = await loadCrawlSettings(redis, prefix, name);
      const q = perCrawl.get(name) ?? { queued: 0, active: 0, delayed: 0 };
      const rate = pagesPerSecond(s.stored, s.firstFetchedAt, s.lastFetchedAt);
      const pending = Math.max(0, s.submitted - s.stored);
      const idle = !scan || q.queued + q.active + q.delayed === 0;
      crawls.push({
        crawl: name,
        state: control === 'running' && s.submitDone && pending === 0 && idle ? 'done' : control,
        submitted: s.submitted,
        invalid: s.invalid,
        duplicates: s.duplicates,
        queued: scan ? q.queued + s.frontier : null,
        frontier: s.frontier,
        active: scan ? q.active : null,
        delayed: scan ? q.delayed : null,
        stored: s.stored,
        failed: s.failed,
        pending,
        failedByError: Object.fromEntries(Object.entries(errors).map(([c, n]) => [c, Number(n)])),
        startedAt: s.startedAt ? new Date(s.startedAt).toISOString() : null,
        pagesPerSec: rate === null ? null : Math.round(rate * 10) / 10,
        // No ETA while a crawl is paused or cancelled: its rate says nothing about when it ends.
        etaSec:
          control === 'running' && (pending === 0 || (rate && rate > 0))
            ? Math.round(pending / (rate ?? 1))
            : null,
        budgetHit: s.budgetHit,
        budgetHitHost: s.budgetHitHost,
        overBudget: s.overBudget,
        extract: settings?.extract ?? [],
      });
      // A paused or cancelled crawl's turns hold nothing back.
      if (control === 'running') {
        const d = await delayedHosts(redis, prefix, name);
        delayed.push(...d.hosts);
        delayedTotal += d.total;
      }
    }
    const now = Date.now();
    const workers = await liveWorkers(redis, prefix, now);
    const lag = await writerLag(redis, prefix);
    const paused = await redis.hgetall(k.pausedHosts);
    const pausedHosts = Object.entries(paused)
      .map(([host, v]) => {
        const p = JSON.parse(v) as { untilMs: number; reason: string };
        return { host, untilMs: p.untilMs, reason: p.reason };
      })
      .filter((p) => p.untilMs > now);
    // While the host is paused, the pause is why the crawl's jobs wait, not its own limit.
    const pauses = new Map(pausedHosts.map((p) => [p.host, p]));
    for (const d of delayed) {
      const p = pauses.get(d.host);
      if (p) d.reason = `host paused until ${new Date(p.untilMs).toISOString()}: ${p.reason}`;
    }
    delayed.sort((a, b) => b.untilMs - a.untilMs);
    return {
      redis: redactRedisUrl(redisUrl),
      queue: {
        waiting: counts.waiting ?? 0,
        active: counts.active ?? 0,
        delayed: counts.delayed ?? 0,
        prioritized: counts.prioritized ?? 0,
      },
      workers,
      writerLag: lag,
      pausedHosts,
      delayedHosts: delayed.slice(0, 20),
      delayedHostsTotal: delayedTotal,
      crawls,
    };
  } finally {
    await queue.close();
  }
}

function render(s: FleetStatus): string {
  const out: string[] = [];
  out.push(`redis ${s.redis}`);
  out.push(
    `queue: ${s.queue.waiting + s.queue.prioritized} waiting, ${s.queue.active} active, ${s.queue.delayed} delayed | store writer lag: ${s.writerLag}`,
  );
  out.push(`workers: ${s.workers.length} live`);
  for (const w of s.workers) {
    out.push(
      `  ${w.id}  host ${w.host} pid ${w.pid}  concurrency ${w.concurrency}  done ${w.done}  v${w.version}`,
    );
  }
  if (s.pausedHosts.length) {
    out.push('paused hosts:');
    for (const p of s.pausedHosts)
      out.push(`  ${p.host}  ${Math.ceil((p.untilMs - Date.now()) / 1000)} s more  (${p.reason})`);
  }
  if (s.delayedHosts.length) {
    const more =
      s.delayedHostsTotal > s.delayedHosts.length ? `, longest ${s.delayedHosts.length} shown` : '';
    out.push(`delayed hosts (${s.delayedHostsTotal}${more}): jobs waiting for their turn`);
    for (const d of s.delayedHosts)
      out.push(
        `  ${d.host}  ~${Math.ceil((d.untilMs - Date.now()) / 1000)} s of turns booked by crawl ${d.crawl}  (${d.reason})`,
      );
  }
  for (const c of s.crawls) {
    const f = c.frontier > 0 ? ` (${c.frontier} in the frontier)` : '';
    const q = c.queued === null ? '' : `, ${c.queued} queued${f}, ${c.active} active, ${c.delayed} delayed`;
    out.push(
      `crawl ${c.crawl} [${c.state}]: ${c.submitted} submitted${q}, ${c.stored} stored (${c.failed} failed), ${c.pending} pending`,
    );
    const errs = Object.entries(c.failedByError).sort((a, b) => b[1] - a[1]);
    for (const [code, n] of errs) out.push(`    ${code.padEnd(24)} ${n}`);
    const budget = describeBudget(c);
    if (budget) out.push(`    budget: ${budget}`);
    for (const rule of c.extract) out.push(`    extract ${rule}`);
    out.push(
      `    started ${c.startedAt ?? '-'}  ${c.pagesPerSec ?? '-'} pages/s  ETA ${c.etaSec === null ? '-' : `${c.etaSec} s`}`,
    );
  }
  return out.join('\n');
}

export async function statusCommand(opts: StatusCommandOptions, io: CliIO): Promise<number> {
  quietStop(io);
  const target = await findRedis(opts.redisUrl, opts.db);
  return withRedis(target.url, opts.redisTimeoutMs, async (redis, lost) => {
    const stop = AbortSignal.any([io.stopSignal, lost]);
    do {
      const s = await collectStatus(redis, opts.prefix, opts.crawl, target.url);
      if (opts.json) line(io.stdout, JSON.stringify(s, null, opts.watch ? 0 : 2));
      else {
        if (opts.watch && io.stdout.isTTY) io.stdout.write('\x1b[2J\x1b[H');
        line(io.stdout, render(s));
      }
      if (opts.watch) await sleep(2000, stop);
    } while (opts.watch && !stop.aborted);
    if (lost.aborted) throw lost.reason;
    return 0;
  });
}
