#!/usr/bin/env node
/**
 * The fixed costs of `metacrawl crawl` as the `user` phase of bench/run.js runs it (its private redis-server, both
 * on the client core, the farm on the other), for several builds in turn (A B B A …) over one farm:
 *
 *   node bench/fixed-costs.js [--pages 5000] [--runs 4] name=<worktree> name=<worktree> ...
 *
 * Per run and as medians per build: wall time from spawn to exit; `start`, spawn to the first request; `to500`,
 * the first request to 500 requests done (how fast the crawl reaches its pace); `span`, first request to last one
 * done; `end`, the last request done to exit (the store's last rows, the end-of-crawl index build, shutdown); and
 * the crawl process's CPU up to its first request (`cpuStart`) and after its last (`cpuEnd`), the figures to trust
 * on a loaded machine (bench/fixed-probe.js). Each worktree needs its `dist/`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { farmUrls } from './farm.js';
import { CLIENT_CORE, machine, pinned, ROOT, startFarmProcess, USER_CRAWL_FLAGS } from './lib.js';

const o = { pages: 5000, runs: 4 };
/** @type {[string, string][]} */
const builds = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i].includes('=')) {
    const [name, dir] = argv[i].split('=');
    builds.push([name, dir]);
    continue;
  }
  const k = argv[i].replace(/^--/, '');
  if (!(k in o)) throw new Error(`unknown option ${argv[i]}`);
  /** @type {Record<string, number>} */ (o)[k] = Number(argv[++i]);
}
if (builds.length === 0) throw new Error('name one build or more: name=<worktree>');

const farm = await startFarmProcess(['--hosts', '100', '--pages', String(Math.ceil(o.pages / 100))]);
const work = mkdtempSync(join(tmpdir(), 'metacrawl-fixed-'));
const seeds = join(work, 'seeds.txt');
writeFileSync(seeds, `${farmUrls(farm.origins, farm.pages, o.pages).join('\n')}\n`);
console.error(`${machine().pinning}; ${o.pages} pages, ${o.runs} runs per build`);

const FIELDS = ['wall', 'start', 'to500', 'span', 'end', 'cpuStart', 'cpuEnd', 'cpu'];
/** @type {Record<string, Record<string, number>[]>} */
const results = Object.fromEntries(builds.map(([name]) => [name, []]));
let n = 0;
for (let round = 0; round < o.runs; round++) {
  for (const [name, dir] of round % 2 ? [...builds].reverse() : builds) {
    const db = join(work, `run${n}.db`);
    const probe = join(work, `run${n++}.json`);
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
    const args = [
      ...['--import', `${ROOT}bench/fixed-probe.js`, join(dir, 'bin/metacrawl.js'), 'crawl', seeds],
      ...USER_CRAWL_FLAGS,
      ...['--no-progress', '--db', db, '--crawl', 'fixed', '--log-level', 'warn'],
    ];
    const [cmd, cmdArgs] = pinned(CLIENT_CORE, process.execPath, args);
    const t0 = performance.now();
    const child = spawn(cmd, cmdArgs, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, FIXED_PROBE_FILE: probe },
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    const wall = performance.now() - t0;
    if (code !== 0) throw new Error(`${name}: crawl failed (${code}): ${stderr.slice(-500)}`);
    const p = JSON.parse(readFileSync(probe, 'utf8'));
    const at500 = p.samples.find((/** @type {number[]} */ s) => s[2] >= 500)?.[0] ?? Number.NaN;
    const r = {
      wall,
      start: p.firstRequest,
      to500: at500 - p.firstRequest,
      span: p.lastDone - p.firstRequest,
      end: wall - p.lastDone,
      cpuStart: p.firstCpu,
      cpuEnd: p.exitCpu - p.lastCpu,
      cpu: p.exitCpu,
    };
    results[name].push(r);
    const shown = Object.entries(r).map(([k, v]) => `${k} ${Math.round(v)}`);
    console.log(`${name.padEnd(8)} ${shown.join('  ')}  (load ${load})`);
    rmSync(`${db}.redis`, { recursive: true, force: true });
  }
}
const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`medians (ms) over ${o.runs} runs each:`);
for (const [name, rs] of Object.entries(results))
  console.log(
    `${name.padEnd(8)} ${FIELDS.map((f) => `${f} ${Math.round(median(rs.map((r) => r[f])))}`).join('  ')}`,
  );
await farm.stop();
rmSync(work, { recursive: true, force: true });
