#!/usr/bin/env node
/**
 * `WarcArchive.write` alone, build against build, in one process: the farm's pages (bench/page.js, gzipped as
 * the farm sends them) as captured exchanges, written in batches of concurrent pages, the builds taking turns
 * batch by batch (the order rotating), each into its own directory. CPU µs per page (process.cpuUsage: every
 * thread, libuv's file writes included), median over batches, per build: the comparison that holds on a busy
 * shared machine. Figures, not pass/fail.
 *
 * Usage: node bench/archive-write-ab.js [--pages 200] [--batches 40] [--batch 64] [--identity] [--callgrind]
 *        name=<worktree> [name=<worktree> ...]
 * `--identity`: bodies sent without Content-Encoding (deflated into the archive instead of stored).
 * `--callgrind`: each build runs alone under `valgrind --tool=callgrind`, twice (every batch, then the warm-up
 * batches alone), and the difference is divided by the pages timed: instructions per page (user space, every
 * thread), which do not depend on the machine's load.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { renderIssuePage } from './page.js';

const args = process.argv.slice(2);
let pages = 200;
let batches = 40;
let batch = 64;
let identity = false;
let callgrind = false;
/** @type {{ name: string, dir: string }[]} */
const builds = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--pages') pages = Number(args[++i]);
  else if (a === '--batches') batches = Number(args[++i]);
  else if (a === '--batch') batch = Number(args[++i]);
  else if (a === '--identity') identity = true;
  else if (a === '--callgrind') callgrind = true;
  else if (a.includes('=')) {
    const [name, dir] = a.split('=');
    builds.push({ name, dir: resolve(dir) });
  } else throw new Error(`unknown option ${a}`);
}
if (builds.length === 0) throw new Error('usage: node bench/archive-write-ab.js [options] name=<dir> ...');

/** The first batches warm the JIT up: not timed. */
const WARM = 3;

if (callgrind) {
  for (const b of builds) {
    const instructions = (/** @type {number} */ n) => {
      const dir = mkdtempSync(join(tmpdir(), 'archive-write-cg-'));
      try {
        const out = join(dir, 'cg.out');
        execFileSync(
          'valgrind',
          [
            ...['--tool=callgrind', `--callgrind-out-file=${out}`, '--smc-check=all-non-file'],
            ...[process.execPath, fileURLToPath(import.meta.url)],
            ...['--pages', String(pages), '--batches', String(n), '--batch', String(batch)],
            ...(identity ? ['--identity'] : []),
            `${b.name}=${b.dir}`,
          ],
          { stdio: ['ignore', 'ignore', 'ignore'] },
        );
        const text = readFileSync(out, 'utf8');
        return Number((/^summary: (\d+)/m.exec(text) ?? /^totals: (\d+)/m.exec(text))?.[1]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
    const per = (instructions(batches) - instructions(WARM)) / ((batches - WARM) * batch);
    process.stdout.write(
      `${b.name}\t${identity ? 'identity' : 'gzip'}\t${Math.round(per / 1000)} k instructions/page\n`,
    );
  }
  process.exit(0);
}

const bodies = Array.from({ length: pages }, (_, i) => {
  const html = Buffer.from(renderIssuePage(i));
  return { html, gz: gzipSync(html) };
});

/** A fetch of page i as the fetcher captures it from the farm. */
function exchange(/** @type {number} */ i) {
  const page = bodies[i % pages];
  // Every payload distinct (no identical-payload revisits): a gzip header's MTIME, a comment after the HTML.
  const html = identity ? Buffer.concat([page.html, Buffer.from(`<!-- ${i} -->`)]) : page.html;
  const wire = identity ? null : Buffer.from(page.gz);
  wire?.writeUInt32LE(i + 1, 4);
  /** @type {Array<[string, string]>} */
  const responseHeaders = [
    ['content-type', 'text/html; charset=utf-8'],
    ['content-length', String((wire ?? html).length)],
    ['cache-control', 'max-age=0, private, must-revalidate'],
    ['vary', 'X-PJAX, X-PJAX-Container, Turbo-Visit, Turbo-Frame, Accept-Encoding, Accept, X-Requested-With'],
    ['x-frame-options', 'deny'],
    ['x-content-type-options', 'nosniff'],
    ['referrer-policy', 'no-referrer-when-downgrade'],
    ...(identity ? [] : /** @type {Array<[string, string]>} */ ([['content-encoding', 'gzip']])),
    ['date', new Date().toUTCString()],
    ['connection', 'keep-alive'],
    ['keep-alive', 'timeout=5'],
  ];
  return {
    url: `http://127.0.3.${(i % 100) + 1}/issues/${Math.floor(i / 100)}`,
    date: new Date().toISOString(),
    requestHeaders: {
      'user-agent': 'metacrawl/0.1 (+https://example.invalid/bot)',
      accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8',
      'accept-encoding': 'gzip, deflate, br',
    },
    status: 200,
    responseHeaders,
    body: html,
    wire,
    truncated: false,
    remoteAddress: `127.0.3.${(i % 100) + 1}`,
  };
}

const work = mkdtempSync(join(tmpdir(), 'metacrawl-archive-write-ab-'));
const archives = [];
for (const b of builds) {
  const { WarcArchive } = await import(pathToFileURL(`${b.dir}/dist/archive/index.js`).href);
  archives.push({
    name: b.name,
    archive: new WarcArchive({ dir: join(work, b.name), workerId: 'ab', software: 'bench' }),
    /** @type {number[]} */
    us: [],
  });
}

let next = 0;
for (let n = 0; n < batches; n++) {
  const order = archives.map((_, i) => archives[(i + n) % archives.length]);
  for (const a of order) {
    // The same pages for every build in a round; distinct pages across rounds (no identical-payload revisits).
    const exs = Array.from({ length: batch }, (_, i) => exchange(next + i));
    const cpu0 = process.cpuUsage();
    await Promise.all(exs.map((ex) => a.archive.write([ex])));
    const cpu = process.cpuUsage(cpu0);
    if (n >= WARM) a.us.push((cpu.user + cpu.system) / batch);
  }
  next += batch;
}
for (const a of archives) await a.archive.close();
const median = (/** @type {number[]} */ xs) => {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
};
const out = archives.map((a) => ({
  build: a.name,
  cpuUsPerPage: Math.round(median(a.us)),
  bytesPerPage: Math.round(a.archive.stats.bytes / (batches * batch)),
}));
process.stdout.write(`${JSON.stringify({ identity, batch, batches, builds: out })}\n`);
rmSync(work, { recursive: true, force: true });
