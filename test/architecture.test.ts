/**
 * The layering rule of src/ (docs: DESIGN.md "Where things go"), over every import, static or dynamic, type-only
 * included: a stage imports another stage only through its index.ts; shared code (src/ outside the stage
 * folders) imports no stage; nothing imports the CLI, which sits on top; src/ imports nothing outside src/;
 * and the stages depend on each other without a cycle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const STAGES = ['producer', 'worker', 'store', 'control', 'serve', 'metrics', 'cli'];

interface Edge {
  /** Both relative to src/, with '/' separators; a target outside src/ starts with '../'. */
  from: string;
  to: string;
}

function stageOf(path: string): string | null {
  const first = path.split('/')[0];
  return path.includes('/') && STAGES.includes(first) ? first : null;
}

/** Every relative import of every .ts file under src/, resolved to a .ts path relative to src/. */
function importEdges(): Edge[] {
  const edges: Edge[] = [];
  for (const entry of readdirSync(SRC, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const file = join(entry.parentPath, entry.name);
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName: spec } of info.importedFiles) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
      edges.push({ from: toSrcPath(file), to: toSrcPath(target) });
    }
  }
  return edges;
}

function toSrcPath(abs: string): string {
  return relative(SRC, abs).split(sep).join('/');
}

/** The imports that break the rule, as `file -> target (why)`. */
function violations(edges: readonly Edge[]): string[] {
  const out: string[] = [];
  for (const { from, to } of edges) {
    const mine = stageOf(from);
    const theirs = stageOf(to);
    let why: string | null = null;
    if (to.startsWith('../')) why = 'src/ imports nothing outside src/';
    else if (theirs === 'cli' && mine !== 'cli') why = 'nothing imports the CLI';
    else if (mine === null && theirs !== null) why = 'shared code imports no stage';
    else if (theirs !== null && theirs !== mine && to !== `${theirs}/index.ts`)
      why = `import ${theirs}/index.ts instead`;
    if (why) out.push(`${from} -> ${to} (${why})`);
  }
  return out;
}

/** A cycle among the stages (through any of their imports), as `a -> b -> a`, or null. */
function stageCycle(edges: readonly Edge[]): string | null {
  const next = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    const a = stageOf(from);
    const b = stageOf(to);
    if (a && b && a !== b) next.set(a, (next.get(a) ?? new Set()).add(b));
  }
  const done = new Set<string>();
  const visit = (stage: string, path: string[]): string | null => {
    if (path.includes(stage)) return [...path.slice(path.indexOf(stage)), stage].join(' -> ');
    if (done.has(stage)) return null;
    for (const n of next.get(stage) ?? []) {
      const cycle = visit(n, [...path, stage]);
      if (cycle) return cycle;
    }
    done.add(stage);
    return null;
  };
  for (const stage of next.keys()) {
    const cycle = visit(stage, []);
    if (cycle) return cycle;
  }
  return null;
}

describe('the import rule of src/', () => {
  const edges = importEdges();

  it('reads the imports of every file, dynamic ones included', () => {
    expect(edges.length).toBeGreaterThan(300);
    expect(edges).toContainEqual({ from: 'cli/main.ts', to: 'cli/crawl.ts' });
  });

  it('holds: stages meet only at their index.ts, shared code imports no stage', () => {
    expect(violations(edges)).toEqual([]);
  });

  it('holds: no cycle among the stages', () => {
    expect(stageCycle(edges)).toBeNull();
  });

  it('gives every stage but the CLI an index.ts', () => {
    const files = new Set(edges.map((e) => e.to));
    for (const stage of STAGES.filter((s) => s !== 'cli')) expect(files).toContain(`${stage}/index.ts`);
  });

  it('would catch each kind of offending import', () => {
    expect(
      violations([
        { from: 'worker/process.ts', to: 'store/db.ts' },
        { from: 'worker/process.ts', to: 'store/index.ts' },
        { from: 'worker/process.ts', to: 'worker/politeness/gate.ts' },
        { from: 'config.ts', to: 'producer/index.ts' },
        { from: 'url/normalize.ts', to: 'queue.ts' },
        { from: 'serve/server.ts', to: 'cli/io.ts' },
        { from: 'cli/inspect.ts', to: 'extract/index.ts' },
        { from: 'cli/crawl.ts', to: 'worker/thread-pool.ts' },
        { from: 'store/db.ts', to: '../tools/site.ts' },
      ]),
    ).toEqual([
      'worker/process.ts -> store/db.ts (import store/index.ts instead)',
      'config.ts -> producer/index.ts (shared code imports no stage)',
      'serve/server.ts -> cli/io.ts (nothing imports the CLI)',
      'cli/crawl.ts -> worker/thread-pool.ts (import worker/index.ts instead)',
      'store/db.ts -> ../tools/site.ts (src/ imports nothing outside src/)',
    ]);
    expect(
      stageCycle([
        { from: 'worker/index.ts', to: 'metrics/index.ts' },
        { from: 'metrics/worker.ts', to: 'worker/index.ts' },
      ]),
    ).toBe('worker -> metrics -> worker');
  });
});

/** The files `entry` loads before any of its code runs: static imports (type-only ones erased), transitively. */
function staticClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(join(SRC, file), 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?'(\.[^']+)'/gm)) {
      visit(toSrcPath(resolve(dirname(join(SRC, file)), m[1]).replace(/\.js$/, '.ts')));
    }
  };
  visit(entry);
  return seen;
}

describe('what the CLI loads', () => {
  it('loads no stage before a command runs (each command imports its own): submit stays small', () => {
    const loaded = [...staticClosure('cli/main.ts')];
    expect(loaded).toContain('cli/options.ts');
    expect(loaded.filter((f) => STAGES.includes(f.split('/')[0]) && !f.startsWith('cli/'))).toEqual([]);
  });
});
