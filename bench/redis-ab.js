#!/usr/bin/env node
/**
 * What Redis costs per page, build against build: `metacrawl crawl --redis <private>` of the farm's pages, the
 * crawl and a fresh redis-server both on the client core (as `user` runs them), each build in turn, the order
 * rotating each round. Per run: the crawl's CPU ms/page, the redis-server's CPU ms/page, and from
 * `INFO commandstats` the server's µs per page by command (EVALSHA's total includes the commands its scripts
 * call, which are also listed on their own) and calls per page. Medians per build, ratios to the first build.
 * The redis-server is started as `crawl` starts its own (AOF on). See bench/README.md for --slowlog and --perf.
 *
 *   node bench/redis-ab.js [--pages 5000] [--rounds 3] [--json] [--commands] [--slowlog] [--perf] name=<worktree> ...
 *
 * Each <worktree> needs its dist/ (npm run build). Not part of `npm run bench`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { farmUrls } from './farm.js';
import { CLIENT_CORE, pin, ROOT, runMeasured, startFarmProcess, USER_CRAWL_FLAGS } from './lib.js';

const args = process.argv.slice(2);
const opt = (/** @type {string} */ name, /** @type {number} */ dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const PAGES = opt('--pages', 5000);
const ROUNDS = opt('--rounds', 3);
const JSON_OUT = args.includes('--json');
const SHOW_COMMANDS = args.includes('--commands');
// --perf: `perf record` the redis-server of each run (cpu-clock samples), files kept in the work dir.
const PERF = args.includes('--perf');
// --slowlog: every command's duration (slowlog-log-slower-than 0), EVALSHA told apart by its key count and first
// key: median and total µs per page of each script (wall time inside Redis: preemption included).
const SLOWLOG = args.includes('--slowlog');
const builds = args
  .filter((a) => /^[^-][^=]*=/.test(a))
  .map((a) => {
    const i = a.indexOf('=');
    return { name: a.slice(0, i), dir: a.slice(i + 1).replace(/\/$/, '') };
  });
if (builds.length === 0) {
  process.stderr.write('usage: node bench/redis-ab.js [--pages n] [--rounds n] name=<worktree> ...\n');
  process.exit(2);
}

const log = (/** @type {string} */ s) => process.stderr.write(`${s}\n`);
const work = mkdtempSync(join(tmpdir(), 'metacrawl-redis-ab-'));
const { startPrivateRedis, connectRedis, disconnectRedis } = await import(
  pathToFileURL(`${ROOT}dist/redis.js`).href
);

/** @param {number} pid */
function procCpuS(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** @param {string} info */
function usecStats(info) {
  /** @type {Record<string, { calls: number, usec: number }>} */
  const out = {};
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm))
    out[m[1]] = { calls: Number(m[2]), usec: Number(m[3]) };
  return out;
}

const farm = await startFarmProcess(['--hosts', '100', '--pages', String(Math.ceil(PAGES / 100))]);
const urls = farmUrls(farm.origins, farm.pages, PAGES);
const seeds = join(work, 'seeds.txt');
writeFileSync(seeds, `${urls.join('\n')}\n`);

/** @param {{ name: string, dir: string }} b @param {number} round */
async function runOnce(b, round) {
  const rdir = join(work, `redis-${b.name}-${round}`);
  const server = await startPrivateRedis(rdir);
  pin(server.process.pid, CLIENT_CORE);
  const redis = connectRedis(server.url);
  await redis.config('RESETSTAT');
  if (SLOWLOG) {
    await redis.config('SET', 'slowlog-max-len', '400000');
    await redis.config('SET', 'slowlog-log-slower-than', '0');
    await redis.slowlog('RESET');
  }
  const load = loadavg()[0];
  const cpu0 = procCpuS(server.process.pid);
  const perf = PERF
    ? spawn(
        'perf',
        [
          'record',
          '-q',
          '-e',
          'cpu-clock',
          '-F',
          '4000',
          '-p',
          String(server.process.pid),
          '-o',
          join(work, `perf-${b.name}-${round}.data`),
        ],
        { stdio: 'ignore' },
      )
    : null;
  const db = join(work, `${b.name}-${round}.db`);
  const child = await runMeasured(
    [
      `${b.dir}/bin/metacrawl.js`,
      'crawl',
      seeds,
      ...USER_CRAWL_FLAGS,
      '--no-progress',
      '--db',
      db,
      '--crawl',
      'ab',
      '--redis',
      server.url,
      '--log-level',
      'warn',
    ],
    { probeFile: join(work, `${b.name}-${round}.probe.json`) },
  );
  if (child.code !== 0) throw new Error(`${b.name} failed: ${child.stderr.slice(-800)}`);
  const serverCpuS = procCpuS(server.process.pid) - cpu0;
  if (perf) {
    const exited = new Promise((resolve) => perf.once('exit', resolve));
    perf.kill('SIGINT');
    await exited;
  }
  const stats = usecStats(await redis.info('commandstats'));
  const scripts = SLOWLOG ? scriptTimes(/** @type {any[]} */ (await redis.slowlog('GET', '-1'))) : null;
  delete stats.info;
  delete stats['config|resetstat'];
  disconnectRedis(redis);
  await server.stop();
  rmSync(rdir, { recursive: true, force: true });
  rmSync(db, { force: true });
  const p = child.probe;
  const n = PAGES;
  const usecPerPage = Object.values(stats).reduce((a, s) => a + (s.calls > 0 ? s.usec : 0), 0);
  return {
    build: b.name,
    round,
    load: Math.round(load * 100) / 100,
    pagesPerS: n / child.wallS,
    crawlCpuMsPerPage: ((p.userCpuS + p.systemCpuS) / n) * 1000,
    serverCpuMsPerPage: (serverCpuS / n) * 1000,
    evalshaUsPerPage: (stats.evalsha?.usec ?? 0) / n,
    roundTripsPerPage: p.redis.roundTrips / n,
    clientCommandsPerPage: p.redis.commands / n,
    stats,
    usecPerPage,
    scripts,
  };
}

/** @param {any[]} entries SLOWLOG GET replies: [id, time, µs, args, ...] */
function scriptTimes(entries) {
  /** @type {Map<string, number[]>} */
  const by = new Map();
  for (const e of entries) {
    const a = /** @type {string[]} */ (Array.isArray(e[3]) ? e[3] : []).map(String);
    let name = (a[0] ?? '?').toLowerCase();
    if (name === 'evalsha' || name === 'eval') {
      const nk = Number(a[2]);
      const k1 = (a[3] ?? '')
        .replace(/^[^:]*:/, '')
        .replace(/:[^:]*$/, ':*')
        .replace(/\d+/g, '#');
      // gate-batch.lua: as many keys as its steps have.
      name = k1 === 'host:*' && nk !== 4 && nk !== 2 ? `${name} gate-batch host:*` : `${name} ${nk} ${k1}`;
    }
    if (!by.has(name)) by.set(name, []);
    by.get(name)?.push(Number(e[2]));
  }
  /** @type {Record<string, { calls: number, usTotal: number, usMedian: number }>} */
  const out = {};
  for (const [k, xs] of by) {
    xs.sort((x, y) => x - y);
    out[k] = {
      calls: xs.length,
      usTotal: xs.reduce((x, y) => x + y, 0),
      usMedian: xs[Math.floor(xs.length / 2)],
    };
  }
  return out;
}

const med = (/** @type {number[]} */ xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const runs = [];
for (let r = 0; r < ROUNDS; r++) {
  const order = builds.map((_, i) => builds[(i + r) % builds.length]);
  for (const b of order) {
    const x = await runOnce(b, r);
    runs.push(x);
    log(
      `${b.name} round ${r}: ${x.pagesPerS.toFixed(0)} pages/s, crawl ${x.crawlCpuMsPerPage.toFixed(3)} ms/page, redis-server ${x.serverCpuMsPerPage.toFixed(3)} ms/page, evalsha ${x.evalshaUsPerPage.toFixed(1)} us/page, ${x.roundTripsPerPage.toFixed(2)} round trips/page, load ${x.load}`,
    );
  }
}
await farm.stop();

const summary = builds.map((b) => {
  const rs = runs.filter((x) => x.build === b.name);
  /** @param {(x: any) => number} f */
  const m = (f) => med(rs.map(f));
  /** @type {Record<string, { callsPerPage: number, usPerPage: number, usPerCall: number }>} */
  const commands = {};
  for (const k of new Set(rs.flatMap((x) => Object.keys(x.stats)))) {
    const calls = m((x) => (x.stats[k]?.calls ?? 0) / PAGES);
    const us = m((x) => (x.stats[k]?.usec ?? 0) / PAGES);
    commands[k] = { callsPerPage: calls, usPerPage: us, usPerCall: calls ? us / calls : 0 };
  }
  return {
    build: b.name,
    runs: rs.length,
    pagesPerS: m((x) => x.pagesPerS),
    crawlCpuMsPerPage: m((x) => x.crawlCpuMsPerPage),
    serverCpuMsPerPage: m((x) => x.serverCpuMsPerPage),
    totalCpuMsPerPage: m((x) => x.crawlCpuMsPerPage + x.serverCpuMsPerPage),
    evalshaUsPerPage: m((x) => x.evalshaUsPerPage),
    roundTripsPerPage: m((x) => x.roundTripsPerPage),
    clientCommandsPerPage: m((x) => x.clientCommandsPerPage),
    loads: rs.map((x) => x.load),
    commands,
  };
});
if (JSON_OUT) process.stdout.write(`${JSON.stringify({ pages: PAGES, summary, runs }, null, 1)}\n`);
else {
  const base = summary[0];
  for (const s of summary) {
    const ratio = (/** @type {keyof typeof s} */ k) =>
      s === base ? '' : ` (${(/** @type {number} */ (s[k]) / /** @type {number} */ (base[k])).toFixed(3)}x)`;
    console.log(
      `${s.build}: ${s.pagesPerS.toFixed(0)} pages/s${ratio('pagesPerS')}, crawl ${s.crawlCpuMsPerPage.toFixed(3)} ms/page${ratio('crawlCpuMsPerPage')}, redis-server ${s.serverCpuMsPerPage.toFixed(3)}${ratio('serverCpuMsPerPage')}, both ${s.totalCpuMsPerPage.toFixed(3)}${ratio('totalCpuMsPerPage')}, evalsha ${s.evalshaUsPerPage.toFixed(1)} us/page${ratio('evalshaUsPerPage')}, ${s.roundTripsPerPage.toFixed(2)} round trips/page, loads ${s.loads.join(' ')}`,
    );
    if (SLOWLOG) {
      const last = runs.filter((x) => x.build === s.build).at(-1);
      const rows = Object.entries(last?.scripts ?? {}).sort((a, b) => b[1].usTotal - a[1].usTotal);
      for (const [k, v] of rows)
        if (v.calls / PAGES >= 0.005)
          console.log(
            `   ${k.padEnd(40)} ${(v.calls / PAGES).toFixed(3).padStart(7)} calls/page ${(v.usTotal / PAGES).toFixed(2).padStart(7)} us/page  median ${v.usMedian} us`,
          );
    }
    if (SHOW_COMMANDS) {
      const rows = Object.entries(s.commands).sort((a, b) => b[1].usPerPage - a[1].usPerPage);
      for (const [k, v] of rows)
        if (v.callsPerPage >= 0.005)
          console.log(
            `   ${k.padEnd(18)} ${v.callsPerPage.toFixed(2).padStart(6)} calls/page ${v.usPerPage.toFixed(2).padStart(7)} us/page ${v.usPerCall.toFixed(2).padStart(6)} us/call`,
          );
    }
  }
}
if (PERF) log(`perf files kept in ${work}`);
else rmSync(work, { recursive: true, force: true });
