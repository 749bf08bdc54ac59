#!/usr/bin/env node
/**
 * Interleaved A/B runs of the extractor bench over several builds (e.g. a baseline worktree's dist/ and this
 * one's), for comparisons on a shared machine: each run is a fresh `bench/extract-bench.js` process per build,
 * in turn (A B C A B C ...), so a change of load hits every build alike. Prints, per build and set, the
 * median over runs of each process's median and mean CPU ms per page, and the best (lowest) run.
 *
 *   node bench/extract-ab.js [--runs 5] [--pool 128] [--rounds 2] [--input text|bytes] [--set both] [--warm-all]
 *                            name=<dist dir> name=<dist dir> ...
 *
 * With --inproc, all builds are loaded into one process and take turns page by page (the order rotating), so
 * the machine's load hits them alike even when it swings within seconds: the figure to trust on a busy shared
 * machine is each build's total CPU time relative to the first build's. The builds share node_modules
 * (htmlparser2's stock tokenizer), so absolute figures run higher than in a process of their own.
 * But one process is one draw: how fast a build runs varies from process to process (JIT and GC luck) by
 * more than many differences measured, on the farm's pages at least: a build paired with a copy of itself
 * read 0.85× and 1.15× of itself (README Performance). Repeat it, or prefer the fresh processes' medians.
 *
 * With --callgrind, each build runs once under `valgrind --tool=callgrind` instead, twice over (all rounds,
 * then the warm-up alone), and the difference is divided by the pages timed: instructions per page, which do
 * not depend on the machine's load (but include the GC and JIT work the timed rounds cause).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bench = fileURLToPath(new URL('extract-bench.js', import.meta.url));

const o = {
  runs: 5,
  pool: 128,
  rounds: 2,
  input: 'bytes',
  set: 'both',
  callgrind: false,
  inproc: false,
  warmAll: false,
};
/** @type {[string, string][]} */
const builds = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--callgrind') o.callgrind = true;
  else if (a === '--inproc') o.inproc = true;
  else if (a === '--warm-all') o.warmAll = true;
  else if (a.startsWith('--')) {
    const k = a.slice(2);
    if (!(k in o)) throw new Error(`unknown option ${a}`);
    /** @type {Record<string, unknown>} */ (o)[k] = typeof o[k] === 'number' ? Number(argv[++i]) : argv[++i];
  } else {
    const eq = a.indexOf('=');
    if (eq < 1) throw new Error(`expected name=<dist dir>, got ${a}`);
    builds.push([a.slice(0, eq), a.slice(eq + 1)]);
  }
}
if (builds.length === 0) throw new Error('no builds given (name=<dist dir>)');

/** @param {string} dist @param {number} rounds @param {string} set */
function args(dist, rounds, set) {
  return [
    bench,
    '--dist',
    dist,
    '--input',
    o.input,
    '--set',
    set,
    '--pool',
    String(o.pool),
    '--rounds',
    String(rounds),
  ];
}

function median(/** @type {number[]} */ xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

if (o.inproc) await inProcess();
else if (o.callgrind) {
  const sets = o.set === 'both' ? ['farm', 'corpus'] : [o.set];
  const pages = {
    farm: o.pool,
    corpus: readdirSync(fileURLToPath(new URL('../test/fixtures/corpus/pages', import.meta.url))).filter(
      (f) => f.endsWith('.html'),
    ).length,
  };
  for (const [name, dist] of builds)
    for (const set of sets) {
      /** @param {number} rounds */
      const instructions = (rounds) => {
        const dir = mkdtempSync(join(tmpdir(), 'extract-ab-'));
        try {
          const out = join(dir, 'cg.out');
          execFileSync(
            'valgrind',
            [
              '--tool=callgrind',
              `--callgrind-out-file=${out}`,
              '--smc-check=all-non-file',
              process.execPath,
              ...args(dist, rounds, set),
            ],
            { stdio: ['ignore', 'ignore', 'ignore'] },
          );
          const m =
            /^summary: (\d+)/m.exec(readFileSync(out, 'utf8')) ??
            /^totals: (\d+)/m.exec(readFileSync(out, 'utf8'));
          return Number(m?.[1]);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      };
      const all = instructions(o.rounds);
      const warm = instructions(0);
      const per = (all - warm) / (o.rounds * pages[/** @type {'farm'|'corpus'} */ (set)]);
      process.stdout.write(`${name}\t${set}\t${(per / 1e6).toFixed(3)} M instructions/page\n`);
    }
} else {
  /** @type {Record<string, Record<string, {median: number[], mean: number[]}>>} */
  const got = {};
  for (let r = 0; r < o.runs; r++)
    for (const [name, dist] of builds) {
      const res = JSON.parse(
        execFileSync(process.execPath, args(dist, o.rounds, o.set), { encoding: 'utf8' }),
      );
      for (const set of ['farm', 'corpus']) {
        if (!res[set]) continue;
        const g = ((got[name] ??= {})[set] ??= { median: [], mean: [] });
        g.median.push(res[set].medianMs);
        g.mean.push(res[set].meanMs);
      }
    }
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  process.stdout.write(`input ${o.input}, ${o.runs} runs × ${o.rounds} rounds, load average now ${load}\n`);
  for (const [name, sets] of Object.entries(got))
    for (const [set, g] of Object.entries(sets))
      process.stdout.write(
        `${name}\t${set}\tmedian ${median(g.median).toFixed(3)} (best ${Math.min(...g.median).toFixed(3)})\tmean ${median(g.mean).toFixed(3)} (best ${Math.min(...g.mean).toFixed(3)}) CPU ms/page\n`,
      );
}

/** Every build in this process, taking turns page by page; CPU time per build, relative to the first. */
async function inProcess() {
  const { corpusPages } = await import('./extract-bench.js');
  const { renderIssuePage } = await import('./page.js');
  const loaded = [];
  for (const [name, dist] of builds)
    loaded.push({ name, ex: await import(pathToFileURL(`${dist}/extract/index.js`).href) });
  /** @param {any} ex @param {{ url: string, html: string, bytes: Uint8Array | null }} p */
  const run = (ex, p) =>
    o.input === 'bytes' && p.bytes ? ex.extractUtf8(p.bytes, p.url) : ex.extract(p.html, p.url);
  const sets = o.set === 'both' ? ['farm', 'corpus'] : [o.set];
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  process.stdout.write(
    `input ${o.input}, in one process, ${o.rounds} rounds, load average at start ${load}\n`,
  );
  const pagesOf = (/** @type {string} */ set) =>
    set === 'farm'
      ? Array.from({ length: o.pool }, (_, i) => {
          const html = renderIssuePage(i);
          return {
            url: `http://127.0.1.${1 + (i % 100)}/issues/${i}`,
            html,
            bytes: Buffer.from(html, 'utf8'),
          };
        })
      : corpusPages();
  // --warm-all: every build reads the corpus (text and bytes pages) and the farm before any timing, as a crawl
  // that has met one non-UTF-8 page has: the loops then see both code-array kinds, and a change that only pays
  // while they see one is not credited for it (the farm, timed first, otherwise runs on bytes pages alone).
  if (o.warmAll)
    for (const b of loaded) for (const set of ['corpus', 'farm']) for (const p of pagesOf(set)) run(b.ex, p);
  for (const set of sets) {
    const pages = pagesOf(set);
    for (const b of loaded) for (const p of pages) run(b.ex, p); // warm-up
    const ms = loaded.map(() => /** @type {number[]} */ ([]));
    for (let r = 0; r < o.rounds; r++)
      for (let k = 0; k < pages.length; k++)
        for (let j = 0; j < loaded.length; j++) {
          const at = (j + k + r) % loaded.length;
          const t = process.cpuUsage();
          run(loaded[at].ex, pages[k]);
          const d = process.cpuUsage(t);
          ms[at].push((d.user + d.system) / 1000);
        }
    const total = ms.map((x) => x.reduce((a, b) => a + b, 0));
    for (let j = 0; j < loaded.length; j++)
      process.stdout.write(
        `${loaded[j].name}\t${set}\tmean ${(total[j] / ms[j].length).toFixed(3)}\tmedian ${median(ms[j]).toFixed(3)} CPU ms/page\t× ${(total[j] / total[0]).toFixed(3)} of ${loaded[0].name}\n`,
      );
  }
}
