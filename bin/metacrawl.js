#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm ci` via the prepare script).
import { main } from '../dist/cli/main.js';

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
