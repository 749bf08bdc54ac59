#!/usr/bin/env node
/**
 * Times the site audit over an existing database (e.g. one made by bench/audit-db.js), each measurement in a
 * fresh process (a cold statement cache, the OS page cache warm) stopped after `--timeout` seconds:
 *   - per check, `runAudit` of that check alone with `--limit 50` (the explorer's first page of findings, with
 *     its count), wall and CPU ms;
 *   - `metacrawl audit --format json --limit 100` (every check), wall time from spawn to exit;
 *   - the explorer's Audit tab (`/crawl/<name>/audit`) and one check's first page, first request after start
 *     and the same again (warm), over HTTP.
 * The load average is printed with every figure.
 * Usage: node bench/audit-time.js --db <file> [--crawl audit] [--timeout 120] [--only checks,cli,serve]
 *        [--check id,...] [--dist <dir>] [--json]   (--dist: another worktree's build, default this one)
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './lib.js';

const arg = (/** @type {string} */ name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const dbPath = arg('--db');
if (!dbPath) throw new Error('usage: node bench/audit-time.js --db <file> [--crawl name]');
const crawl = arg('--crawl') ?? 'audit';
const timeoutS = Number(arg('--timeout') ?? 120);
const only = (arg('--only') ?? 'checks,cli,serve').split(',');
const base = resolve(arg('--dist') ?? ROOT);
const dist = (/** @type {string} */ p) => pathToFileURL(`${base}/dist/${p}`).href;
const load = () => loadavg()[0].toFixed(1);

/** Runs `node -e code` (ESM) and returns its last stdout line parsed as JSON, or null when it timed out. */
function child(/** @type {string} */ code, /** @type {string[]} */ args = []) {
  return new Promise((done, fail) => {
    const p = spawn(process.execPath, ['--input-type=module', '-e', code, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
    });
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutS * 1000);
    p.on('error', fail);
    p.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) return done(null);
      done(JSON.parse(out.trim().split('\n').at(-1) ?? 'null'));
    });
  });
}

const CHECK = `
import { openReadOnlyDb, runAudit } from ${JSON.stringify(dist('store/index.js'))};
const [db, crawl, id] = process.argv.slice(-3);
const d = openReadOnlyDb(db);
const cpu = process.cpuUsage();
const t = performance.now();
const [r] = runAudit(d, crawl, { checks: [id], limit: 50 }).checks;
const c = process.cpuUsage(cpu);
console.log(JSON.stringify({ count: r.count, items: r.items.length, ms: Math.round(performance.now() - t), cpuMs: Math.round((c.user + c.system) / 1000) }));
`;

const SERVE = `
import { startExplorer } from ${JSON.stringify(dist('serve/index.js'))};
const [db, crawl, check] = process.argv.slice(-3);
const e = await startExplorer({ dbPath: db, port: 0 });
const get = async (path) => {
  const t = performance.now();
  const res = await fetch(new URL(path, e.url));
  await res.text();
  if (res.status !== 200) throw new Error(path + ' ' + res.status);
  return Math.round(performance.now() - t);
};
const c = '/crawl/' + encodeURIComponent(crawl) + '/audit';
const out = {};
out.tab = await get(c);
out.tabWarm = await get(c);
out.check = await get(c + '/' + check);
out.checkPage2 = await get(c + '/' + check + '?page=2');
await e.close();
console.log(JSON.stringify(out));
`;

const results = { db: dbPath, crawl, checks: [], cli: null, serve: null };
const say = (/** @type {string} */ s) => {
  if (!process.argv.includes('--json')) process.stdout.write(`${s}\n`);
};

if (only.includes('checks')) {
  const ids =
    arg('--check')?.split(',') ??
    (await child(
      `import { openReadOnlyDb, auditChecks } from ${JSON.stringify(dist('store/index.js'))};
     console.log(JSON.stringify(auditChecks(openReadOnlyDb(process.argv.at(-1))).map((c) => c.id)));`,
      [dbPath],
    ));
  for (const id of ids) {
    const l = load();
    const r = await child(CHECK, [dbPath, crawl, id]);
    results.checks.push({ id, load: l, ...(r ?? { timedOut: timeoutS }) });
    say(
      r
        ? `${id.padEnd(26)} ${String(r.count).padStart(8)} findings  ${String(r.ms).padStart(7)} ms (${r.cpuMs} CPU ms)  load ${l}`
        : `${id.padEnd(26)} > ${timeoutS} s (stopped)  load ${l}`,
    );
  }
}

if (only.includes('cli')) {
  const l = load();
  const t = performance.now();
  const ok = await new Promise((done) => {
    const p = spawn(
      process.execPath,
      [
        `${base}/bin/metacrawl.js`,
        'audit',
        '--db',
        dbPath,
        '--crawl',
        crawl,
        '--format',
        'json',
        '--limit',
        '100',
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutS * 1000 * 3);
    p.on('exit', (code) => {
      clearTimeout(timer);
      done(code === 0);
    });
  });
  results.cli = { ms: Math.round(performance.now() - t), ok, load: l };
  say(
    `metacrawl audit --format json --limit 100: ${ok ? '' : 'FAILED or stopped after '}${results.cli.ms} ms  load ${l}`,
  );
}

if (only.includes('serve')) {
  const l = load();
  const check = arg('--serve-check') ?? 'broken-links';
  const r = await new Promise((done) => {
    const saved = timeoutS;
    done(child(SERVE, [dbPath, crawl, check]).then((x) => x ?? { timedOut: saved * 1 }));
  });
  results.serve = { load: l, check, ...r };
  say(`explorer: ${JSON.stringify(results.serve)}`);
}

if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
