/** `metacrawl status`: per crawl and per fleet, from Redis (counters, queue, heartbeats). */
import type { Redis } from 'ioredis';
import { type ControlState, readControlState } from '../control/state.js';
import { keys } from '../keys.js';
import { writerLag } from '../metrics/fleet.js';
import { describeBudget } from '../producer/index.js';
import { openQueue, readCrawlStats } from '../queue.js';
import { connectRedis, redactRedisUrl } from '../redis.js';
import { type DelayedHost, delayedHosts } from '../worker/politeness/gate.js';
import { type CliIO, line, sleep } from './io.js';
import { resolveRedis } from './redis-target.js';

export interface StatusCommandOptions {
  redisUrl: string | null;
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
}

export interface FleetStatus {
  redis: string;
  queue: { waiting: number; active: number; delayed: number; prioritized: number };
  workers: Array<Record<string, unknown>>;
  writerLag: number;
  pausedHosts: Array<{ host: string; untilMs: number; reason: string }>;
  /** Hosts whose jobs wait for their turn under a rate/concurrency limit (longest backlog first, at most 20). */
  delayedHosts: DelayedHost[];
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
      const qk = (s: string) => `${k.bullPrefix}:crawl:${s}`;
      const [wait, active, delayed, prio] = await Promise.all([
        redis.lrange(qk('wait'), 0, -1),
        redis.lrange(qk('active'), 0, -1),
        redis.zrange(qk('delayed'), 0, -1),
        redis.zrange(qk('prioritized'), 0, -1),
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
    for (const name of names) {
      const s = await readCrawlStats(redis, prefix, name);
      const control = await readControlState(redis, prefix, name);
      const errors = await redis.hgetall(k.crawlErrors(name));
      const q = perCrawl.get(name) ?? { queued: 0, active: 0, delayed: 0 };
      const elapsed = s.startedAt ? (Date.now() - s.startedAt) / 1000 : null;
      const rate = elapsed && elapsed > 0 ? s.stored / elapsed : null;
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
        etaSec: control === 'running' && rate && rate > 0 ? Math.round(pending / rate) : null,
        budgetHit: s.budgetHit,
        budgetHitHost: s.budgetHitHost,
        overBudget: s.overBudget,
      });
    }
    const now = Date.now();
    const workers = Object.values(await redis.hgetall(k.workers))
      .map((v) => JSON.parse(v) as Record<string, unknown>)
      .filter((w) => now - Number(w.at ?? 0) < 30_000);
    const lag = await writerLag(redis, prefix);
    const paused = await redis.hgetall(k.pausedHosts);
    const pausedHosts = Object.entries(paused)
      .map(([host, v]) => {
        const p = JSON.parse(v) as { untilMs: number; reason: string };
        return { host, untilMs: p.untilMs, reason: p.reason };
      })
      .filter((p) => p.untilMs > now);
    const delayed = await delayedHosts(redis, prefix);
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
      delayedHosts: delayed.hosts,
      delayedHostsTotal: delayed.total,
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
        `  ${d.host}  ~${Math.ceil((d.untilMs - Date.now()) / 1000)} s of turns booked  (${d.reason})`,
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
    out.push(
      `    started ${c.startedAt ?? '-'}  ${c.pagesPerSec ?? '-'} pages/s  ETA ${c.etaSec === null ? '-' : `${c.etaSec} s`}`,
    );
  }
  return out.join('\n');
}

export async function statusCommand(opts: StatusCommandOptions, io: CliIO): Promise<number> {
  const target = await resolveRedis(opts.redisUrl, null);
  const redis = connectRedis(target.url);
  try {
    do {
      const s = await collectStatus(redis, opts.prefix, opts.crawl, target.url);
      if (opts.json) line(io.stdout, JSON.stringify(s, null, opts.watch ? 0 : 2));
      else {
        if (opts.watch && io.stdout.isTTY) io.stdout.write('\x1b[2J\x1b[H');
        line(io.stdout, render(s));
      }
      if (opts.watch) await sleep(2000, io.stopSignal);
    } while (opts.watch && !io.stopSignal.aborted);
    return 0;
  } finally {
    redis.disconnect();
  }
}
