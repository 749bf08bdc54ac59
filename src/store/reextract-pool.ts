/**
 * `reextract`'s threads: reading, decoding and extracting archived pages (src/archived-page.ts) on worker
 * threads while this thread reads the source rows and writes the new ones. Jobs go in chunks to the thread with
 * the fewest pending; each chunk's results come back in order. Without threads (one usable core, `--workers 1`,
 * or run from the TypeScript sources, where the thread's entry is not compiled) the same extraction runs here.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  ArchivedPageExtractor,
  type ArchivedPageJob,
  type ArchivedPageResult,
  type ArchivedPageSettings,
  unpackResults,
} from '../archived-page.js';

export type ReextractThreadRequest = { type: 'jobs'; id: number; jobs: ArchivedPageJob[] };
export type ReextractThreadReply =
  /** `results`: the JSON array of the jobs' packed results (ArchivedPageExtractor.extractPacked), in order. */
  { type: 'done'; id: number; results: string } | { type: 'failed'; id: number; error: string };

export interface ExtractPool {
  /** Threads extracting (0: this one does). */
  readonly threads: number;
  /** The results of `jobs`, in order; rejects with the first job's error (a record that cannot be read). */
  run(jobs: ArchivedPageJob[]): Promise<ArchivedPageResult[]>;
  /** Ends the threads (jobs still pending are rejected). */
  close(): Promise<void>;
}

const ENTRY = new URL('./reextract-thread.js', import.meta.url);

/** Whether threads can start here (the compiled entry exists: not when run from the TypeScript sources). */
export function threadsAvailable(): boolean {
  return existsSync(fileURLToPath(ENTRY));
}

/** Extraction on this thread. */
function inlinePool(settings: ArchivedPageSettings): ExtractPool {
  const extractor = new ArchivedPageExtractor(settings);
  return {
    threads: 0,
    run: async (jobs) => jobs.map((j) => extractor.extract(j)),
    close: async () => extractor.close(),
  };
}

interface Pending {
  resolve: (r: ArchivedPageResult[]) => void;
  reject: (err: Error) => void;
  jobs: number;
}

interface Thread {
  worker: Worker;
  pending: Map<number, Pending>;
  /** Jobs sent and not answered. */
  load: number;
  /** Why it can take no more jobs (crashed, exited). */
  dead: Error | null;
}

/** `n` threads (0: this thread). */
export function startExtractPool(n: number, settings: ArchivedPageSettings): ExtractPool {
  if (n <= 0 || !threadsAvailable()) return inlinePool(settings);
  const threads: Thread[] = [];
  let nextId = 0;
  const fail = (t: Thread, err: Error) => {
    t.dead ??= err;
    for (const p of t.pending.values()) p.reject(t.dead);
    t.pending.clear();
    t.load = 0;
  };
  for (let i = 0; i < n; i++) {
    const worker = new Worker(ENTRY, { workerData: settings });
    const t: Thread = { worker, pending: new Map(), load: 0, dead: null };
    worker.on('message', (m: ReextractThreadReply) => {
      const p = t.pending.get(m.id);
      if (!p) return;
      t.pending.delete(m.id);
      t.load -= p.jobs;
      if (m.type !== 'done') return p.reject(new Error(m.error));
      try {
        p.resolve(unpackResults(m.results));
      } catch (err) {
        p.reject(err as Error);
      }
    });
    worker.on('error', (err) =>
      fail(t, new Error(`reextract: an extraction thread crashed: ${err.message}`)),
    );
    worker.on('exit', (code) => fail(t, new Error(`reextract: an extraction thread exited (${code})`)));
    threads.push(t);
  }
  return {
    threads: n,
    run: (jobs) => {
      const live = threads.filter((t) => !t.dead);
      if (live.length === 0) return Promise.reject(threads[0].dead);
      const t = live.reduce((a, b) => (b.load < a.load ? b : a));
      const id = nextId++;
      t.load += jobs.length;
      return new Promise<ArchivedPageResult[]>((resolve, reject) => {
        t.pending.set(id, { resolve, reject, jobs: jobs.length });
        t.worker.postMessage({ type: 'jobs', id, jobs } satisfies ReextractThreadRequest);
      });
    },
    close: async () => {
      await Promise.all(
        threads.map(async (t) => {
          t.dead ??= new Error('reextract: the extraction threads were closed');
          await t.worker.terminate();
        }),
      );
    },
  };
}
