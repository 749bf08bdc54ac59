/**
 * Plumbing shared by the benchmark scripts: core pinning, the farm as a child process, measured child
 * processes (CPU, peak RSS and Redis round trips via bench/probe.js, an RSS timeline from /proc).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BIN = `${ROOT}bin/metacrawl.js`;
const PROBE = `${ROOT}bench/probe.js`;

export const HAS_TASKSET =
  process.platform === 'linux' && spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;
/** Pinning needs two cores: one for the farm (and Redis), one for the measured client. */
export const CAN_PIN = HAS_TASKSET && cpus().length >= 2;
export const FARM_CORE = 0;
export const CLIENT_CORE = 1;

/** The flags of the bench's `user` crawl: no per-host rate, 4 per host, loopback allowed, 128 in flight. */
export const USER_CRAWL_FLAGS = [
  '--host-rate',
  '0',
  '--host-concurrency',
  '4',
  '--allow-private',
  '--concurrency',
  '128',
];

/** Pins every thread of `pid` to `core` (no-op without taskset). */
export function pin(pid, core) {
  if (!CAN_PIN || pid === undefined) return false;
  return (
    spawnSync('taskset', ['-a', '-p', '-c', String(core), String(pid)], { stdio: 'ignore' }).status === 0
  );
}

/** `[cmd, ...args]` prefixed with taskset when pinning is possible; `core` may be a list like "0-1". */
export function pinned(core, cmd, args) {
  return CAN_PIN ? ['taskset', ['-c', String(core), cmd, ...args]] : [cmd, args];
}

/**
 * Starts bench/farm.js as its own process on the farm core; resolves with its ready line.
 * @param {string[]} args farm options
 */
export function startFarmProcess(args) {
  const [cmd, argv] = pinned(FARM_CORE, process.execPath, [`${ROOT}bench/farm.js`, ...args]);
  const child = spawn(cmd, argv, { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (/** @type {Buffer} */ d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      child.stdout.off('data', onData);
      const info = JSON.parse(out.slice(0, nl));
      resolve({
        ...info,
        pid: child.pid,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done(undefined);
            child.once('exit', () => done(undefined));
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`farm exited with ${code} before it was ready`)));
  });
}

/** @param {number} pid */
function procSample(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (/** @type {string} */ k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    // A process that has exited but not yet been reaped reports no memory: not a sample.
    const rssMb = kb('VmRSS') / 1024;
    return rssMb > 0 ? { rssMb, hwmMb: kb('VmHWM') / 1024 } : null;
  } catch {
    return null;
  }
}

/**
 * Runs `node [--import probe] <args>` on the client core (or `opts.core`; null = not pinned) and measures it.
 * @param {string[]} args node arguments (script first)
 * @param {{ env?: Record<string, string>, probeFile: string, onStart?: (child: import('node:child_process').ChildProcess) => void, nodeFlags?: string[], core?: number | null }} opts
 * @returns {Promise<{ code: number | null, stdout: string, stderr: string, wallS: number, probe: any, rss: { t: number, rssMb: number }[] }>}
 */
export function runMeasured(args, opts) {
  rmSync(opts.probeFile, { force: true });
  const nodeArgs = [...(opts.nodeFlags ?? []), '--import', PROBE, ...args];
  // Unpinned means every core again: a child inherits the affinity of this (pinned) process.
  const [cmd, argv] =
    opts.core === null
      ? pinned(`0-${cpus().length - 1}`, process.execPath, nodeArgs)
      : pinned(opts.core ?? CLIENT_CORE, process.execPath, nodeArgs);
  const started = performance.now();
  const child = spawn(cmd, argv, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env, BENCH_PROBE_FILE: opts.probeFile },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  /** @type {{ t: number, rssMb: number }[]} */
  const rss = [];
  const timer = setInterval(() => {
    const s = child.pid ? procSample(child.pid) : null;
    if (s) rss.push({ t: (performance.now() - started) / 1000, rssMb: s.rssMb });
  }, 250);
  opts.onStart?.(child);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearInterval(timer);
      const wallS = (performance.now() - started) / 1000;
      let probe = null;
      if (existsSync(opts.probeFile)) probe = JSON.parse(readFileSync(opts.probeFile, 'utf8'));
      resolve({ code, stdout, stderr, wallS, probe, rss });
    });
  });
}

/** @param {number[]} xs @param {number} q */
export function quantile(xs, q) {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

/** Parses `INFO commandstats` into {command: calls}. @param {string} info */
export function commandStats(info) {
  /** @type {Record<string, number>} */
  const out = {};
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out[m[1]] = Number(m[2]);
  return out;
}

/** @param {Record<string, number>} before @param {Record<string, number>} after */
export function statsDelta(before, after) {
  /** @type {Record<string, number>} */
  const d = {};
  for (const [k, v] of Object.entries(after)) {
    const n = v - (before[k] ?? 0);
    if (n > 0) d[k] = n;
  }
  return d;
}

export function machine() {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu;
  } catch {}
  let load = null;
  try {
    load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
  } catch {}
  return {
    nproc: cpus().length,
    cpu,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    pinning: CAN_PIN
      ? `farm + redis-server on core ${FARM_CORE}, measured client on core ${CLIENT_CORE} (taskset)`
      : 'none (taskset or a second core missing)',
    loadavg: load,
  };
}

/**
 * A page record as a worker publishes it for an HTML page fetched with a 200 at the first attempt, no redirect;
 * `fields` gives the rest (fetchedAt, elapsedMs, queuedMs, bytes, headers, meta) and may override any of these.
 * @param {string} crawl
 * @param {string} url
 * @param {Record<string, unknown>} fields
 */
export function fetchedPage(crawl, url, fields) {
  return {
    crawl,
    url,
    depth: 0,
    discoveredFrom: null,
    finalUrl: url,
    status: 200,
    contentType: 'text/html; charset=utf-8',
    error: null,
    errorDetail: null,
    attempts: 1,
    truncated: false,
    redirects: [],
    encoding: 'utf-8',
    lastmod: null,
    ...fields,
  };
}
