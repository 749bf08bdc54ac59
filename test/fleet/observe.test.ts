/**
 * Seeing a crawl: progress lines and bar, `status` (--json, --watch), and Prometheus /metrics of a worker and
 * a store process — each checked against the database at the end of a crawl.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProgress } from '../../src/cli/progress.js';
import type { FleetStatus } from '../../src/cli/status.js';
import { createRegistry, startMetricsServer } from '../../src/metrics/index.js';
import { freePort } from '../../src/redis.js';
import { type Site, startSite } from '../../tools/site.js';
import { runCli, startCli } from '../helpers/cli.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';
import { countRows, startFleet, tempDir, waitFor } from './helpers.js';

let site: Site;
let dir: string;
let seeds: string;

/** 4 hosts x 25 pages: index % 10 == 7 answers 404, == 9 answers a PDF; the rest are pages. */
beforeAll(async () => {
  site = await startSite({
    hosts: 4,
    pagesPerHost: 25,
    firstOctet: 90,
    linksPerPage: 1,
    special: (req, res) => {
      const i = Number(/^\/page\/(\d+)$/.exec(req.url ?? '')?.[1] ?? -1);
      if (i % 10 === 7) {
        res.writeHead(404, { 'content-type': 'text/html' }).end('<title>gone</title>');
        return true;
      }
      if (i % 10 === 9) {
        res.writeHead(200, { 'content-type': 'application/pdf' }).end('%PDF-1.4 not parsed');
        return true;
      }
      return false;
    },
  });
  dir = tempDir('observe');
  seeds = join(dir, 'seeds.txt');
  writeFileSync(seeds, `${site.urls.join('\n')}\n`);
});
afterAll(async () => {
  await site?.close();
});

interface DbCounts {
  rows: number;
  ok: number;
  byError: Record<string, number>;
  byStatus: Record<string, number>;
  bytes: number;
  withStatus: number;
}

function dbCounts(dbPath: string, crawl: string): DbCounts {
  const db = new Database(dbPath, { readonly: true });
  try {
    const rows = db
      .prepare(
        'SELECT p.status, p.error, p.bytes FROM pages p JOIN crawls c ON c.id = p.crawl_id WHERE c.name = ?',
      )
      .all(crawl) as Array<{ status: number | null; error: string | null; bytes: number | null }>;
    const out: DbCounts = { rows: rows.length, ok: 0, byError: {}, byStatus: {}, bytes: 0, withStatus: 0 };
    for (const r of rows) {
      if (r.error === null) out.ok++;
      else out.byError[r.error] = (out.byError[r.error] ?? 0) + 1;
      const key = `${r.status ?? 'none'}/${r.error ?? 'none'}`;
      out.byStatus[key] = (out.byStatus[key] ?? 0) + 1;
      out.bytes += r.bytes ?? 0;
      if (r.status !== null) out.withStatus++;
    }
    return out;
  } finally {
    db.close();
  }
}

/** Parses Prometheus text: `name{labels}` -> value. */
function parseMetrics(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    m.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return m;
}

async function scrape(port: number): Promise<Map<string, number>> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return parseMetrics(await res.text());
}

describe('progress', () => {
  it('prints progress lines on a non-terminal whose last line matches the database', async () => {
    const db = join(dir, 'progress.db');
    const res = await runCli(
      [
        'crawl',
        seeds,
        '--allow-private',
        '--host-rate',
        '0',
        '--host-concurrency',
        '0',
        '--ignore-robots',
        '--db',
        db,
        '--crawl',
        'prog',
        '--redis',
        testRedisUrl(),
        '--prefix',
        testPrefix(),
      ],
      { env: { METACRAWL_PROGRESS_INTERVAL_MS: '100' }, cwd: dir },
    );
    expect(res.code, res.stderr).toBe(0);
    const lines = res.stderr.split('\n').filter((l) => l.startsWith('progress: '));
    expect(lines.length).toBeGreaterThanOrEqual(1);
    const c = dbCounts(db, 'prog');
    const failed = c.rows - c.ok;
    expect(c.rows).toBe(100);
    expect(c.byError).toEqual({ HTTP_4XX: 8, NOT_HTML: 8 });
    expect(lines.at(-1)).toMatch(
      new RegExp(
        `^progress: 100/100 done, ${c.ok} ok, ${failed} failed, \\d+ delayed, [\\d.]+ pages/s, ETA 0s$`,
      ),
    );
    expect(res.stdout).toMatch(new RegExp(`pages stored\\s+100 \\(${c.ok} ok, ${failed} failed\\)`));
  });

  it('draws a bar on a terminal: done/total, ok, failed, delayed, pages/s, ETA', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d) => {
      text += d;
    });
    const tty = Object.assign(out, { isTTY: true, columns: 160 });
    const p = createProgress('bar', tty);
    p.update({ done: 10, total: 40, ok: 8, failed: 2, delayed: 5 });
    await new Promise((r) => setTimeout(r, 250));
    p.update({ done: 40, total: 40, ok: 35, failed: 5, delayed: 0 });
    p.stop();
    expect(text).toMatch(/10\/40 \| ok 8 \| failed 2 \| delayed 5 \| [\d.]+ pages\/s \| ETA/);
    expect(text).toMatch(/40\/40 \| ok 35 \| failed 5 \| delayed 0 \| [\d.]+ pages\/s \| ETA 0s/);
    const none = new PassThrough();
    let silent = '';
    none.on('data', (d) => {
      silent += d;
    });
    const q = createProgress('none', none);
    q.update({ done: 1, total: 1, ok: 1, failed: 0, delayed: 0 });
    q.stop();
    expect(silent).toBe('');
  });
});

describe('a fleet seen through status and /metrics', () => {
  it('reports status and metrics equal to the database at the end of a crawl', async () => {
    const prefix = testPrefix();
    const [storePort, workerPort] = [await freePort(), await freePort()];
    const fleet = startFleet({
      dir,
      redis: testRedisUrl(),
      prefix,
      workers: 1,
      workerArgs: ['--metrics-port', String(workerPort)],
      storeArgs: ['--metrics-port', String(storePort)],
    });
    try {
      const sub = await runCli([
        'submit',
        seeds,
        '--crawl',
        'obs',
        '--host-rate',
        '0',
        '--host-concurrency',
        '0',
        '--ignore-robots',
        ...fleet.common,
      ]);
      expect(sub.code, sub.stderr).toBe(0);
      const watch = startCli(['status', '--watch', '--json', '--crawl', 'obs', ...fleet.common]);
      let watched = '';
      watch.stdout?.on('data', (d) => {
        watched += d;
      });
      await waitFor('100 rows', () => countRows(fleet.db, 'obs') >= 100);
      const st = await runCli(['status', '--crawl', 'obs', '--json', ...fleet.common]);
      expect(st.code, st.stderr).toBe(0);
      const status = JSON.parse(st.stdout) as FleetStatus;
      // --watch refreshes every 2 s: wait for a second snapshot before stopping it.
      await waitFor('two status snapshots', () => watched.split('\n').length > 2, 15_000);
      watch.kill('SIGINT');
      const w = await watch.result;
      expect(w.code).toBe(0);
      const snapshots = w.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(snapshots.length).toBeGreaterThanOrEqual(2);
      expect(snapshots.every((s) => s.crawls[0].crawl === 'obs')).toBe(true);

      const c = dbCounts(fleet.db, 'obs');
      const crawl = status.crawls[0];
      expect(crawl).toMatchObject({
        crawl: 'obs',
        state: 'done',
        submitted: 100,
        queued: 0,
        active: 0,
        delayed: 0,
        stored: c.rows,
        failed: c.rows - c.ok,
        pending: 0,
        failedByError: c.byError,
        etaSec: 0,
      });
      expect(crawl.pagesPerSec).toBeGreaterThan(0);
      expect(Date.parse(crawl.startedAt ?? '')).toBeLessThanOrEqual(Date.now());
      expect(status.writerLag).toBe(0);
      expect(status.workers).toHaveLength(1);
      expect(status.workers[0]).toMatchObject({ concurrency: 64, version: expect.any(String) });
      for (const f of ['host', 'pid', 'done', 'ok', 'failed', 'at'])
        expect(status.workers[0]).toHaveProperty(f);

      const wm = await scrape(workerPort);
      let pages = 0;
      for (const [key, n] of Object.entries(c.byStatus)) {
        const [st, err] = key.split('/');
        expect(wm.get(`metacrawl_pages_total{crawl="obs",status="${st}",error="${err}"}`), key).toBe(n);
        pages += n;
      }
      expect(pages).toBe(100);
      expect(wm.get('metacrawl_fetched_bytes_total')).toBe(c.bytes);
      expect(wm.get('metacrawl_fetch_duration_seconds_count')).toBe(c.withStatus);
      expect(wm.get('metacrawl_politeness_wait_seconds_count')).toBe(100);
      expect(wm.get('metacrawl_queue_jobs{state="prioritized"}')).toBe(0);
      expect(wm.get('metacrawl_workers_live')).toBe(1);
      expect(wm.has('process_cpu_user_seconds_total')).toBe(true);
      expect(wm.has('nodejs_eventloop_lag_seconds')).toBe(true);

      const sm = await scrape(storePort);
      expect(sm.get('metacrawl_writer_records_total{result="inserted"}')).toBe(100);
      expect(sm.get('metacrawl_writer_batch_size_sum')).toBe(100);
      expect(sm.get('metacrawl_writer_batch_size_count')).toBeGreaterThanOrEqual(1);
      expect(sm.get('metacrawl_writer_lag')).toBe(0);
      expect(sm.get('metacrawl_crawl_urls{crawl="obs",state="stored"}')).toBe(100);
      expect(sm.get('metacrawl_crawl_urls{crawl="obs",state="failed"}')).toBe(c.rows - c.ok);
      // Loopback only by default.
      const other = await fetch(`http://127.0.0.2:${storePort}/metrics`).catch((e: Error) => e);
      expect(other).toBeInstanceOf(Error);
      expect((await fetch(`http://127.0.0.1:${storePort}/`)).status).toBe(404);
    } finally {
      const results = await fleet.stop();
      for (const r of results) expect(r.code, r.stderr).toBe(0);
    }
  });

  it('refuses a metrics port that is taken, naming the flag', async () => {
    const first = await startMetricsServer(createRegistry(), '127.0.0.1', 0);
    const port = Number(new URL(first.url).port);
    try {
      await expect(startMetricsServer(createRegistry(), '127.0.0.1', port)).rejects.toThrow(
        `--metrics-port: cannot listen on 127.0.0.1:${port}: EADDRINUSE`,
      );
    } finally {
      await first.close();
    }
  });
});
