#!/usr/bin/env node
/**
 * `npm run bench`: measures, in one run and on the same core pinning, how close metacrawl gets to what the
 * machine allows. Figures, not pass/fail.
 *
 *   ceiling   fetch only: undici.request, 128 in flight, over the farm's URLs (the limit)
 *   extract   the extractor alone, in memory: farm pages and the real-page corpus (CPU ms/page)
 *   user      `metacrawl crawl` as users run it: its own private redis-server on the same core, wall time
 *             from spawn to exit (start-up and shutdown included); the headline figure
 *   crawl     `metacrawl crawl` end to end over the farm, with the bench's Redis on the farm's core
 *   fleet     the same work as a fleet: `metacrawl worker` on the client core, `metacrawl store` on the other
 *   store     `metacrawl store` alone: draining a pre-filled results stream into SQLite
 *   submit    `metacrawl submit` of 1,000,000 URLs
 *   latency   a crawl of a farm answering after 200 ms ± 20 ms over 200 hosts (bound: 128 / 0.2 s)
 *   strings   the String-subclass experiment (bench/string-subclass.js)
 *   explorer  the results explorer's views over the crawl's database (tools/bench-views.ts)
 *   archive   (opt-in) crawls with and without --archive, interleaved; archive bytes per page; reextract from the
 *             archive against the extractor's in-memory rate; export rows/s and file sizes per format
 *             (bench/archive.js)
 *   cores     (opt-in) `metacrawl crawl --workers <cores>` unpinned: how throughput grows with cores
 *   growth    (opt-in) the store's write cost as the database grows (bench/store-growth.js)
 *   frontier  (opt-in) Redis bytes per waiting URL: 200,000 URLs over 2,000 hosts, as seeds and as links
 *   million   (opt-in, ~1 hour) `metacrawl crawl --workers auto` of 1,000,000 farm pages as a user runs it (own
 *             Redis, not pinned), sampled every 10 s: pages/s by tenth, RSS, Redis memory, writer lag, disk,
 *             `status` and the explorer's views on the result (bench/million.js)
 *
 * Options: --quick (small sizes, a smoke run) --only <names> (comma list) --json (one JSON document on
 *          stdout) --profile (crawl and store under --cpu-prof; profiles kept in the work dir) --keep (keep the
 *          work dir) --crawl-pages <n> (pages for the crawl phase, e.g. 100000 for an RSS-flatness run)
 *          --submit-deadline <s> (stop submit after s seconds and report up to there; default: what is
 *          left of a 255 s budget, at least 30 s; 0 = never) --million-pages <n> (pages for the million
 *          phase; default 1,000,000) --million-interval <s> (seconds between its samples; default 10, less
 *          for a smaller run)
 */
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { farmUrls } from './farm.js';
import {
  BIN,
  CAN_PIN,
  CLIENT_CORE,
  commandStats,
  FARM_CORE,
  machine,
  pin,
  quantile,
  ROOT,
  runMeasured,
  startFarmProcess,
  statsDelta,
} from './lib.js';
import { runStringSubclass } from './string-subclass.js';

const PHASES = [
  'ceiling',
  'extract',
  'user',
  'crawl',
  'fleet',
  'store',
  'latency',
  'strings',
  'explorer',
  'submit',
  'archive',
  'cores',
  'growth',
  'frontier',
  'million',
];
/** Opt-in phases: 'archive' takes minutes; 'cores' shares a core with the farm on a 2-core box; 'growth' takes minutes; 'million' an hour. */
const OPT_IN = ['archive', 'cores', 'growth', 'frontier', 'million'];
const DEFAULT_PHASES = PHASES.filter((p) => !OPT_IN.includes(p));
/** Seconds the whole run aims to stay within (the submit phase, last, gets what is left). */
const BUDGET_S = 255;

function parseArgs(argv) {
  const o = {
    quick: false,
    only: DEFAULT_PHASES,
    json: false,
    profile: false,
    keep: false,
    crawlPages: 0,
    /** @type {number | undefined} */
    submitDeadline: undefined,
    /** @type {number | undefined} */
    growthPages: undefined,
    millionPages: 1_000_000,
    /** @type {number | undefined} */
    millionInterval: undefined,
    archivePages: 0,
    archivePairs: 0,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') o.quick = true;
    else if (a === '--json') o.json = true;
    else if (a === '--profile') o.profile = true;
    else if (a === '--keep') o.keep = true;
    else if (a === '--only') {
      o.only = String(argv[++i] ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const bad = o.only.filter((p) => !PHASES.includes(p));
      if (bad.length)
        throw new Error(`--only: unknown phase ${bad.join(', ')} (phases: ${PHASES.join(', ')})`);
    } else if (a === '--crawl-pages') o.crawlPages = Number(argv[++i]);
    else if (a === '--submit-deadline') o.submitDeadline = Number(argv[++i]);
    else if (a === '--growth-pages') o.growthPages = Number(argv[++i]);
    else if (a === '--million-pages') o.millionPages = Number(argv[++i]);
    else if (a === '--million-interval') o.millionInterval = Number(argv[++i]);
    else if (a === '--archive-pages') o.archivePages = Number(argv[++i]);
    else if (a === '--archive-pairs') o.archivePairs = Number(argv[++i]);
    else if (a === '--help' || a === '-h') {
      process.stdout.write(
        `usage: node bench/run.js [--quick] [--only ${PHASES.join(',')}] [--json] [--profile] [--keep] [--crawl-pages n] [--submit-deadline s] [--growth-pages n] [--million-pages n] [--million-interval s] [--archive-pages n] [--archive-pairs n]\n`,
      );
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  if (!Number.isInteger(o.millionPages) || o.millionPages < 1000)
    throw new Error('--million-pages: a whole number of pages, at least 1000');
  if (o.millionInterval !== undefined && !(o.millionInterval > 0))
    throw new Error('--million-interval: seconds between samples, more than 0');
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const started = performance.now();
// The farm is 100 hosts × 100 pages; the ceiling and the crawl take the same first `crawl` URLs of its
// host-interleaved list (every host, equally), sized so the whole run stays within its budget.
const SIZES = opts.quick
  ? {
      hosts: 40,
      pages: 25,
      crawl: 1_000,
      fleet: 1_000,
      submit: 100_000,
      store: 1_000,
      latencyPages: 8,
      rounds: 1,
      archive: 500,
      archivePairs: 1,
    }
  : {
      hosts: 100,
      pages: 100,
      crawl: 5_000,
      fleet: 2_000,
      submit: 1_000_000,
      store: 5_000,
      latencyPages: 20,
      rounds: 3,
      archive: 2_000,
      archivePairs: 2,
    };
if (opts.crawlPages > 0) {
  SIZES.crawl = opts.crawlPages;
  SIZES.pages = Math.max(SIZES.pages, Math.ceil(opts.crawlPages / SIZES.hosts));
}
if (opts.archivePages > 0) SIZES.archive = opts.archivePages;
if (opts.archivePairs > 0) SIZES.archivePairs = opts.archivePairs;
const IN_FLIGHT = 128;
const LATENCY_MS = 200;
const LATENCY_HOSTS = 200;

const log = (/** @type {string} */ s) => process.stderr.write(`${s}\n`);
const work = mkdtempSync(join(tmpdir(), 'metacrawl-bench-'));
const dist = (/** @type {string} */ p) => import(pathToFileURL(`${ROOT}dist/${p}`).href);

// The benchmark process itself runs the ceiling: it sits on the client core like the crawler will.
pin(process.pid, CLIENT_CORE);

/** @type {Record<string, any>} */
const results = {};
const rows = [];
const round = (/** @type {number | null | undefined} */ x, d = 1) =>
  x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x * 10 ** d) / 10 ** d;

/** Peak RSS so far of a running process, from /proc. */
function procHwmMb(/** @type {number | undefined} */ pid) {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
function procCpuS(/** @type {number | undefined} */ pid) {
  if (!pid) return null;
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return null;
  }
}

const { startPrivateRedis, connectRedis } = await dist('redis.js');
const redisServer = await startPrivateRedis(join(work, 'redis'), { appendonly: false });
pin(redisServer.process.pid, FARM_CORE);
const redis = connectRedis(redisServer.url);
log(`work dir ${work}; redis ${redisServer.url}; ${machine().pinning}`);

/** @type {any} */
let farm = null;
async function mainFarm() {
  if (!farm) {
    log(`starting the farm: ${SIZES.hosts} hosts × ${SIZES.pages} pages`);
    farm = await startFarmProcess(['--hosts', String(SIZES.hosts), '--pages', String(SIZES.pages)]);
  }
  return farm;
}

// ---------------------------------------------------------------- (1) fetch-only ceiling
async function ceiling() {
  const f = await mainFarm();
  const { Agent, request } = await import('undici');
  const { gunzipSync } = await import('node:zlib');
  const urls = farmUrls(f.origins, f.pages, SIZES.crawl);
  const agent = new Agent({ connections: IN_FLIGHT, pipelining: 1 });
  const utf8 = new TextDecoder();
  /** decode: also gunzip and decode to a string, the least a crawler must do with a page. */
  const get = async (/** @type {string} */ url, /** @type {boolean} */ decode) => {
    const res = await request(url, { dispatcher: agent, headers: { 'accept-encoding': 'gzip' } });
    const chunks = [];
    let n = 0;
    for await (const chunk of res.body) {
      n += chunk.length;
      if (decode) chunks.push(chunk);
    }
    if (decode) utf8.decode(gunzipSync(Buffer.concat(chunks)));
    return n;
  };
  const run = async (/** @type {string[]} */ list, decode = false) => {
    let next = 0;
    let bytes = 0;
    const lanes = Array.from({ length: IN_FLIGHT }, async () => {
      while (next < list.length) {
        const n = await get(list[next++], decode);
        bytes += n;
      }
    });
    await Promise.all(lanes);
    return bytes;
  };
  const measure = async (/** @type {boolean} */ decode) => {
    const cpu0 = process.cpuUsage();
    const farmCpu0 = procCpuS(f.pid);
    const t0 = performance.now();
    const bytes = await run(urls, decode);
    const s = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return {
      pages: urls.length,
      pagesPerS: round(urls.length / s),
      wireKbPerPage: round(bytes / urls.length / 1024),
      cpuSPer1k: round(((cpu.user + cpu.system) / 1e6 / urls.length) * 1000, 2),
      farmCpuSPer1k: round((((procCpuS(f.pid) ?? 0) - (farmCpu0 ?? 0)) / urls.length) * 1000, 2),
    };
  };
  await run(urls.slice(0, 512)); // warm-up: JIT and connections
  const r = await measure(false);
  const decoded = await measure(true);
  await agent.close();
  results.ceiling = { ...r, decoded };
  rows.push({
    what: 'fetch-only ceiling (undici.request, 128 in flight)',
    rate: r.pagesPerS,
    cpu: r.cpuSPer1k,
    note: `gzip, ${r.wireKbPerPage} KB/page on the wire, body bytes read and dropped; farm ${r.farmCpuSPer1k} CPU s/1k`,
  });
  rows.push({
    what: 'fetch + gunzip + UTF-8 decode (same, no parsing)',
    rate: decoded.pagesPerS,
    cpu: decoded.cpuSPer1k,
    note: 'the least a crawler does with each page',
  });
}

// ---------------------------------------------------------------- (2) extractor alone
async function extractPhase() {
  // Best of two processes: CPU time per page swings between processes on a VM (steal, frequency).
  let r = null;
  for (let i = 0; i < 2; i++) {
    const child = await runMeasured(
      [`${ROOT}bench/extract-bench.js`, '--set', 'both', '--rounds', String(SIZES.rounds)],
      { probeFile: join(work, 'extract.probe.json'), env: { BENCH_PROBE_REDIS: '0' } },
    );
    if (child.code !== 0) throw new Error(`extract bench failed: ${child.stderr.slice(-500)}`);
    const one = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}');
    if (!r || one.farm.medianMs + one.corpus.medianMs < r.farm.medianMs + r.corpus.medianMs) r = one;
  }
  results.extract = r;
  for (const [set, label] of [
    ['farm', 'extract alone, farm pages (in memory)'],
    ['corpus', 'extract alone, real-page corpus (in memory)'],
  ])
    rows.push({
      what: label,
      rate: r[set].pagesPerS,
      cpu: round(r[set].meanMs, 2),
      note: `CPU ms/page median ${r[set].medianMs}, p99 ${r[set].p99Ms} (${r[set].samples} samples, best of 2 processes)`,
    });
}

// ---------------------------------------------------------------- (3) and (6) crawls
/** Crawl settings (they travel with the crawl) and the fetching process's own flags. */
const CRAWL_FLAGS = ['--host-rate', '0', '--host-concurrency', '4'];
const FETCH_FLAGS = ['--allow-private', '--concurrency', String(IN_FLIGHT)];

/**
 * Crawls `urls` and reads the figures back from the summary, the probes, Redis and the database.
 * mode 'crawl': one `metacrawl crawl` process (producer + worker + store writer) on the client core.
 * mode 'fleet': `metacrawl submit`, then `metacrawl worker` on the client core and `metacrawl store` on
 * the other core, as a fleet runs them (the figures are the worker's; the store's RSS and CPU are added).
 * mode 'cores': `metacrawl crawl --workers <every core>`, not pinned (it shares cores with the farm).
 * mode 'user': `metacrawl crawl` as a user runs it on one machine: no --redis, so it starts its own private
 * redis-server, which inherits the client core's pinning; the rate is pages over wall time from spawn to exit.
 * @param {string} name @param {string[]} urls @param {number} farmPid @param {'crawl' | 'fleet' | 'cores' | 'user'} mode
 * @param {string[]} extra more flags for `crawl` (e.g. --archive)
 */
async function crawlRun(name, urls, farmPid, mode = 'crawl', extra = []) {
  await redis.flushall();
  const seeds = join(work, `${name}-seeds.txt`);
  writeFileSync(seeds, `${urls.join('\n')}\n`);
  const db = join(work, `${name}.db`);
  const redisArgs =
    mode === 'user' ? ['--log-level', 'warn'] : ['--redis', redisServer.url, '--log-level', 'warn'];
  const nodeFlags = (/** @type {string} */ role) =>
    opts.profile ? ['--cpu-prof', '--cpu-prof-dir', join(work, `${name}-${role}-profile`)] : [];
  if (mode === 'fleet') {
    const sub = await runMeasured([BIN, 'submit', seeds, '--crawl', name, ...CRAWL_FLAGS, ...redisArgs], {
      probeFile: join(work, `${name}.submit.probe.json`),
    });
    if (sub.code !== 0) throw new Error(`submit for ${name} failed: ${sub.stderr.slice(-500)}`);
  }
  const before = commandStats(await redis.info('commandstats'));
  const redisCpu0 = procCpuS(redisServer.process.pid);
  const farmCpu0 = procCpuS(farmPid);
  /** @type {Promise<any> | null} */
  let store = null;
  /** @type {number | null} */
  let doneAt = null;
  const t0 = performance.now();
  /** @type {Promise<any>} */
  let main;
  if (mode !== 'fleet') {
    main = runMeasured(
      [
        BIN,
        'crawl',
        seeds,
        ...CRAWL_FLAGS,
        ...FETCH_FLAGS,
        // Same 128 in flight in all, shared by the workers.
        ...(mode === 'cores'
          ? [
              '--workers',
              String(cpus().length),
              '--concurrency',
              String(Math.ceil(IN_FLIGHT / cpus().length)),
            ]
          : []),
        '--no-progress',
        '--db',
        db,
        '--crawl',
        name,
        ...redisArgs,
        ...extra,
      ],
      {
        probeFile: join(work, `${name}.probe.json`),
        nodeFlags: nodeFlags('crawl'),
        core: mode === 'cores' ? null : CLIENT_CORE,
      },
    );
  } else {
    /** @type {import('node:child_process').ChildProcess[]} */
    const children = [];
    const stopAll = () => {
      for (const c of children) {
        c.kill('SIGINT');
        setTimeout(() => c.kill('SIGINT'), 3000).unref();
      }
    };
    store = runMeasured([BIN, 'store', '--db', db, ...redisArgs], {
      core: FARM_CORE,
      probeFile: join(work, `${name}.store.probe.json`),
      nodeFlags: nodeFlags('store'),
      onStart: (c) => children.push(c),
    });
    const statsKey = (await dist('keys.js')).keys('metacrawl').crawlStats(name);
    main = runMeasured([BIN, 'worker', ...CRAWL_FLAGS, ...FETCH_FLAGS, '--grace', '2000', ...redisArgs], {
      probeFile: join(work, `${name}.worker.probe.json`),
      nodeFlags: nodeFlags('worker'),
      onStart: (c) => {
        children.push(c);
        const poll = async () => {
          const stored = Number((await redis.hget(statsKey, 'stored')) ?? 0);
          if (stored >= urls.length) {
            doneAt = performance.now();
            stopAll();
          } else if (c.exitCode === null) setTimeout(poll, 100);
        };
        setTimeout(poll, 100);
      },
    });
  }
  const child = await main;
  const storeChild = store ? await store : null;
  if (child.code !== 0 && doneAt === null)
    throw new Error(`${mode} ${name} failed (${child.code}): ${child.stderr.slice(-800)}`);
  const after = commandStats(await redis.info('commandstats'));
  const server = statsDelta(before, after);
  delete server.info;
  delete server.flushall;
  delete server.hget;
  const { openDb } = await dist('store/db.js');
  const d = openDb(db, { readonly: true });
  const rowsDb = d
    .prepare(
      `SELECT p.elapsed_ms AS ms, p.fetched_at AS at, p.error AS error FROM pages p JOIN crawls c ON c.id = p.crawl_id WHERE c.name = ?`,
    )
    .all(name);
  d.close();
  const n = rowsDb.length;
  const summaryRate =
    mode === 'user'
      ? round(n / child.wallS)
      : mode !== 'fleet'
        ? Number(/pages\/s\s+([\d.]+)/.exec(child.stdout)?.[1] ?? Number.NaN)
        : round(n / (((doneAt ?? performance.now()) - t0) / 1000));
  const ok = rowsDb.filter((r) => r.error === null).length;
  const ms = rowsDb.map((r) => r.ms).filter((x) => x !== null);
  // Steady state: pages fetched between the 10th and 90th percentile of fetch times, over that span.
  const ats = rowsDb.map((r) => Date.parse(r.at)).sort((a, b) => a - b);
  const lo = ats[Math.floor(n * 0.1)];
  const hi = ats[Math.floor(n * 0.9)];
  const steady = hi > lo ? (Math.floor(n * 0.9) - Math.floor(n * 0.1)) / ((hi - lo) / 1000) : null;
  const p = child.probe;
  const cpuS = p ? p.userCpuS + p.systemCpuS : null;
  const rss = child.rss;
  const startRss = rss.find((x) => x.t >= child.wallS * 0.2)?.rssMb ?? null;
  const endRss = rss.at(-1)?.rssMb ?? null;
  const serverCommands = Object.values(server).reduce((a, b) => a + b, 0);
  const sp = storeChild?.probe;
  const perPage = (/** @type {Record<string, number>} */ o) =>
    Object.fromEntries(
      Object.entries(o)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => [k, round(v / n, 2)]),
    );
  return {
    mode,
    pages: n,
    ok,
    failed: n - ok,
    summaryPagesPerS: summaryRate,
    steadyPagesPerS: round(steady),
    wallS: round(child.wallS, 2),
    fetchP50Ms: quantile(ms, 0.5),
    fetchP99Ms: quantile(ms, 0.99),
    cpuS: round(cpuS, 2),
    cpuSPer1k: round(cpuS === null ? null : (cpuS / n) * 1000, 2),
    // With the children it waited for: `user` mode's private redis-server.
    cpuWithChildrenSPer1k:
      cpuS === null || p?.childrenCpuS == null ? null : round(((cpuS + p.childrenCpuS) / n) * 1000, 2),
    peakRssMb: round(p?.maxRssMb),
    rssAt20PctMb: round(startRss),
    rssEndMb: round(endRss),
    // RSS through the run, at each tenth of its duration (flat = no growth with pages crawled).
    rssByTenthMb: Array.from({ length: 10 }, (_, i) =>
      round(rss.find((x) => x.t >= (child.wallS * (i + 1)) / 10 - 0.3)?.rssMb ?? rss.at(-1)?.rssMb),
    ),
    memoryAtPeakMb: p?.memoryAtPeakMb ?? null,
    store: sp
      ? {
          peakRssMb: round(sp.maxRssMb),
          cpuSPer1k: round(((sp.userCpuS + sp.systemCpuS) / n) * 1000, 2),
          redisRoundTripsPerPage: round(sp.redis.roundTrips / n, 3),
        }
      : undefined,
    redisRoundTripsPerPage: p ? round(p.redis.roundTrips / n, 2) : null,
    redisCommandsPerPage: p ? round(p.redis.commands / n, 2) : null,
    redisClientCommands: p ? perPage(p.redis.byCommand) : null,
    redisServerCommandsPerPage: round(serverCommands / n, 2),
    redisServerCommands: perPage(server),
    redisServerCpuSPer1k: round(
      (((procCpuS(redisServer.process.pid) ?? 0) - (redisCpu0 ?? 0)) / n) * 1000,
      2,
    ),
    redisServerPeakRssMb: round(procHwmMb(redisServer.process.pid)),
    farmCpuSPer1k: round((((procCpuS(farmPid) ?? 0) - (farmCpu0 ?? 0)) / n) * 1000, 2),
    profileDir: opts.profile ? work : undefined,
  };
}

async function crawlPhase() {
  const f = await mainFarm();
  const urls = farmUrls(f.origins, f.pages, SIZES.crawl);
  log(`crawl: ${urls.length} pages`);
  const r = await crawlRun('bench-crawl', urls, f.pid);
  results.crawl = r;
  const ceil = results.ceiling?.pagesPerS;
  r.ratioToCeiling = ceil ? round(r.summaryPagesPerS / ceil, 3) : null;
  const dec = results.ceiling?.decoded?.pagesPerS;
  r.ratioToDecodeCeiling = dec ? round(r.summaryPagesPerS / dec, 3) : null;
  rows.push({
    what: 'metacrawl crawl end to end (128 in flight)',
    rate: r.summaryPagesPerS,
    ratio: r.ratioToCeiling,
    p50: r.fetchP50Ms,
    p99: r.fetchP99Ms,
    cpu: r.cpuSPer1k,
    rss: r.peakRssMb,
    note: `${r.ok}/${r.pages} ok; steady ${r.steadyPagesPerS}/s;${r.ratioToDecodeCeiling ? ` ${r.ratioToDecodeCeiling} of fetch+decode;` : ''} RSS ${r.rssAt20PctMb}→${r.rssEndMb} MB; Redis ${r.redisRoundTripsPerPage} round trips/page (${r.redisServerCommandsPerPage} server cmds), redis-server ${r.redisServerCpuSPer1k} CPU s/1k`,
  });
}

/** The main figure: `metacrawl crawl` with its private Redis on one core, start-up and shutdown included. */
async function userPhase() {
  const f = await mainFarm();
  const urls = farmUrls(f.origins, f.pages, SIZES.crawl);
  log(`user: ${urls.length} pages, crawl + private redis-server on core ${CLIENT_CORE}`);
  const r = await crawlRun('bench-user', urls, f.pid, 'user');
  results.user = r;
  const ceil = results.ceiling?.pagesPerS;
  r.ratioToCeiling = ceil ? round(r.summaryPagesPerS / ceil, 3) : null;
  rows.push({
    what: 'metacrawl crawl as users run it (own Redis, same core, wall time)',
    rate: r.summaryPagesPerS,
    ratio: r.ratioToCeiling,
    p50: r.fetchP50Ms,
    p99: r.fetchP99Ms,
    cpu: r.cpuSPer1k,
    rss: r.peakRssMb,
    note: `${r.ok}/${r.pages} ok in ${r.wallS} s from spawn to exit; steady ${r.steadyPagesPerS}/s; RSS ${r.rssAt20PctMb}→${r.rssEndMb} MB; CPU s/1k is the crawl process, ${r.cpuWithChildrenSPer1k} with its redis-server; Redis ${r.redisRoundTripsPerPage} round trips/page`,
  });
}

async function fleetPhase() {
  const f = await mainFarm();
  const urls = farmUrls(f.origins, f.pages, SIZES.fleet);
  log(`fleet: ${urls.length} pages, worker on core ${CLIENT_CORE}, store writer on core ${FARM_CORE}`);
  const r = await crawlRun('bench-fleet', urls, f.pid, 'fleet');
  results.fleet = r;
  const ceil = results.ceiling?.pagesPerS;
  r.ratioToCeiling = ceil ? round(r.summaryPagesPerS / ceil, 3) : null;
  rows.push({
    what: 'fleet: metacrawl worker (128 in flight) + store elsewhere',
    rate: r.summaryPagesPerS,
    ratio: r.ratioToCeiling,
    p50: r.fetchP50Ms,
    p99: r.fetchP99Ms,
    cpu: r.cpuSPer1k,
    rss: r.peakRssMb,
    note: `worker figures; store process: ${r.store?.peakRssMb} MB peak, ${r.store?.cpuSPer1k} CPU s/1k (on core ${FARM_CORE}); steady ${r.steadyPagesPerS}/s; worker RSS ${r.rssAt20PctMb}→${r.rssEndMb} MB; Redis ${r.redisRoundTripsPerPage} round trips/page`,
  });
}

async function coresPhase() {
  const f = await mainFarm();
  const urls = farmUrls(f.origins, f.pages, SIZES.crawl);
  const n = cpus().length;
  log(`cores: ${urls.length} pages, crawl --workers ${n}, not pinned`);
  const r = await crawlRun('bench-cores', urls, f.pid, 'cores');
  results.cores = r;
  const one = results.crawl?.summaryPagesPerS;
  rows.push({
    what: `metacrawl crawl --workers ${n}, every core (shared with farm + Redis)`,
    rate: r.summaryPagesPerS,
    p50: r.fetchP50Ms,
    p99: r.fetchP99Ms,
    cpu: r.cpuSPer1k,
    rss: r.peakRssMb,
    note: `${one ? `${round(r.summaryPagesPerS / one, 2)}× the one-core crawl; ` : ''}steady ${r.steadyPagesPerS}/s; farm ${r.farmCpuSPer1k}, redis-server ${r.redisServerCpuSPer1k} CPU s/1k`,
  });
}

/** @type {any} */
let latencyFarm = null;
async function latencyPhase() {
  log(`latency farm: ${LATENCY_HOSTS} hosts answering after ${LATENCY_MS} ± 20 ms`);
  latencyFarm = await startFarmProcess([
    '--hosts',
    String(LATENCY_HOSTS),
    '--pages',
    String(SIZES.latencyPages),
    '--net',
    '127.0.2',
    '--small',
    '--latency',
    String(LATENCY_MS),
    '--jitter',
    '20',
  ]);
  try {
    const urls = farmUrls(latencyFarm.origins, latencyFarm.pages);
    const r = await crawlRun('bench-latency', urls, latencyFarm.pid);
    const bound = IN_FLIGHT / (LATENCY_MS / 1000);
    r.bound = bound;
    r.ofBound = round(r.steadyPagesPerS / bound, 3);
    r.summaryOfBound = round(r.summaryPagesPerS / bound, 3);
    results.latency = r;
    rows.push({
      what: `latency-bound crawl (${LATENCY_MS} ms, ${LATENCY_HOSTS} hosts, small pages)`,
      rate: r.summaryPagesPerS,
      p50: r.fetchP50Ms,
      p99: r.fetchP99Ms,
      cpu: r.cpuSPer1k,
      rss: r.peakRssMb,
      note: `bound ${bound}/s: steady ${r.steadyPagesPerS}/s = ${Math.round((r.ofBound ?? 0) * 100)}% of bound (whole run ${Math.round((r.summaryOfBound ?? 0) * 100)}%)`,
    });
  } finally {
    await latencyFarm.stop();
  }
}

// ---------------------------------------------------------------- (4) submit 1M
async function submitPhase() {
  const n = SIZES.submit;
  const dir = join(tmpdir(), 'metacrawl-bench-seeds');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `seeds-${n}.txt`);
  let exists = false;
  try {
    exists = statSync(file).size > 0;
  } catch {}
  if (!exists) {
    log(`generating ${n} seed URLs in ${file}`);
    const lines = [];
    for (let i = 0; i < n; i++)
      lines.push(
        `https://www.site${i % 5000}.example/articles/${(i * 7919) % 100000}/item-${i}?ref=list&page=${i % 37}`,
      );
    writeFileSync(`${file}.tmp`, `${lines.join('\n')}\n`);
    renameSync(`${file}.tmp`, file);
  }
  await redis.flushall();
  // The run as a whole must stay within its budget: a slow submit is stopped and measured up to there.
  const deadlineS =
    opts.submitDeadline ?? Math.min(240, Math.max(30, BUDGET_S - (performance.now() - started) / 1000));
  log(`submit: ${n} URLs (stopped after ${Math.round(deadlineS)} s if not done)`);
  const redisCpu0 = procCpuS(redisServer.process.pid);
  const statsKey = (await dist('keys.js')).keys('metacrawl').crawlStats('bench-submit');
  /** @type {{ s: number, submitted: number, hwmMb: number | null } | null} */
  let stopped = null;
  const child = await runMeasured(
    [BIN, 'submit', file, '--crawl', 'bench-submit', '--redis', redisServer.url],
    {
      probeFile: join(work, 'submit.probe.json'),
      onStart: (c) => {
        const t0 = performance.now();
        const poll = async () => {
          if (c.exitCode !== null) return;
          const s = (performance.now() - t0) / 1000;
          if (deadlineS > 0 && s >= deadlineS) {
            const submitted = Number((await redis.hget(statsKey, 'submitted')) ?? 0);
            stopped = { s, submitted, hwmMb: procHwmMb(c.pid) };
            // The CLI exits at once on a second signal (its probe still writes at exit).
            c.kill('SIGINT');
            setTimeout(() => c.kill('SIGINT'), 200);
            return;
          }
          setTimeout(poll, 250);
        };
        setTimeout(poll, 250);
      },
    },
  );
  if (child.code !== 0 && !stopped) throw new Error(`submit failed: ${child.stderr.slice(-500)}`);
  const p = child.probe;
  /** @type {{ s: number, submitted: number, hwmMb: number | null } | null} */
  const cut = stopped;
  const submitted = cut ? cut.submitted : Number(/(\d+) URLs submitted/.exec(child.stdout)?.[1] ?? 0);
  const wallS = cut ? cut.s : child.wallS;
  const mem = /used_memory:(\d+)/.exec(await redis.info('memory'))?.[1];
  const r = {
    urls: n,
    submitted,
    stoppedAtDeadline: cut !== null,
    wallS: round(wallS, 2),
    urlsPerS: round(submitted / wallS, 0),
    peakRssMb: round(p?.maxRssMb ?? cut?.hwmMb),
    cpuS: round(p ? p.userCpuS + p.systemCpuS : null, 2),
    redisRoundTrips: p?.redis.roundTrips ?? null,
    redisMemoryMb: mem ? round(Number(mem) / 1048576) : null,
    redisServerCpuS: round((procCpuS(redisServer.process.pid) ?? 0) - (redisCpu0 ?? 0), 2),
  };
  results.submit = r;
  await redis.flushall();
  rows.push({
    what: `metacrawl submit ${n.toLocaleString('en')} URLs`,
    rate: r.urlsPerS,
    unit: 'URLs/s',
    rss: r.peakRssMb,
    cpu: round(((r.cpuS ?? 0) / Math.max(1, submitted)) * 1000, 3),
    note: `${cut ? `STOPPED at the deadline: ${submitted} of ${n}` : submitted} queued in ${r.wallS} s; ${r.redisRoundTrips} round trips; redis-server busy ${r.redisServerCpuS} CPU s, holds ${r.redisMemoryMb} MB after (${round(((r.redisMemoryMb ?? 0) * 1048576) / Math.max(1, submitted), 0)} B/URL)`,
  });
}

// ---------------------------------------------------------------- frontier memory (opt-in)
async function frontierPhase() {
  const { measureFrontierMemory } = await import(pathToFileURL(`${ROOT}dist-tools/frontier-memory.js`).href);
  const urls = opts.quick ? 20_000 : 200_000;
  const hosts = urls / 100;
  for (const as of ['seeds', 'links']) {
    log(`frontier: ${urls} URLs over ${hosts} hosts as ${as}`);
    const dir = mkdtempSync(join(work, `frontier-${as}-`));
    const r = await measureFrontierMemory({ urls, hosts, as, dir });
    results[`frontier_${as}`] = r;
    const per = (/** @type {string} */ kind) =>
      round((Object.entries(r.byKind).find(([k]) => k.endsWith(kind))?.[1] ?? 0) / urls, 1);
    rows.push({
      what: `Redis per waiting URL (${as})`,
      rate: r.perUrl,
      unit: 'B/URL',
      note: `${urls} URLs of ~${r.urlBytes} B over ${hosts} hosts: frontier ${per(':pq:<host>')}, dedupe ${per(':seen:<hex>')} B/URL; INFO used_memory delta`,
    });
  }
}

// ---------------------------------------------------------------- (5) store writer alone
async function storePhase() {
  const n = SIZES.store;
  const { storePhaseRecords } = await import('./store-growth.js');
  const { extract } = await dist('extract/index.js');
  const { publishRecords } = await dist('stream.js');
  const { keys } = await dist('keys.js');
  const prefix = 'bench-store';
  await redis.flushall();
  const record = storePhaseRecords(extract, n);
  let jsonBytes = 0;
  for (let start = 0; start < n; start += 500) {
    const batch = [];
    for (let i = start; i < Math.min(n, start + 500); i++) batch.push(record(i));
    if (start === 0) jsonBytes = JSON.stringify(batch[0]).length;
    await publishRecords(redis.pipeline(), prefix, batch).exec();
  }
  const stream = keys(prefix).results;
  log(`store: draining ${n} records (${round(jsonBytes / 1024)} KB JSON each)`);
  let first = null;
  let firstLen = n;
  let end = null;
  const child = runMeasured(
    [
      BIN,
      'store',
      '--db',
      join(work, 'store.db'),
      '--redis',
      redisServer.url,
      '--prefix',
      prefix,
      '--log-level',
      'warn',
    ],
    {
      probeFile: join(work, 'store.probe.json'),
      nodeFlags: opts.profile ? ['--cpu-prof', '--cpu-prof-dir', join(work, 'store-profile')] : [],
      onStart: (c) => {
        const poll = async () => {
          const len = await redis.xlen(stream);
          const t = performance.now();
          if (first === null && len < n) {
            first = t;
            firstLen = len;
          }
          if (len === 0) {
            end = t;
            c.kill('SIGINT');
            return;
          }
          if (c.exitCode === null) setTimeout(poll, 10);
        };
        setTimeout(poll, 10);
      },
    },
  );
  const res = await child;
  if (end === null) throw new Error(`store writer stopped before draining: ${res.stderr.slice(-500)}`);
  const p = res.probe;
  const rate = end > first ? firstLen / ((end - first) / 1000) : null;
  const disk = storeDiskUse(join(work, 'store.db'), n);
  const r = {
    records: n,
    recordKb: round(jsonBytes / 1024),
    pagesPerS: round(rate),
    peakRssMb: round(p?.maxRssMb),
    cpuSPer1k: round(p ? ((p.userCpuS + p.systemCpuS) / n) * 1000 : null, 2),
    bytesPerPage: (await disk).bytesPerPage,
    objects: (await disk).objects,
  };
  if (results.crawl?.summaryPagesPerS)
    r.timesCrawlRate = round(r.pagesPerS / results.crawl.summaryPagesPerS, 2);
  results.store = r;
  rows.push({
    what: 'metacrawl store alone (stream → SQLite)',
    rate: r.pagesPerS,
    cpu: r.cpuSPer1k,
    rss: r.peakRssMb,
    note: `${n} records of ${r.recordKb} KB JSON${r.timesCrawlRate ? `; ${r.timesCrawlRate}× the crawl rate` : ''}; ${round(r.bytesPerPage / 1024, 2)} KB/page on disk (${r.objects.map((o) => `${o.name} ${o.bytesPerPage}`).join(', ')})`,
  });
  await redis.flushall();
}

/** Bytes on disk per page once the writer has finished (WAL checkpointed), and the largest tables and indexes. */
async function storeDiskUse(file, pages) {
  const { openDb } = await dist('store/db.js');
  const db = openDb(file);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    const objects = db
      .prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC LIMIT 6')
      .all()
      .map((o) => ({ name: o.name, bytesPerPage: Math.round(o.bytes / pages) }));
    return { bytesPerPage: Math.round(statSync(file).size / pages), objects };
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------- the String-subclass experiment
async function stringsPhase() {
  // The regression canaries: the crawler's own imports, and the known trigger with its known cure.
  const r = await runStringSubclass({
    rounds: SIZES.rounds,
    pool: 48,
    repeat: opts.quick ? 1 : 3,
    only: ['cli', 'define', 'instantiate'],
  });
  results.strings = r;
  for (const v of r.variants)
    rows.push({
      what: `extract, farm pages, after: ${v.label}`,
      rate: v.pagesPerS,
      cpu: v.meanMs,
      note: `CPU ms/page median ${v.medianMs}, best of ${v.repeats.length} processes (×${v.vsPlain} of plain)`,
    });
}

// ---------------------------------------------------------------- store cost vs database size
async function growthPhase() {
  const { runStoreGrowth } = await import('./store-growth.js');
  const pages = opts.growthPages ?? (opts.quick ? 5_000 : 100_000);
  log(`growth: ${pages} site-specific pages through PageWriter`);
  const r = await runStoreGrowth({ pages });
  results.growth = r;
  const first = r.slices[0];
  const last = r.slices.at(-1);
  rows.push({
    what: `store writer alone (PageWriter), ${pages.toLocaleString('en')} pages of ${r.sites} sites`,
    rate: last.pagesPerS,
    cpu: last.cpuMsPerPage,
    note: `CPU ms/page: pages ${first.pages} ${first.cpuMsPerPage} → pages ${last.pages} ${last.cpuMsPerPage} (×${r.lastVsFirst}); end of writes ${r.finish.wallS} s; ${r.bytesPerPage} B/page on disk, ${r.distinctUrls} distinct URLs in ${r.urlRows} rows`,
  });
}

// ---------------------------------------------------------------- explorer views over the crawl DB
async function explorerPhase() {
  const db = join(work, 'bench-crawl.db');
  try {
    statSync(db);
  } catch {
    log('explorer: skipped (needs the crawl phase)');
    return;
  }
  let mod;
  try {
    mod = await import(pathToFileURL(`${ROOT}dist-tools/bench-views.js`).href);
  } catch {
    log('explorer: skipped (dist-tools/bench-views.js missing)');
    return;
  }
  const timings = await mod.benchExplorerViews(db, opts.quick ? 2 : 5);
  results.explorer = timings;
  const warm = timings.filter((t) => t.view.endsWith('(warm)')).map((t) => t.ms);
  const cold = timings.filter((t) => !t.view.endsWith('(warm)'));
  const slowest = [...cold].sort((a, b) => b.ms - a.ms)[0];
  rows.push({
    what: 'explorer views over the crawl DB',
    note: `warm median ${quantile(warm, 0.5)} ms, max ${Math.max(...warm)} ms; slowest cold: ${slowest?.view} ${slowest?.ms} ms`,
  });
}

// ---------------------------------------------------------------- archives, reextract, exports (opt-in)
async function archivePhase() {
  // Its own farm, every page distinct (the main farm repeats a pool of 256, which an archive stores as revisits).
  const hosts = Math.min(100, SIZES.archive);
  const pages = Math.ceil(SIZES.archive / hosts);
  log(`archive: a farm of ${hosts} hosts × ${pages} pages, all distinct (rendering them takes a while)`);
  const f = await startFarmProcess([
    '--hosts',
    String(hosts),
    '--pages',
    String(pages),
    '--net',
    '127.0.3',
    '--pool',
    String(hosts * pages),
  ]);
  try {
    const { runArchive } = await import('./archive.js');
    const r = await runArchive({
      crawl: (name, urls, extra) => crawlRun(name, urls, f.pid, 'user', extra),
      urls: farmUrls(f.origins, f.pages, SIZES.archive),
      pairs: SIZES.archivePairs,
      work,
      log,
      extractFarm: results.extract?.farm ?? null,
      profile: opts.profile,
    });
    results.archive = {
      ...r.result,
      farm: { hosts, pages, meanBytes: f.meanBytes, meanGzipBytes: f.meanGzipBytes },
    };
    rows.push(...r.rows);
  } finally {
    await f.stop();
  }
}

// ---------------------------------------------------------------- a million pages (opt-in)
async function millionPhase() {
  const { runMillion } = await import('./million.js');
  const r = await runMillion({
    pages: opts.quick ? Math.min(opts.millionPages, 10_000) : opts.millionPages,
    intervalS: opts.millionInterval,
    work,
    log,
    viewsRepeat: opts.quick ? 2 : 3,
  });
  results.million = r.result;
  rows.push(...r.rows);
}

// ---------------------------------------------------------------- table
function table() {
  const head = ['what', 'pages/s', 'of ceiling', 'fetch p50/p99 ms', 'CPU s/1k', 'peak RSS MB', 'notes'];
  const body = rows.map((r) => [
    r.what,
    r.rate === undefined ? '' : `${r.rate ?? '–'}${r.unit ? ` ${r.unit}` : ''}`,
    r.ratio === undefined || r.ratio === null ? '' : r.ratio.toFixed(3),
    r.p50 === undefined ? '' : `${r.p50 ?? '–'} / ${r.p99 ?? '–'}`,
    r.cpu === undefined || r.cpu === null ? '' : String(r.cpu),
    r.rss === undefined || r.rss === null ? '' : String(r.rss),
    r.note ?? '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (i === 6 ? 0 : b[i].length))));
  const fmt = (/** @type {string[]} */ cells) =>
    cells.map((c, i) => (i === 6 ? c : i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const m = machine();
  return [
    `metacrawl bench — ${m.nproc} cores, ${m.cpu}, Node ${m.node}; ${m.pinning}; load average at start ${loadAtStart?.join(' ') ?? '?'}`,
    `farm: ${results.farm ? `${results.farm.hosts} hosts × ${results.farm.pages} pages, ${round(results.farm.meanBytes / 1024)} KB/page (${round(results.farm.meanGzipBytes / 1024)} KB gzip), pool of ${results.farm.pool} distinct pages; ceiling and crawl over its first ${SIZES.crawl} URLs (all hosts)` : 'not started'}`,
    fmt(head),
    fmt(head.map((_, i) => '-'.repeat(i === 6 ? 5 : widths[i]))),
    ...body.map(fmt),
    '',
    'CPU s/1k: CPU seconds per 1,000 pages (for extract: mean CPU ms/page). Figures, not pass/fail.',
  ].join('\n');
}

const loadAtStart = machine().loadavg;
const run = {
  ceiling,
  extract: extractPhase,
  user: userPhase,
  crawl: crawlPhase,
  fleet: fleetPhase,
  cores: coresPhase,
  growth: growthPhase,
  store: storePhase,
  submit: submitPhase,
  frontier: frontierPhase,
  latency: latencyPhase,
  strings: stringsPhase,
  explorer: explorerPhase,
  archive: archivePhase,
  million: millionPhase,
};
/** @type {Record<string, string>} */
const errors = {};
try {
  for (const name of PHASES) {
    if (!opts.only.includes(name)) continue;
    const t = performance.now();
    log(`— ${name}`);
    try {
      await run[name]();
    } catch (err) {
      errors[name] = /** @type {Error} */ (err).message;
      log(`${name} failed: ${errors[name]}`);
      rows.push({ what: `${name}: FAILED`, note: errors[name].split('\n')[0].slice(0, 200) });
    }
    log(`  (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  }
} finally {
  if (farm) {
    results.farm = {
      hosts: farm.origins.length,
      pages: farm.pages,
      pool: farm.pool,
      meanBytes: farm.meanBytes,
      meanGzipBytes: farm.meanGzipBytes,
    };
    await farm.stop();
  }
  redis.disconnect();
  await redisServer.stop();
  // A million run that failed or was stopped leaves its samples (million.json) and crawl log for a look.
  if (!opts.keep && !opts.profile && !errors.million) rmSync(work, { recursive: true, force: true });
  else log(`kept ${work}`);
}
const totalS = round((performance.now() - started) / 1000);
if (opts.json) {
  process.stdout.write(
    `${JSON.stringify({ machine: { ...machine(), loadavgAtStart: loadAtStart, pinned: CAN_PIN }, quick: opts.quick, totalS, results, errors }, null, 2)}\n`,
  );
} else {
  process.stdout.write(`${table()}\n(total ${totalS} s)\n`);
}
process.exit(Object.keys(errors).length > 0 ? 1 : 0);
