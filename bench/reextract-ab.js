#!/usr/bin/env node
/**
 * `metacrawl reextract --as` of several builds over one archived crawl, interleaved (A B A B …, the order rotating
 * each round), each run on a fresh copy of the database: pages/s as the command reports it, CPU ms per page of
 * the whole process (getrusage at exit, start-up included) and of each thread (/proc/<pid>/task/<tid>/stat,
 * sampled every 20 ms until exit): the main thread (reads and writes the rows), the extraction threads (the
 * busiest non-main threads, as many as it started) and the rest (GC helpers, the libuv pool). Medians per build,
 * with the load average at each run. On a loaded machine the CPU figures are the ones to read; the busiest
 * thread's CPU ms per page bounds the rate on free cores (1000 ÷ it).
 *
 * Usage: node bench/reextract-ab.js --db <file> --warc <dir> --crawl <name> [--rounds 3] [--workers auto]
 *        [--profile <dir>] name=<worktree>[:<node flag>,...] name=<worktree> ...
 * (each <worktree> with its dist/ built; the database is copied per run, never written.)
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
/** @type {{ db: string, warc: string, crawl: string, rounds: number, workers: string, profile: string | null, builds: { name: string, dir: string, flags: string[] }[] }} */
const o = { db: '', warc: '', crawl: '', rounds: 3, workers: 'auto', profile: null, builds: [] };
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--db') o.db = args[++i];
  else if (a === '--warc') o.warc = args[++i];
  else if (a === '--crawl') o.crawl = args[++i];
  else if (a === '--rounds') o.rounds = Number(args[++i]);
  else if (a === '--workers') o.workers = args[++i];
  else if (a === '--profile') o.profile = args[++i];
  else if (a.includes('=')) {
    // name=<worktree>[:<node flag>,<node flag>...]: the same build under other V8 flags is another variant.
    const name = a.slice(0, a.indexOf('='));
    const spec = a.slice(a.indexOf('=') + 1);
    const dir = spec.split(':')[0];
    const flags = spec.slice(dir.length + 1);
    o.builds.push({ name, dir, flags: flags ? flags.split(',') : [] });
  } else throw new Error(`unknown argument ${a}`);
}
if (!o.db || !o.warc || !o.crawl || o.builds.length === 0)
  throw new Error('usage: reextract-ab.js --db <file> --warc <dir> --crawl <name> name=<worktree> ...');

const TICK = 100; // USER_HZ
const loadavg = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
const median = (/** @type {number[]} */ xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const r2 = (/** @type {number} */ x) => Math.round(x * 100) / 100;

/** CPU seconds of each thread of `pid`, by tid. */
function threadCpu(/** @type {number} */ pid) {
  /** @type {Map<number, number>} */
  const out = new Map();
  let tids;
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const t of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(t), (Number(f[11]) + Number(f[12])) / TICK);
    } catch {}
  }
  return out;
}

const work = mkdtempSync(join(tmpdir(), 'reextract-ab-'));

/** One run of a build: its figures. */
async function runOnce(
  /** @type {{ name: string, dir: string, flags: string[] }} */ b,
  /** @type {number} */ round,
) {
  const db = join(work, `${b.name}-${round}.db`);
  copyFileSync(o.db, db);
  const probe = join(work, `${b.name}-${round}.probe.json`);
  const load = loadavg();
  const flags = o.profile ? ['--cpu-prof', '--cpu-prof-dir', join(o.profile, `${b.name}-${round}`)] : [];
  const child = spawn(
    process.execPath,
    [
      '--import',
      new URL('./probe.js', import.meta.url).pathname,
      ...flags,
      ...b.flags,
      join(b.dir, 'bin/metacrawl.js'),
      'reextract',
      '--crawl',
      o.crawl,
      '--from-archive',
      o.warc,
      '--as',
      `${o.crawl}-ab-${b.name}-${round}`,
      '--db',
      db,
      '--workers',
      o.workers,
    ],
    {
      env: { ...process.env, BENCH_PROBE_FILE: probe, BENCH_PROBE_REDIS: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  /** @type {Map<number, number>} */
  const last = new Map();
  const pid = /** @type {number} */ (child.pid);
  const timer = setInterval(() => {
    for (const [t, s] of threadCpu(pid)) last.set(t, s);
  }, 20);
  const t0 = performance.now();
  const code = await new Promise((resolve) => child.on('exit', resolve));
  const wallS = (performance.now() - t0) / 1000;
  clearInterval(timer);
  if (code !== 0) throw new Error(`${b.name}: reextract failed (${code}): ${stderr.slice(-800)}`);
  const pages = Number(/: (\d+) pages extracted again/.exec(stdout)?.[1] ?? Number.NaN);
  const rate = Number(/\((\d+) pages\/s\)/.exec(stdout)?.[1] ?? Number.NaN);
  const threads = Number(/extracting on (\d+) thread/.exec(stderr)?.[1] ?? 0);
  const p = JSON.parse(readFileSync(probe, 'utf8'));
  const cpuS = p.userCpuS + p.systemCpuS;
  const mainS = last.get(pid) ?? 0;
  const others = [...last.entries()]
    .filter(([t]) => t !== pid)
    .map(([, s]) => s)
    .sort((a, b) => b - a);
  const extractS = others.slice(0, threads).reduce((a, s) => a + s, 0);
  const busiestExtractS = others[0] ?? 0;
  const restS = others.slice(threads).reduce((a, s) => a + s, 0);
  rmSync(db, { force: true });
  if (process.env.AB_THREADS)
    process.stderr.write(`threads (CPU s): main ${mainS}, others ${others.join(' ')}\n`);
  const ms = (/** @type {number} */ s) => r2((s / pages) * 1000);
  return {
    pages,
    rate,
    wallRate: Math.round(pages / wallS),
    cpu: ms(cpuS),
    main: ms(mainS),
    extract: threads > 0 ? ms(extractS) : 0,
    busiest: Math.max(ms(mainS), threads > 0 ? ms(busiestExtractS) : 0),
    rest: ms(restS),
    rss: Math.round(p.maxRssMb),
    load,
  };
}

/** @type {Record<string, any[]>} */
const runs = Object.fromEntries(o.builds.map((b) => [b.name, []]));
for (let round = 0; round < o.rounds; round++) {
  const order = o.builds.map((_, i) => o.builds[(i + round) % o.builds.length]);
  for (const b of order) {
    const r = await runOnce(b, round);
    runs[b.name].push(r);
    process.stderr.write(`${b.name} #${round}: ${JSON.stringify(r)}\n`);
  }
}
const keys = /** @type {const} */ (['rate', 'wallRate', 'cpu', 'main', 'extract', 'busiest', 'rest', 'rss']);
const summary = Object.fromEntries(
  Object.entries(runs).map(([name, rs]) => [
    name,
    {
      ...Object.fromEntries(keys.map((k) => [k, median(rs.map((r) => r[k]))])),
      loads: rs.map((r) => r.load),
    },
  ]),
);
console.log(JSON.stringify(summary, null, 1));
rmSync(work, { recursive: true, force: true });
