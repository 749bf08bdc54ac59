#!/usr/bin/env node
/**
 * The re-crawl benchmark (standalone; not yet a phase of bench/run.js): crawl the farm with `metacrawl crawl`
 * (its private redis-server), change a known share of its pages (--meta % titles, --body % body-only), re-crawl
 * with --since, and print: pages/s of both crawls, bytes the farm sent, database growth per page of the re-crawl
 * (per table), and whether `metacrawl diff` finds exactly the pages whose metadata changed.
 *
 * Options: --hosts 20 --pages 100 --meta 10 --body 10 --no-validators (the farm sends no ETag/Last-Modified:
 * the hashes decide) --json. Needs `npm run build` (dist/) and redis-server on the PATH.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { farmUrls, parseFarmArgs, startFarm } from './farm.js';

const BIN = fileURLToPath(new URL('../bin/metacrawl.js', import.meta.url));
const o = { hosts: 20, pages: 100, meta: 10, body: 10, validators: true, json: false };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--hosts') o.hosts = Number(argv[++i]);
  else if (a === '--pages') o.pages = Number(argv[++i]);
  else if (a === '--meta') o.meta = Number(argv[++i]);
  else if (a === '--body') o.body = Number(argv[++i]);
  else if (a === '--no-validators') o.validators = false;
  else if (a === '--json') o.json = true;
  else throw new Error(`unknown option ${a}`);
}

function run(args) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`metacrawl ${args[0]} exited ${code}: ${err}`));
      else resolve({ out, wallS: (performance.now() - started) / 1000 });
    });
  });
}

function tableBytes(db) {
  const d = new Database(db, { readonly: true });
  try {
    return Object.fromEntries(
      d
        .prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name')
        .all()
        .map((r) => [r.name, r.bytes]),
    );
  } finally {
    d.close();
  }
}

const farmArgs = ['--hosts', String(o.hosts), '--pages', String(o.pages), '--net', '127.0.4', '--pool', '64'];
if (o.validators) farmArgs.push('--validators');
const farm = await startFarm(parseFarmArgs(farmArgs));
const dir = mkdtempSync(join(tmpdir(), 'mc-recrawl-bench-'));
const db = join(dir, 'r.db');
const seeds = join(dir, 'seeds.txt');
const urls = farmUrls(farm.origins, o.pages);
writeFileSync(seeds, `${urls.join('\n')}\n`);
const common = [
  '--db',
  db,
  '--allow-private',
  '--no-progress',
  '--host-rate',
  '0',
  '--host-concurrency',
  '0',
];
try {
  const first = await run(['crawl', seeds, '--crawl', 'first', ...common]);
  const sentFirst = farm.stats.bytesSent;
  const sizeFirst = statSync(db).size;
  const tablesFirst = tableBytes(db);
  farm.change(o.meta, o.body);
  const second = await run(['crawl', seeds, '--crawl', 'again', '--since', 'first', ...common]);
  const sentSecond = farm.stats.bytesSent - sentFirst;
  const tablesSecond = tableBytes(db);
  const growth = {};
  for (const [name, bytes] of Object.entries(tablesSecond)) {
    const d = bytes - (tablesFirst[name] ?? 0);
    if (d > 0) growth[name] = Math.round(d / urls.length);
  }
  const diff = JSON.parse((await run(['diff', 'first', 'again', '--db', db, '--format', 'json'])).out);
  const planted = new Set(
    urls.filter((u) => {
      const m = /^http:\/\/127\.0\.4\.(\d+):\d+\/issues\/(\d+)$/.exec(u);
      const k = (Number(m[1]) - 1) * o.pages + Number(m[2]);
      return k % 100 < o.meta;
    }),
  );
  const found = new Set(diff.pages.filter((p) => p.change === 'changed').map((p) => p.url));
  const exact = found.size === planted.size && [...found].every((u) => planted.has(u));
  const d = new Database(db, { readonly: true });
  const reasons = d
    .prepare(
      `SELECT coalesce(unchanged_reason, CASE unchanged WHEN 0 THEN 'changed' END) AS r, count(*) AS n FROM pages
       WHERE crawl_id = (SELECT id FROM crawls WHERE name = 'again') GROUP BY 1`,
    )
    .all();
  d.close();
  const result = {
    pages: urls.length,
    validators: o.validators,
    changedMetaPct: o.meta,
    changedBodyPct: o.body,
    first: { wallS: round(first.wallS), pagesPerS: round(urls.length / first.wallS), bytesSent: sentFirst },
    again: {
      wallS: round(second.wallS),
      pagesPerS: round(urls.length / second.wallS),
      bytesSent: sentSecond,
    },
    farm304: farm.stats.notModified,
    dbBytesFirstPerPage: Math.round(sizeFirst / urls.length),
    dbGrowthPerPageOfRecrawl: Math.round((statSync(db).size - sizeFirst) / urls.length),
    growthPerPageByTable: growth,
    rows: reasons,
    diff: { changed: found.size, planted: planted.size, exact },
  };
  if (o.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  await farm.close();
  rmSync(dir, { recursive: true, force: true });
}

function round(n) {
  return Math.round(n * 10) / 10;
}
