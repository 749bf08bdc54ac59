import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { SlowestFirstSequencer } from './test/setup/sequencer.js';

export default defineConfig({
  // Tools reach the product as #metacrawl/* (package.json "imports": dist/); tests run them against src/.
  resolve: {
    alias: [{ find: /^#metacrawl\/(.*)$/, replacement: fileURLToPath(new URL('./src/$1', import.meta.url)) }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/global-redis.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    // Each of the two forks runs its files one after another in one module graph: the product (bullmq, undici,
    // cheerio, the CLI…) is imported once per fork, not once per file (65–70 s of imports in a CI run before).
    // This holds because no test keeps process-wide state: nothing is mocked, environment changes are undone,
    // each test has its own servers, Redis key prefix and temporary files. A new test must keep it so.
    isolate: false,
    // Slowest files first, also on a fresh clone without Vitest's cache of durations (see the sequencer).
    sequence: { sequencer: SlowestFirstSequencer },
  },
});
