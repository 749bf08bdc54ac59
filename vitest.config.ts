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
    // Slowest files first, also on a fresh clone without Vitest's cache of durations (see the sequencer).
    sequence: { sequencer: SlowestFirstSequencer },
  },
});
