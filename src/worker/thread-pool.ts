/**
 * More workers for `metacrawl crawl` on a machine with several cores: each worker thread runs startWorker()
 * with its own Redis connections, HTTP agent and BullMQ worker — exactly what another `metacrawl worker`
 * process would do, so fleet-wide politeness, job locks and at-least-once hold as they do for a fleet.
 * Threads die with the process (no orphans); a thread that crashes loses only its in-flight jobs, which
 * BullMQ hands to the other workers once their locks expire.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Logger, LogLevel } from '../log.js';
import type { WorkerOptions } from './index.js';
import type { WorkerStats } from './process.js';

/** What a thread needs to start its worker (structured-cloneable: no logger, no metrics). */
export interface ThreadWorkerOptions extends Omit<WorkerOptions, 'logger' | 'metrics'> {
  logLevel: LogLevel;
  /** Send log lines to the parent (startWorkerThreads' onLog) instead of writing them to stderr. */
  logToParent?: boolean;
}

export type ThreadMessage =
  | { type: 'ready'; id: string }
  | { type: 'stats'; stats: WorkerStats }
  | { type: 'closed'; stats: WorkerStats }
  | { type: 'failed'; error: string }
  | { type: 'fatal'; error: string }
  | { type: 'log'; line: string };

export interface WorkerThreads {
  readonly count: number;
  /** Sum of the threads' latest stats. */
  stats(): WorkerStats;
  /** Stops every thread's worker (same grace as RunningWorker.close), then the threads. */
  close(graceMs: number): Promise<void>;
}

/** Crawls smaller than this stay on one thread: starting threads costs more than it saves. */
export const AUTO_MIN_URLS = 1000;

/** Cores this process may use (honours taskset and cgroup cpusets). */
export function usableCores(): number {
  return availableParallelism();
}

const ENTRY = new URL('./thread-entry.js', import.meta.url);
const EMPTY: WorkerStats = { done: 0, ok: 0, failed: 0, delayed: 0, retried: 0 };

/** Starts `n` worker threads; resolves once each has started its worker (or failed to, which is logged). */
export async function startWorkerThreads(
  n: number,
  opts: ThreadWorkerOptions,
  logger: Logger,
  onLog?: (line: string) => void,
  onFatal?: (err: Error) => void,
): Promise<WorkerThreads> {
  const threads: Array<{ worker: Worker; stats: WorkerStats; exited: Promise<void> }> = [];
  const ready: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const worker = new Worker(ENTRY, { workerData: opts });
    const t = {
      worker,
      stats: { ...EMPTY },
      exited: new Promise<void>((resolve) => worker.once('exit', () => resolve())),
    };
    threads.push(t);
    ready.push(
      new Promise<void>((resolve) => {
        worker.on('message', (m: ThreadMessage) => {
          if (m.type === 'log') onLog?.(m.line);
          else if (m.type === 'fatal') onFatal?.(new Error(m.error));
          else if (m.type === 'ready') resolve();
          else if (m.type === 'stats' || m.type === 'closed') t.stats = m.stats;
          else if (m.type === 'failed') {
            logger.error({ thread: i, err: m.error }, 'worker thread could not start');
            resolve();
          }
        });
        worker.on('error', (err) => {
          logger.error(
            { thread: i, err: err.message },
            'worker thread crashed; its jobs go to the other workers',
          );
          resolve();
        });
        worker.once('exit', () => resolve());
      }),
    );
  }
  await Promise.all(ready);
  return {
    count: n,
    stats: () => {
      const sum = { ...EMPTY };
      for (const t of threads)
        for (const k of Object.keys(sum) as Array<keyof WorkerStats>) sum[k] += t.stats[k];
      return sum;
    },
    close: async (graceMs) => {
      for (const t of threads) t.worker.postMessage({ type: 'close', graceMs });
      // Each worker hands its jobs back within its grace; past that (plus a margin) the thread is ended.
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, graceMs + 5000).unref());
      await Promise.race([Promise.all(threads.map((t) => t.exited)), deadline]);
      await Promise.all(threads.map((t) => t.worker.terminate()));
    },
  };
}
