#!/usr/bin/env node
/**
 * Crawlee's CheerioCrawler over the bench farm, next to `metacrawl crawl` in the same run (issue 14 compares the
 * two). Crawlee is not a dependency of metacrawl: install it somewhere else and point this script at it.
 *
 *   npm install --prefix /tmp/crawlee crawlee@3
 *   node bench/crawlee.js [--crawlee /tmp/crawlee] [--pages 5000] [--runs 1]
 *
 * The farm runs on core 0 (as in bench/run.js); each crawler runs on core 1 with what it needs (metacrawl with its
 * private redis-server, as the `user` phase runs it; Crawlee with its in-memory storage, at most 128 requests at once), wall time from spawn to
 * exit. Crawlee's handler takes what metacrawl stores of a page: title, every meta tag, canonical, links with their
 * text, JSON-LD parsed — pushed to its dataset (in memory: no disk writes). The two crawlers alternate.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { farmUrls } from './farm.js';
import { BIN, CLIENT_CORE, machine, pinned, startFarmProcess, USER_CRAWL_FLAGS } from './lib.js';

const o = { crawlee: '/tmp/crawlee', pages: 5000, runs: 1 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const k = argv[i].replace(/^--/, '');
  if (!(k in o)) throw new Error(`unknown option ${argv[i]}`);
  /** @type {Record<string, unknown>} */ (o)[k] = typeof o[k] === 'number' ? Number(argv[++i]) : argv[++i];
}

const CRAWLER = `
const { CheerioCrawler, Configuration, log } = require(process.env.CRAWLEE_DIR + '/node_modules/crawlee');
log.setLevel(log.LEVELS.WARNING);
const urls = require('fs').readFileSync(process.argv[2], 'utf8').split('\\n').filter(Boolean);
const config = new Configuration({ persistStorage: false, purgeOnStart: true });
let n = 0;
const crawler = new CheerioCrawler({
  maxRequestRetries: 0,
  maxConcurrency: 128,
  async requestHandler({ $, request, pushData }) {
    const metas = $('meta').map((_, m) => ({ ...m.attribs })).get();
    const links = $('a[href]').map((_, a) => ({ href: $(a).attr('href'), text: $(a).text().trim() })).get();
    const jsonld = $('script[type="application/ld+json"]').map((_, s) => { try { return JSON.parse($(s).text()); } catch { return null; } }).get();
    await pushData({ url: request.url, title: $('title').first().text(), canonical: $('link[rel=canonical]').attr('href'), metas, links, jsonld });
    n++;
  },
}, config);
crawler.run(urls).then(() => { process.stdout.write(JSON.stringify({ pages: n }) + '\\n'); });
`;

/** @returns {Promise<{ s: number, out: string }>} */
function timed(
  /** @type {string} */ cmd,
  /** @type {string[]} */ args,
  /** @type {NodeJS.ProcessEnv} */ env = process.env,
) {
  const [c, a] = pinned(CLIENT_CORE, cmd, args);
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(c, a, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) =>
      code === 0
        ? resolve({ s: (performance.now() - start) / 1000, out })
        : reject(new Error(`${cmd} exited ${code}: ${err.slice(-2000)}`)),
    );
  });
}

const work = mkdtempSync(join(tmpdir(), 'metacrawl-crawlee-'));
const farm = await startFarmProcess(['--hosts', '100', '--pages', String(Math.ceil(o.pages / 100))]);
try {
  const urls = farmUrls(farm.origins, Math.ceil(o.pages / 100), o.pages);
  const seeds = join(work, 'seeds.txt');
  writeFileSync(seeds, `${urls.join('\n')}\n`);
  const script = join(work, 'crawlee.cjs');
  writeFileSync(script, CRAWLER);
  console.log(JSON.stringify({ machine: machine(), pages: urls.length }));
  for (let r = 0; r < o.runs; r++) {
    const mc = await timed(process.execPath, [
      BIN,
      'crawl',
      seeds,
      '--db',
      join(work, `mc-${r}.db`),
      '--crawl',
      `c${r}`,
      // As the bench's `user` phase: no --redis (its own redis-server), 128 in flight, no per-host rate.
      ...USER_CRAWL_FLAGS,
      '--no-progress',
      '--log-level',
      'warn',
    ]);
    const cr = await timed(process.execPath, [script, seeds], { ...process.env, CRAWLEE_DIR: o.crawlee });
    const crPages = JSON.parse(cr.out.trim().split('\n').pop() ?? '{}').pages;
    console.log(
      JSON.stringify({
        run: r,
        metacrawl: { s: +mc.s.toFixed(1), pagesPerS: +(urls.length / mc.s).toFixed(1) },
        crawlee: { pages: crPages, s: +cr.s.toFixed(1), pagesPerS: +(crPages / cr.s).toFixed(1) },
        ratio: +(cr.s / mc.s).toFixed(2),
      }),
    );
  }
} finally {
  await farm.stop();
  rmSync(work, { recursive: true, force: true });
}
