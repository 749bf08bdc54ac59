#!/usr/bin/env node
/**
 * Interleaved A/B runs of the extractor bench over several builds (e.g. a baseline worktree's dist/ and this
 * one's), for comparisons on a shared machine: each run is a fresh `bench/extract-bench.js` process per build,
 * in turn (A B C A B C ...), so a change of load hits every build alike. Prints, per build and set, the
 * median over runs of each process's median and mean CPU ms per page, and the best (lowest) run.
 *
 *   node bench/extract-ab.js [--runs 5] [--pool 128] [--rounds 2] [--input text|bytes] [--set both]
 *                            name=<dist dir> name=<dist dir> ...
 *
 * With --callgrind, each build runs once under `valgrind --tool=callgrind` instead, twice over (all rounds,
 * then the warm-up alone), and the difference is divided by the pages timed: instructions per page, which do
 * not depend on the machine's load (but include the GC and JIT work the timed rounds cause).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bench = fileURLToPath(new URL('extract-bench.js', import.meta.url));

const o = { runs: 5, pool: 128, rounds: 2, input: 'bytes', set: 'both', callgrind: false };
/** @type {[string, string][]} */
const builds = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--callgrind') o.callgrind = true;
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

if (o.callgrind) {
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
