#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm ci` via the prepare script).
import { setFlagsFromString } from 'node:v8';

// `submit` streams a seed list of any length through a live heap of ~20 MB, yet V8's default young generation
// (up to 2 × 16 MB) and old-generation growth held 115–160 MB of peak RSS at a million seeds. Both flags are
// read at GC time, so set here, before anything is loaded, they bound the heap (semi-spaces stay at 1 MB).
if (process.argv[2] === 'submit') setFlagsFromString('--semi-space-growth-factor=1 --optimize-for-size');

const { main } = await import('../dist/cli/main.js');

main(process.argv).then(
  (code) => {
    process.exitCode = code;
    // The command is done: a connection still retrying (Redis gone) must not keep the process alive.
    setTimeout(() => process.exit(code), 3000).unref();
  },
  (err) => {
    process.stderr.write(`metacrawl: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
