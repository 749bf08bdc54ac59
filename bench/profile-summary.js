#!/usr/bin/env node
/**
 * Where the time goes in a `.cpuprofile` (from `node --cpu-prof`, e.g. `npm run bench -- --only crawl --profile`):
 * self time grouped by package / source area, and the top functions.
 * Usage: node bench/profile-summary.js <file.cpuprofile> [--top 30]
 */
import { readFileSync } from 'node:fs';

/** Groups a script URL into an area: a package under node_modules, a folder of dist/, or node internals. */
export function area(/** @type {string} */ url) {
  if (!url) return '(native / GC / idle)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  const d = /\/dist\/(.+)\/[^/]+\.js$/.exec(url);
  if (d) return `metacrawl ${d[1]}`;
  if (/\/dist\/[^/]+\.js$/.test(url)) return 'metacrawl (top level)';
  if (url.startsWith('node:')) return url.replace(/^node:internal\//, 'node ').replace(/\/.*$/, '');
  return url;
}

/** @param {any} profile */
export function summarize(profile, top = 30) {
  const byId = new Map(profile.nodes.map((/** @type {any} */ n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++)
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (dt[i] ?? 0));
  let total = 0;
  /** @type {Map<string, number>} */
  const areas = new Map();
  /** @type {Map<string, number>} */
  const fns = new Map();
  for (const [id, us] of self) {
    const n = /** @type {any} */ (byId.get(id));
    const cf = n.callFrame;
    if (cf.functionName === '(idle)') continue;
    total += us;
    const a = cf.functionName === '(garbage collector)' ? '(garbage collector)' : area(cf.url);
    areas.set(a, (areas.get(a) ?? 0) + us);
    const f = `${cf.functionName || '(anonymous)'} ${cf.url ? `${cf.url.split('/').slice(-2).join('/')}:${cf.lineNumber + 1}` : ''}`;
    fns.set(f, (fns.get(f) ?? 0) + us);
  }
  const sorted = (/** @type {Map<string, number>} */ m) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => ({ name: k, ms: Math.round(v / 1000), pct: Math.round((v / total) * 1000) / 10 }));
  return { busyMs: Math.round(total / 1000), areas: sorted(areas), functions: sorted(fns).slice(0, top) };
}

if (process.argv[1]?.endsWith('profile-summary.js')) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: node bench/profile-summary.js <file.cpuprofile> [--top n]');
  const i = process.argv.indexOf('--top');
  const s = summarize(JSON.parse(readFileSync(file, 'utf8')), i > 0 ? Number(process.argv[i + 1]) : 30);
  process.stdout.write(`busy ${s.busyMs} ms\n\nby area:\n`);
  for (const a of s.areas.slice(0, 25))
    process.stdout.write(`  ${String(a.pct).padStart(5)}%  ${String(a.ms).padStart(6)} ms  ${a.name}\n`);
  process.stdout.write('\ntop functions (self):\n');
  for (const f of s.functions)
    process.stdout.write(`  ${String(f.pct).padStart(5)}%  ${String(f.ms).padStart(6)} ms  ${f.name}\n`);
}
