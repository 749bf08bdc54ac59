/**
 * The `million` phase (opt-in, about an hour at the default size): `metacrawl crawl --workers auto` over a
 * million farm pages, run the way a user runs it (its own private redis-server, no pinning, no probe), while
 * this process samples it every few seconds from the outside:
 *
 * - pages stored, submitted, failed and in the frontier: the crawl's counters in its private Redis (the hash
 *   `metacrawl status` reads, src/crawls.ts), found through the owner file beside the database (src/redis.ts);
 * - RSS and CPU of the crawl process and of its redis-server (its child), from /proc;
 * - Redis `used_memory` (INFO memory) and the writer lag: the results stream's length (XLEN <prefix>:results;
 *   the main thread's worker hands its records to the writer in memory, the worker threads use the stream);
 * - the database file's size (and its WAL).
 *
 * `metacrawl status --db <db> --crawl <name>` is timed once the seeds are in, at each tenth of the pages and
 * once every page is stored (while the end-of-crawl index build runs): it needs the crawl's private Redis, which
 * stops with the crawl. After the crawl: database size and bytes per page, pages/s per tenth (from the samples,
 * i.e. as stored, and from `pages.fetched_at`), and the explorer's views (tools/bench-views.ts) on the result.
 *
 * Everything is written as it goes to `<work>/million.json` (samples included), so a run killed half-way still
 * leaves its figures; the crawl's own output goes to `<work>/million-crawl.log`, each line stamped with the
 * seconds since spawn.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, readFileSync, renameSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { farmUrls } from './farm.js';
import { BIN, FARM_CORE, machine, pinned, quantile, ROOT, startFarmProcess } from './lib.js';

const CRAWL = 'bench-million';
const PREFIX = 'metacrawl';
const HOSTS = 100;
/** Rough disk need per farm page while crawling (rows, WAL, the end-of-crawl index build's temporary space). */
const DISK_NEED_PER_PAGE = 16 * 1024;

const dist = (/** @type {string} */ p) => import(pathToFileURL(`${ROOT}dist/${p}`).href);
const round = (/** @type {number | null | undefined} */ x, d = 1) =>
  x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x * 10 ** d) / 10 ** d;
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/** @param {number} pid */
function procStatus(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (/** @type {string} */ k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
    const rss = kb('VmRSS');
    return rss > 0
      ? { rssMb: rss / 1024, hwmMb: kb('VmHWM') / 1024, ppid: kb('PPid'), threads: kb('Threads') }
      : null;
  } catch {
    return null;
  }
}

/** CPU seconds (user + system, every thread) a process has used so far. */
function procCpuS(/** @type {number} */ pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return null;
  }
}

function loadavg() {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
  } catch {
    return null;
  }
}

function fileMb(/** @type {string} */ path) {
  try {
    return statSync(path).size / 1048576;
  } catch {
    return 0;
  }
}

/** The crawl's private redis-server: owner file beside the database, checked to be the crawl's child. */
async function findCrawlRedis(/** @type {string} */ db, /** @type {number} */ crawlPid) {
  const { findPrivateRedis } = await dist('redis.js');
  const found = await findPrivateRedis(`${resolve(db)}.redis`);
  if (!found) return null;
  const st = procStatus(found.pid);
  if (!st || st.ppid !== crawlPid) return null;
  return found;
}

/**
 * Time at which `stored` reached `x`, linearly between the two samples around it; null if never.
 * @param {{ t: number, stored: number }[]} samples @param {number} x
 */
function crossing(samples, x) {
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i];
    if (s.stored < x) continue;
    const prev = samples[i - 1];
    if (!prev || s.stored === prev.stored) return s.t;
    return prev.t + ((x - prev.stored) / (s.stored - prev.stored)) * (s.t - prev.t);
  }
  return null;
}

/**
 * Pages/s over each tenth of the pages, from the samples (pages as stored): tenth k runs from the time the
 * count reached k/10 of the pages to the time it reached (k+1)/10; the first tenth starts at the last sample
 * with nothing stored yet (start-up and seeding before the first page are not in it).
 * @param {{ t: number, stored: number }[]} samples @param {number} total
 */
function tenthsFromSamples(samples, total) {
  const zero = samples.filter((s) => s.stored === 0).at(-1)?.t ?? 0;
  const out = [];
  let from = zero;
  for (let k = 1; k <= 10; k++) {
    const t = crossing(samples, (total * k) / 10);
    out.push(t === null || t <= from ? null : round(total / 10 / (t - from)));
    if (t !== null) from = t;
  }
  return out;
}

/** Pages/s over each tenth of the rows ordered by fetched_at (pages as fetched). */
async function tenthsFromDb(/** @type {string} */ db) {
  const { openDb } = await dist('store/db.js');
  const d = openDb(db, { readonly: true });
  try {
    const ats = /** @type {string[]} */ (
      d
        .prepare(
          'SELECT p.fetched_at FROM pages p JOIN crawls c ON c.id = p.crawl_id WHERE c.name = ? ORDER BY p.fetched_at',
        )
        .pluck()
        .all(CRAWL)
    );
    const n = ats.length;
    const at = (/** @type {number} */ i) => Date.parse(ats[Math.min(n - 1, i)]);
    return Array.from({ length: 10 }, (_, k) => {
      const a = Math.floor((n * k) / 10);
      const b = Math.floor((n * (k + 1)) / 10) - 1;
      const s = (at(b) - at(a)) / 1000;
      return s > 0 ? round((b - a) / s) : null;
    });
  } finally {
    d.close();
  }
}

/** Size on disk per page and the largest tables/indexes (dbstat reads the whole file: slow on a big one). */
async function diskUse(/** @type {string} */ db, /** @type {number} */ pages) {
  const { openDb } = await dist('store/db.js');
  const d = openDb(db, { readonly: true });
  try {
    const objects = /** @type {{ name: string, bytes: number }[]} */ (
      d
        .prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC LIMIT 8')
        .all()
    ).map((o) => ({ name: o.name, bytesPerPage: Math.round(o.bytes / Math.max(1, pages)) }));
    return objects;
  } finally {
    d.close();
  }
}

/**
 * RSS at each tenth of the wall time (the sample nearest after each mark) and how it moved after start-up, while
 * crawling (up to `crawlingS`, the last page stored: the end-of-crawl build and shutdown are not growth).
 * @param {{ t: number }[]} samples @param {(s: any) => number | null} get @param {number} wallS
 * @param {number} crawlingS
 */
function rssByTenth(samples, get, wallS, crawlingS = wallS) {
  const vals = samples.map((s) => ({ t: s.t, v: get(s) })).filter((x) => x.v !== null);
  const byTenth = Array.from({ length: 10 }, (_, i) =>
    round(vals.find((x) => x.t >= (wallS * (i + 1)) / 10 - 1e-9)?.v ?? vals.at(-1)?.v),
  );
  const after = vals
    .filter((x) => x.t >= crawlingS * 0.2 && x.t <= crawlingS)
    .map((x) => /** @type {number} */ (x.v));
  return {
    byTenthMb: byTenth,
    maxMb: round(Math.max(...vals.map((x) => /** @type {number} */ (x.v)))),
    /** Largest over smallest from a fifth of the crawling time to its end: 1.0 = flat. */
    growthAfter20Pct: after.length > 1 ? round(Math.max(...after) / Math.min(...after), 2) : null,
    /** Median over the last fifth of the crawling time ÷ median over its second fifth: the trend, GC swings aside. */
    lastFifthVsSecond: (() => {
      const med = (/** @type {number} */ a, /** @type {number} */ b) =>
        quantile(
          vals
            .filter((x) => x.t >= crawlingS * a && x.t <= crawlingS * b)
            .map((x) => /** @type {number} */ (x.v)),
          0.5,
        );
      const second = med(0.2, 0.4);
      const last = med(0.8, 1);
      return second && last ? round(last / second, 2) : null;
    })(),
  };
}

/**
 * Runs the phase. `pages` farm pages (100 hosts × pages/100), sampled every `intervalS` seconds.
 * @param {{ pages: number, intervalS?: number, work: string, log: (s: string) => void, viewsRepeat?: number }} o
 * @returns {Promise<{ result: any, rows: any[] }>}
 */
export async function runMillion(o) {
  const pages = o.pages;
  const intervalS = o.intervalS ?? Math.min(10, Math.max(1, Math.round(pages / 10_000)));
  const { work, log } = o;
  const db = join(work, 'million.db');
  const jsonFile = join(work, 'million.json');
  const logFile = join(work, 'million-crawl.log');

  const free = (() => {
    try {
      const s = statfsSync(work);
      return s.bavail * s.bsize;
    } catch {
      return null;
    }
  })();
  if (free !== null && free < pages * DISK_NEED_PER_PAGE)
    throw new Error(
      `million: ${Math.round(free / 1e9)} GB free in ${work}, about ${Math.round((pages * DISK_NEED_PER_PAGE) / 1e9)} GB needed for ${pages} pages (set TMPDIR to a larger disk, or pass --million-pages)`,
    );

  const perHost = Math.ceil(pages / HOSTS);
  log(`million: starting a farm of ${HOSTS} hosts × ${perHost} pages (pool of 256 rendered pages)`);
  const farm = await startFarmProcess(['--hosts', String(HOSTS), '--pages', String(perHost)]);
  /** @type {import('node:child_process').ChildProcess | null} */
  let child = null;
  /** @type {Redis | null} */
  let redis = null;
  const onTerm = () => {
    log(`million: stopping (SIGTERM): the crawl is interrupted; the samples so far are in ${jsonFile}`);
    child?.kill('SIGINT');
  };
  process.on('SIGTERM', onTerm);
  try {
    const seeds = join(work, 'million-seeds.txt');
    {
      const urls = farmUrls(farm.origins, perHost, pages);
      const out = createWriteStream(seeds);
      for (let i = 0; i < urls.length; i += 50_000)
        if (!out.write(`${urls.slice(i, i + 50_000).join('\n')}\n`))
          await new Promise((r) => out.once('drain', r));
      await new Promise((r, j) => out.end((/** @type {any} */ e) => (e ? j(e) : r(undefined))));
    }
    const args = [
      BIN,
      'crawl',
      seeds,
      '--workers',
      'auto',
      '--db',
      db,
      '--crawl',
      CRAWL,
      '--allow-private',
      '--host-rate',
      '0',
      '--host-concurrency',
      '4',
      '--no-progress',
    ];
    const m = machine();
    const pinning = `not pinned: the crawl, its worker threads and its redis-server use all ${m.nproc} cores, shared with the farm (pinned to core ${FARM_CORE}) and this sampler`;
    /** @type {any} */
    const state = {
      phase: 'crawling',
      pages,
      hosts: HOSTS,
      pagesPerHost: perHost,
      intervalS,
      command: `metacrawl ${args.slice(1).join(' ')}`,
      pinning,
      machine: m,
      farm: {
        hosts: HOSTS,
        pagesPerHost: perHost,
        pool: farm.pool,
        meanBytes: farm.meanBytes,
        meanGzipBytes: farm.meanGzipBytes,
      },
      startedAt: new Date().toISOString(),
      loadavgAtStart: loadavg(),
      samples: /** @type {any[]} */ ([]),
      status: /** @type {any[]} */ ([]),
      logLines: /** @type {{ t: number, line: string }[]} */ ([]),
    };
    const save = () => {
      writeFileSync(`${jsonFile}.tmp`, `${JSON.stringify(state)}\n`);
      renameSync(`${jsonFile}.tmp`, jsonFile);
    };
    save();
    log(`million: ${pages} pages; ${pinning}; samples every ${intervalS} s in ${jsonFile}`);
    log(`million: load average ${state.loadavgAtStart?.join(' ')} on ${m.nproc} cores`);

    // What starting the CLI costs on this machine now, for reading the `status` timings below.
    {
      const [c1, a1] = pinned(`0-${cpus().length - 1}`, process.execPath, [BIN, '--version']);
      const t = performance.now();
      spawnSync(c1, a1, { stdio: 'ignore' });
      state.cliStartMs = round(performance.now() - t, 0);
    }
    // The crawl, every core (this process is pinned: a child inherits that, so widen it again).
    const [cmd, argv] = pinned(`0-${cpus().length - 1}`, process.execPath, args);
    const t0 = performance.now();
    const since = () => (performance.now() - t0) / 1000;
    const crawl = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = crawl;
    const logOut = createWriteStream(logFile);
    let stdout = '';
    for (const [stream, tag] of /** @type {const} */ ([
      [crawl.stdout, 'out'],
      [crawl.stderr, 'err'],
    ])) {
      let buf = '';
      stream.on('data', (d) => {
        buf += d;
        let nl = buf.indexOf('\n');
        while (nl >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          const t = round(since(), 2) ?? 0;
          logOut.write(`${t.toFixed(2)} ${tag} ${line}\n`);
          if (tag === 'out') stdout += `${line}\n`;
          // The end-of-crawl lines ("indexing …", "done in …") say where the finish went; keep a few.
          else if (/^indexing /.test(line) || (state.logLines.length < 200 && !line.startsWith('{')))
            state.logLines.push({ t, line });
          nl = buf.indexOf('\n');
        }
      });
    }
    /** @type {Promise<number | null>} */
    const exited = new Promise((r) => crawl.once('close', (code) => r(code)));
    let exitCode = /** @type {number | null | undefined} */ (undefined);
    exited.then((c) => {
      exitCode = c;
    });

    const { keys } = await dist('keys.js');
    const { readCrawlStats } = await dist('crawls.js');
    const k = keys(PREFIX);
    /** @type {{ url: string, pid: number } | null} */
    let found = null;
    let nextStatusTenth = 1;
    let statusAtSeeded = false;
    let statusAtEnd = false;
    /** @type {number | null} */
    let allStoredAt = null;

    /** The one `status` in flight, if any: it runs beside the sampling, never delaying a sample. */
    /** @type {Promise<void> | null} */
    let statusRun = null;
    /** `metacrawl status --db --crawl --json`, as a user runs it while the crawl goes on; wall ms. */
    const timeStatus = (/** @type {string} */ when) => {
      if (statusRun) return;
      statusRun = statusOnce(when).finally(() => {
        statusRun = null;
      });
    };
    const statusOnce = async (/** @type {string} */ when) => {
      const t = performance.now();
      const [c2, a2] = pinned(`0-${cpus().length - 1}`, process.execPath, [
        BIN,
        'status',
        '--db',
        db,
        '--crawl',
        CRAWL,
        '--json',
      ]);
      const p = spawn(c2, a2, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      p.stdout.on('data', (d) => {
        out += d;
      });
      p.stderr.on('data', (d) => {
        err += d;
      });
      const code = await new Promise((r) => p.once('close', r));
      const ms = round(performance.now() - t, 0);
      /** @type {any} */
      const entry = { when, t: round(since()), ms, code };
      if (code === 0) {
        try {
          const s = JSON.parse(out);
          const c = s.crawls?.[0];
          Object.assign(entry, {
            stored: c?.stored,
            queued: c?.queued,
            frontier: c?.frontier,
            writerLag: s.writerLag,
          });
        } catch {}
      } else {
        entry.error = err.trim().split('\n').at(-1)?.slice(0, 200);
        // Its private Redis stops with the crawl: a status that began as the crawl ended finds nothing.
        entry.crawlEnded = exitCode !== undefined;
      }
      state.status.push(entry);
      log(`million: status (${when}) ${ms} ms${code === 0 ? '' : ` failed: ${entry.error}`}`);
    };

    const sample = async () => {
      const t = round(since(), 2);
      const cs = procStatus(/** @type {number} */ (crawl.pid));
      if (!found && crawl.pid) found = await findCrawlRedis(db, crawl.pid).catch(() => null);
      if (found && !redis) {
        redis = new Redis(found.url, {
          lazyConnect: true,
          retryStrategy: () => null,
          maxRetriesPerRequest: 0,
          enableOfflineQueue: false,
        });
        redis.on('error', () => {});
        await redis.connect().catch(() => {});
      }
      const rs = found ? procStatus(found.pid) : null;
      /** @type {any} */
      const s = {
        t,
        stored: 0,
        crawlRssMb: round(cs?.rssMb),
        crawlThreads: cs?.threads ?? null,
        crawlCpuS: crawl.pid ? procCpuS(crawl.pid) : null,
        redisRssMb: round(rs?.rssMb),
        redisCpuS: found ? procCpuS(found.pid) : null,
        dbMb: round(fileMb(db)),
        walMb: round(fileMb(`${db}-wal`)),
        load: loadavg()?.[0] ?? null,
      };
      if (redis && redis.status === 'ready') {
        try {
          const [st, info, lag] = await Promise.all([
            readCrawlStats(redis, PREFIX, CRAWL),
            redis.info('memory'),
            redis.xlen(k.results),
          ]);
          Object.assign(s, {
            stored: st.stored,
            submitted: st.submitted,
            failed: st.failed,
            frontier: st.frontier,
            submitDone: st.submitDone,
            redisUsedMb: round(Number(/used_memory:(\d+)/.exec(info)?.[1]) / 1048576),
            redisPeakMb: round(Number(/used_memory_peak:(\d+)/.exec(info)?.[1]) / 1048576),
            writerLag: lag,
          });
        } catch {
          // Redis stopped (the crawl is ending): RSS and sizes still count.
        }
      } else if (state.samples.length) s.stored = state.samples.at(-1).stored;
      state.samples.push(s);
      save();
      return s;
    };

    let lastLog = 0;
    for (let tick = 1; exitCode === undefined; tick++) {
      const s = await sample();
      if (s.submitDone && !statusAtSeeded) {
        statusAtSeeded = true;
        timeStatus('seeds in');
      }
      if (s.stored >= (pages * nextStatusTenth) / 10 && nextStatusTenth < 10) {
        while (s.stored >= (pages * nextStatusTenth) / 10 && nextStatusTenth < 10) nextStatusTenth++;
        timeStatus(`${(nextStatusTenth - 1) * 10}% stored`);
      }
      if (s.submitted && s.stored >= s.submitted && allStoredAt === null) {
        allStoredAt = s.t;
        if (!statusAtEnd) {
          statusAtEnd = true;
          timeStatus('all stored (end-of-crawl work running)');
        }
      }
      if (s.t - lastLog >= Math.max(30, intervalS)) {
        lastLog = s.t;
        log(
          `million: ${s.t.toFixed(0)} s: ${s.stored}/${s.submitted ?? '?'} stored, crawl ${s.crawlRssMb} MB, redis ${s.redisRssMb} MB (used ${s.redisUsedMb}), lag ${s.writerLag}, db ${s.dbMb} MB, load ${s.load}`,
        );
      }
      const next = t0 + tick * intervalS * 1000;
      await Promise.race([exited, sleep(Math.max(0, next - performance.now()))]);
    }
    const code = await exited;
    const wallS = since();
    await statusRun;
    logOut.end();
    if (redis) /** @type {Redis} */ (redis).disconnect();
    redis = null;
    state.phase = code === 0 ? 'measuring the result' : 'crawl failed';
    state.exitCode = code;
    state.wallS = round(wallS, 1);
    state.stdout = stdout;
    save();
    if (code !== 0) {
      const tail = readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
      throw new Error(
        `million: crawl exited with ${code}${code === 130 || code === 143 ? ' (interrupted)' : ''} after ${round(wallS)} s, ${state.samples.at(-1)?.stored ?? 0} pages stored; samples in ${jsonFile}\n${tail}`,
      );
    }

    // ---------------------------------------------------------------- the result
    const samples = state.samples;
    const stored = Number(/pages stored\s+(\d+)/.exec(stdout)?.[1] ?? samples.at(-1)?.stored ?? 0);
    const ok = Number(/pages stored\s+\d+ \((\d+) ok/.exec(stdout)?.[1] ?? 0);
    const counted = samples.filter((/** @type {any} */ s) => s.submitted !== undefined);
    const last = counted.at(-1);
    // The end-of-crawl index build's lines ("indexing X (N pages)…", "indexing X: done in N s").
    const indexLines = state.logLines.filter((/** @type {any} */ l) => /^indexing /.test(l.line));
    const indexBuildS =
      indexLines.length > 1 ? round(indexLines.at(-1).t - indexLines[0].t, 1) : indexLines.length ? 0 : null;
    const storedTenths = tenthsFromSamples(counted, stored);
    log('million: reading fetch times from the database');
    const fetchedTenths = await tenthsFromDb(db);
    const dbBytes = statSync(db).size + (fileMb(`${db}-wal`) > 0 ? statSync(`${db}-wal`).size : 0);
    log('million: measuring the database (dbstat)');
    const dbT = performance.now();
    const objects = await diskUse(db, stored);
    const dbstatS = round((performance.now() - dbT) / 1000);
    const lags = counted.map((/** @type {any} */ s) => s.writerLag ?? 0);
    const crawlCpu = samples
      .map((/** @type {any} */ s) => s.crawlCpuS)
      .filter((/** @type {any} */ x) => x !== null);
    const redisCpu = samples
      .map((/** @type {any} */ s) => s.redisCpuS)
      .filter((/** @type {any} */ x) => x !== null);
    /** @type {any} */
    const r = {
      pages,
      stored,
      ok,
      failed: stored - ok,
      wallS: round(wallS, 1),
      pagesPerSWall: round(stored / wallS),
      /** From spawn to the last page stored, then from there to exit (index build, statistics, shutdown). */
      crawlingS: round(allStoredAt, 0),
      finishS: allStoredAt === null ? null : round(wallS - allStoredAt, 0),
      indexBuildS,
      indexBuild: indexLines
        .filter((/** @type {any} */ l) => /done in/.test(l.line))
        .map((/** @type {any} */ l) => l.line),
      storedPagesPerSByTenth: storedTenths,
      fetchedPagesPerSByTenth: fetchedTenths,
      lastTenthVsFirst:
        storedTenths[0] && storedTenths[9] ? round(storedTenths[9] / storedTenths[0], 2) : null,
      lastTenthVsFirstFetched:
        fetchedTenths[0] && fetchedTenths[9] ? round(fetchedTenths[9] / fetchedTenths[0], 2) : null,
      crawlRss: rssByTenth(samples, (s) => s.crawlRssMb, wallS, allStoredAt ?? wallS),
      redisRss: rssByTenth(samples, (s) => s.redisRssMb, wallS, allStoredAt ?? wallS),
      redisUsedPeakMb: round(Math.max(...counted.map((/** @type {any} */ s) => s.redisPeakMb ?? 0))),
      redisUsedByTenthMb: rssByTenth(counted, (s) => s.redisUsedMb ?? null, wallS).byTenthMb,
      writerLagMax: lags.length ? Math.max(...lags) : null,
      writerLagP90: quantile(lags, 0.9),
      crawlCpuSPer1k: crawlCpu.length ? round((Math.max(...crawlCpu) / stored) * 1000, 2) : null,
      redisCpuSPer1k: redisCpu.length ? round((Math.max(...redisCpu) / stored) * 1000, 2) : null,
      dbMb: round(dbBytes / 1048576),
      bytesPerPage: Math.round(dbBytes / Math.max(1, stored)),
      objects,
      dbstatS,
      status: state.status,
      cliStartMs: state.cliStartMs,
      loadavgAtStart: state.loadavgAtStart,
      loadavgAtEnd: loadavg(),
      loadBySample: { min: null, max: null },
      submitted: last?.submitted ?? null,
    };
    const loads = samples.map((/** @type {any} */ s) => s.load).filter((/** @type {any} */ x) => x !== null);
    r.loadBySample = { min: Math.min(...loads), median: quantile(loads, 0.5), max: Math.max(...loads) };
    state.result = r;
    save();

    // ---------------------------------------------------------------- explorer views on the result
    log('million: timing the explorer views on the result');
    try {
      const mod = await import(pathToFileURL(`${ROOT}dist-tools/bench-views.js`).href);
      r.explorer = await mod.benchExplorerViews(db, o.viewsRepeat ?? 3);
    } catch (err) {
      r.explorer = null;
      r.explorerError = /** @type {Error} */ (err).message;
      log(`million: explorer views failed: ${r.explorerError}`);
    }
    state.phase = 'done';
    save();

    const statusMs = state.status
      .filter((/** @type {any} */ s) => s.code === 0)
      .map((/** @type {any} */ s) => s.ms);
    const rows = [
      {
        what: `million: crawl --workers auto, ${pages.toLocaleString('en')} pages, not pinned (shares ${m.nproc} cores with the farm)`,
        rate: r.pagesPerSWall,
        cpu: r.crawlCpuSPer1k,
        rss: r.crawlRss.maxMb,
        note: `${ok}/${stored} ok in ${r.wallS} s from spawn to exit (last page stored at ${r.crawlingS} s, then ${r.finishS} s to exit${r.indexBuildS === null ? ': no deferred index to build' : `, ${r.indexBuildS} s of it the index build`}); pages/s by tenth as stored ${storedTenths.join(' ')} (last/first ${r.lastTenthVsFirst}), as fetched ${fetchedTenths.join(' ')} (${r.lastTenthVsFirstFetched}); redis-server ${r.redisCpuSPer1k} CPU s/1k; load ${r.loadBySample.min}–${r.loadBySample.max}`,
      },
      {
        what: 'million: RSS over time (each tenth of the wall time)',
        note: `crawl ${r.crawlRss.byTenthMb.join(' ')} MB (while crawling, after its first 20%: max/min ${r.crawlRss.growthAfter20Pct}, median of the last fifth ÷ the second ${r.crawlRss.lastFifthVsSecond}); redis-server ${r.redisRss.byTenthMb.join(' ')} MB (${r.redisRss.growthAfter20Pct}, ${r.redisRss.lastFifthVsSecond})`,
      },
      {
        what: 'million: Redis, writer lag, disk',
        note: `Redis used_memory peak ${r.redisUsedPeakMb} MB (by tenth ${r.redisUsedByTenthMb.join(' ')}); writer lag max ${r.writerLagMax}, p90 ${r.writerLagP90} records; database ${r.dbMb} MB = ${round(r.bytesPerPage / 1024, 2)} KB/page (${objects
          .slice(0, 5)
          .map((x) => `${x.name} ${x.bytesPerPage}`)
          .join(', ')} B/page)`,
      },
      {
        what: 'million: metacrawl status --db (while the crawl runs)',
        note: statusMs.length
          ? `${state.status.map((/** @type {any} */ s) => `${s.when} ${s.ms} ms${s.code === 0 ? '' : s.crawlEnded ? ' (the crawl had ended)' : ' (failed)'}`).join('; ')} (median ${quantile(statusMs, 0.5)} ms, process start included; \`metacrawl --version\` alone took ${state.cliStartMs} ms before the crawl)`
          : 'not timed',
      },
    ];
    if (r.explorer) {
      const warm = r.explorer
        .filter((/** @type {any} */ t) => t.view.endsWith('(warm)'))
        .map((/** @type {any} */ t) => t.ms);
      const cold = r.explorer.filter((/** @type {any} */ t) => !t.view.endsWith('(warm)'));
      const slow = [...cold].sort((a, b) => b.ms - a.ms).slice(0, 3);
      rows.push({
        what: `million: explorer views over the ${stored.toLocaleString('en')}-page database`,
        note: `warm median ${quantile(warm, 0.5)} ms, max ${Math.max(...warm)} ms; slowest cold: ${slow.map((x) => `${x.view} ${x.ms} ms`).join(', ')}`,
      });
    }
    return {
      result: {
        ...r,
        farm: state.farm,
        samples: state.samples,
        jsonFile,
        logFile,
        pinning,
        command: state.command,
      },
      rows,
    };
  } finally {
    process.off('SIGTERM', onTerm);
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      await new Promise((r) => {
        const t = setTimeout(r, 30_000);
        child?.once('close', () => {
          clearTimeout(t);
          r(undefined);
        });
      });
    }
    if (redis) /** @type {Redis} */ (redis).disconnect();
    await farm.stop();
  }
}
