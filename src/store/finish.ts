/**
 * The end of a crawl's writes (indexes.ts finishWrites) on a thread of its own, so the process stays
 * responsive while an index over millions of links is built: it says what it does, says it again every
 * few seconds, and a second Ctrl-C still exits at once (the build is then rolled back and done next time).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { openDb } from './db.js';
import { finishWrites, type IndexBuild } from './indexes.js';

export type FinishMessage =
  | { type: 'report'; message: string }
  | { type: 'done'; built: IndexBuild[] }
  | { type: 'failed'; error: string };

export interface FinishOptions {
  /** Progress lines ("indexing links by target URL (1,000,000 pages)…", "… still indexing, 20 s"). */
  report?: (message: string) => void;
  /** How often a long build says it is still at work. */
  tickMs?: number;
}

const ENTRY = new URL('./finish-thread.js', import.meta.url);

/** Builds the deferred indexes the database at `path` lacks and refreshes its statistics. */
export async function finishWritesInThread(path: string, opts: FinishOptions = {}): Promise<IndexBuild[]> {
  const report = opts.report ?? (() => {});
  // Run from the TypeScript sources (tests), the thread's entry is not compiled: build in this thread.
  if (!existsSync(fileURLToPath(ENTRY))) {
    const db = openDb(path);
    try {
      return finishWrites(db, report);
    } finally {
      db.close();
    }
  }
  const started = Date.now();
  let building = '';
  const tick = setInterval(() => {
    if (building) report(`${building}: still indexing, ${Math.round((Date.now() - started) / 1000)} s`);
  }, opts.tickMs ?? 10_000);
  try {
    return await new Promise<IndexBuild[]>((resolve, reject) => {
      const worker = new Worker(ENTRY, { workerData: { path } });
      worker.on('message', (m: FinishMessage) => {
        if (m.type === 'report') {
          // "indexing X (N pages)…" starts a build; its "done in" line ends it.
          building = m.message.endsWith('…') ? m.message.slice(0, -1) : '';
          report(m.message);
        } else if (m.type === 'done') resolve(m.built);
        else reject(new Error(`finishing ${path} failed: ${m.error}`));
      });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`finishing ${path}: thread exited (${code})`)));
    });
  } finally {
    clearInterval(tick);
  }
}
