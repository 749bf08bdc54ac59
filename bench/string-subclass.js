#!/usr/bin/env node
/**
 * The String-subclass experiment. Claim (issue 6): ioredis defines `class VerbatimString extends String`
 * at import, any String subclass slows htmlparser2 1.7–2x on Node 20, and creating one instance at start-up
 * cures it. Counter-claim (the extraction work): importing ioredis changes nothing, and creating an
 * instance of a String subclass makes the Tokenizer ~3.5x slower for the rest of the process.
 *
 * Each variant runs `bench/extract-bench.js` in a fresh process on the client core (farm pages, CPU time
 * per page); variants alternate and repeat so drift on a shared machine hits all of them alike.
 *
 * Measured (Node 20.20.2, ioredis 5.11.1, htmlparser2 10.1, 3 repeats × 3 rounds × 128 pages), median CPU
 * ms/page relative to a plain process: import ioredis ×0.96 (ioredis 5.11 defines no String subclass at
 * all); import the whole CLI ×1.04; *define* a String subclass, never instantiated ×1.72; define and
 * instantiate it before parsing starts ×0.94 (the cure the issue describes); define early, instantiate
 * after the parser warmed up ×1.48 (too late to cure). So the claim holds for any String subclass
 * defined in the process, and nothing metacrawl loads defines one; the "import the whole CLI" line is the
 * regression canary.
 * Run alone: `node bench/string-subclass.js [--rounds n] [--pool n] [--repeat n] [--json]` (needs `npm run build`).
 */
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { pinned, ROOT } from './lib.js';

export const VARIANTS = [
  { label: 'nothing (plain)', setup: '' },
  { label: 'import ioredis', setup: 'ioredis' },
  { label: 'define a String subclass', setup: 'define' },
  { label: 'instantiate a String subclass', setup: 'instantiate' },
  { label: 'import ioredis + instantiate', setup: 'ioredis,instantiate' },
  { label: 'define, instantiate later', setup: 'define,instantiate@late' },
  { label: 'import the whole CLI', setup: 'cli' },
];

/** @param {string} setup @param {number} rounds @param {number} pool */
function child(setup, rounds, pool) {
  const [cmd, argv] = pinned(1, process.execPath, [
    `${ROOT}bench/extract-bench.js`,
    '--set',
    'farm',
    '--rounds',
    String(rounds),
    '--pool',
    String(pool),
    '--setup',
    setup,
  ]);
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d) => {
      out += d;
    });
    c.stderr.on('data', (d) => {
      err += d;
    });
    c.on('close', (code) => {
      if (code !== 0) reject(new Error(`extract-bench --setup ${setup} failed: ${err.slice(-400)}`));
      else resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}').farm);
    });
  });
}

const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// A VM's CPU time per page swings up to 2x between processes (steal, frequency); the least disturbed of the
// repeats says most about the code.
const best = (/** @type {number[]} */ xs) => Math.min(...xs);

/**
 * @param {{ rounds?: number, pool?: number, repeat?: number, only?: string[] }} [o] only: setups to run
 *   (the plain one always runs first)
 * medianMs: the lowest of the repeats' per-page CPU medians; vsPlain compares those.
 * @returns {Promise<{ variants: { label: string, setup: string, medianMs: number, medianOfRepeatsMs: number, meanMs: number, p99Ms: number, pagesPerS: number, repeats: number[], vsPlain: number }[] }>}
 */
export async function runStringSubclass(o = {}) {
  const rounds = o.rounds ?? 3;
  const pool = o.pool ?? 128;
  const repeat = o.repeat ?? 2;
  /** @type {Record<string, any[]>} */
  const runs = {};
  const chosen = VARIANTS.filter((v) => v.setup === '' || !o.only || o.only.includes(v.setup));
  for (let r = 0; r < repeat; r++)
    for (const v of chosen) (runs[v.setup] ??= []).push(await child(v.setup, rounds, pool));
  const variants = chosen.map((v) => {
    const rs = runs[v.setup];
    return {
      label: v.label,
      setup: v.setup,
      medianMs: best(rs.map((x) => x.medianMs)),
      medianOfRepeatsMs: median(rs.map((x) => x.medianMs)),
      meanMs: best(rs.map((x) => x.meanMs)),
      p99Ms: median(rs.map((x) => x.p99Ms)),
      pagesPerS: Math.max(...rs.map((x) => x.pagesPerS)),
      repeats: rs.map((x) => x.medianMs),
      vsPlain: 0,
    };
  });
  const plain = variants[0].medianMs;
  for (const v of variants) v.vsPlain = Math.round((v.medianMs / plain) * 100) / 100;
  return { variants };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const num = (/** @type {string} */ name, /** @type {number} */ d) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : d;
  };
  const r = await runStringSubclass({
    rounds: num('--rounds', 3),
    pool: num('--pool', 128),
    repeat: num('--repeat', 3),
  });
  if (args.includes('--json')) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  else
    for (const v of r.variants)
      process.stdout.write(
        `${v.label.padEnd(32)} best median ${v.medianMs.toFixed(3)} ms/page (repeats ${v.repeats.join(' ')})  ×${v.vsPlain}\n`,
      );
}
