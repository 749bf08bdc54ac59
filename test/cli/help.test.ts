/** What `--help` says about flags: each command lists the flags it uses, worded as the README words them. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const io = {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  stopSignal: new AbortController().signal,
};
const program = buildProgram(io, () => {});
const command = (name: string): Command => {
  const c = program.commands.find((x) => x.name() === name);
  if (!c) throw new Error(`no command ${name}`);
  return c;
};
const help = (name: string, flag: string) =>
  command(name).options.find((o) => o.long === flag)?.description ?? null;

describe('--concurrency', () => {
  it('is per worker thread in crawl and per process in worker, in --help and the README alike', () => {
    expect(help('crawl', '--concurrency')).toBe(
      'in-flight fetches per worker thread (see --workers): up to --workers × this in all',
    );
    expect(help('worker', '--concurrency')).toBe('in-flight fetches of this worker process');
    const row = readme.split('\n').find((l) => l.startsWith('| `--concurrency <n>`'));
    expect(row).toContain('in-flight fetches per worker thread');
    expect(row).toContain('`--workers` × `--concurrency`');
    expect(readme).toContain('`--concurrency` is the fetches in flight in this worker process');
    expect(help('crawl', '--workers')).toMatch(/^worker threads in all, each with --concurrency in flight/);
  });
});

describe('inspect --help', () => {
  it('lists only the flags inspect uses', () => {
    const flags = command('inspect').options.map((o) => o.long);
    expect(flags.sort()).toEqual(
      [
        '--allow-private',
        '--base',
        '--extract',
        '--extract-all',
        '--extract-file',
        '--file',
        '--microdata',
        '--json',
        '--max-bytes',
        '--max-links',
        '--timeout',
        '--user-agent',
      ].sort(),
    );
  });
});
