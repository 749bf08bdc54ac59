#!/usr/bin/env node
/**
 * What `--archive` costs a crawl, build against build: `metacrawl crawl` as a user runs it (private redis-server,
 * pinned to the client core) over a farm of distinct pages, with and without `--archive`, for each build given
 * (a worktree with its `dist/`), interleaved (the order rotating each round) so a machine whose load drifts weighs
 * on all alike. Per build and mode: medians of CPU ms/page (the crawl and its redis-server; the crawl alone) and
 * of pages/s (spawn to exit), and the with/without ratios. Figures, not pass/fail.
 *
 * Usage: node bench/archive-ab.js [--pages 2000] [--rounds 3] [--profile] name=<worktree> [name=<worktree> ...]
 * `--profile` runs every crawl under `node --cpu-prof` (profiles kept in the printed work dir; see
 * bench/profile-summary.js).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { farmUrls } from './farm.js';
import { CLIENT_CORE, pin, runMeasured, startFarmProcess, USER_CRAWL_FLAGS } from './lib.js';

const args = process.argv.slice(2);
let pages = 2000;
let rounds = 3;
let profile = false;
/** @type {{ name: string, dir: string }[]} */
const builds = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--pages') pages = Number(args[++i]);
  else if (a === '--rounds') rounds = Number(args[++i]);
  else if (a === '--profile') profile = true;
  else if (a.includes('=')) {
    const [name, dir] = a.split('=');
    builds.push({ name, dir: resolve(dir) });
  } else throw new Error(`unknown option ${a}`);
}
if (builds.length === 0)
  throw new Error('usage: node bench/archive-ab.js [--pages n] [--rounds n] name=<dir> ...');

const log = (/** @type {string} */ s) => process.stderr.write(`${s}\n`);
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
const median = (/** @type {number[]} */ xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const r2 = (/** @type {number} */ x) => Math.round(x * 100) / 100;

pin(process.pid, CLIENT_CORE);
const work = mkdtempSync(join(tmpdir(), 'metacrawl-archive-ab-'));
const hosts = Math.min(100, pages);
const perHost = Math.ceil(pages / hosts);
log(`work dir ${work}; farm of ${hosts} hosts × ${perHost} distinct pages`);
const farm = await startFarmProcess([
  ...['--hosts', String(hosts), '--pages', String(perHost), '--net', '127.0.3'],
  ...['--pool', String(hosts * perHost)],
]);
const urls = farmUrls(farm.origins, farm.pages, pages);
const seeds = join(work, 'seeds.txt');
writeFileSync(seeds, `${urls.join('\n')}\n`);

/** @type {{ build: string, archive: boolean, cpuMs: number, crawlCpuMs: number, rate: number, load: number, kbPerPage: number | null }[]} */
const runs = [];
let seq = 0;
try {
  for (let round = 0; round < rounds; round++) {
    const cells = builds.flatMap((b) => [false, true].map((archive) => ({ b, archive })));
    // Rotate the order each round.
    const order = cells.map((_, i) => cells[(i + round) % cells.length]);
    for (const { b, archive } of order) {
      const name = `ab-${b.name}-${archive ? 'on' : 'off'}-${seq++}`;
      const warc = join(work, `${name}-warc`);
      const db = join(work, `${name}.db`);
      const load = loadavg()[0];
      const r = await runMeasured(
        [
          `${b.dir}/bin/metacrawl.js`,
          'crawl',
          seeds,
          ...USER_CRAWL_FLAGS,
          ...['--no-progress', '--db', db, '--crawl', name, '--log-level', 'warn'],
          ...(archive ? ['--archive', warc] : []),
        ],
        {
          probeFile: join(work, `${name}.probe.json`),
          env: { BENCH_PROBE_REDIS: '0' },
          nodeFlags: profile ? ['--cpu-prof', '--cpu-prof-dir', join(work, `${name}-profile`)] : [],
        },
      );
      if (r.code !== 0) throw new Error(`${name} failed (${r.code}): ${r.stderr.slice(-800)}`);
      const p = r.probe;
      const cpuS = p.userCpuS + p.systemCpuS + (p.childrenCpuS ?? 0);
      const crawlCpuS = p.userCpuS + p.systemCpuS;
      let kbPerPage = null;
      if (archive) {
        let bytes = 0;
        for (const f of readdirSync(warc)) bytes += statSync(join(warc, f)).size;
        kbPerPage = r2(bytes / 1024 / pages);
        if (!profile) rmSync(warc, { recursive: true, force: true });
      }
      if (!profile) rmSync(db, { force: true });
      const run = {
        build: b.name,
        archive,
        cpuMs: r2((cpuS / pages) * 1000),
        crawlCpuMs: r2((crawlCpuS / pages) * 1000),
        rate: r2(pages / r.wallS),
        load,
        kbPerPage,
      };
      runs.push(run);
      log(JSON.stringify(run));
    }
  }
} finally {
  await farm.stop();
}

const out = builds.map((b) => {
  const of = (/** @type {boolean} */ archive) =>
    runs.filter((r) => r.build === b.name && r.archive === archive);
  const off = of(false);
  const on = of(true);
  const m = (/** @type {typeof runs} */ rs, /** @type {'cpuMs' | 'crawlCpuMs' | 'rate'} */ k) =>
    median(rs.map((r) => r[k]));
  return {
    build: b.name,
    offCpuMs: m(off, 'cpuMs'),
    onCpuMs: m(on, 'cpuMs'),
    extraCpuMs: r2(m(on, 'cpuMs') - m(off, 'cpuMs')),
    // The crawl process alone (its redis-server left out).
    offCrawlCpuMs: m(off, 'crawlCpuMs'),
    onCrawlCpuMs: m(on, 'crawlCpuMs'),
    offRate: m(off, 'rate'),
    onRate: m(on, 'rate'),
    rateRatio: r2((m(on, 'rate') / m(off, 'rate')) * 1000) / 1000,
    cpuRatio: r2((m(on, 'cpuMs') / m(off, 'cpuMs')) * 1000) / 1000,
    kbPerPage: median(on.map((r) => r.kbPerPage ?? 0)),
    loads: runs.filter((r) => r.build === b.name).map((r) => r.load),
  };
});
process.stdout.write(
  `${JSON.stringify({ pages, rounds, work: profile ? work : undefined, builds: out }, null, 1)}\n`,
);
if (!profile) rmSync(work, { recursive: true, force: true });
