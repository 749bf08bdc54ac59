/**
 * Records handed to the store writer in memory, by a worker running in the writer's own process (`crawl`).
 *
 * The results stream exists so that workers on other machines reach the one writer; a worker in the
 * writer's process gains nothing from it and pays for it on every page: the record encoded as JSON (~25 KB),
 * written to the socket, kept by Redis, read back and parsed — about a fifth of a page's CPU in a one-core
 * crawl, the redis-server's share not counted. Through the inbox the same record object goes straight into
 * the writer's next batch.
 *
 * The guarantee is the stream's: `put` resolves once the record is committed to SQLite, so the job that
 * produced it completes only then. A process that dies before the commit leaves its jobs active in the
 * queue, and they are run again (stalled-job recovery); a replayed record is a harmless upsert.
 */
import type { PageRecord } from '../types.js';

interface Waiter {
  record: PageRecord;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class RecordInbox {
  private items: Waiter[] = [];
  private wake: (() => void) | null = null;
  private closedWith: Error | null = null;
  /**
   * Whether the records waiting are all there is to come for now (crawl: as many as the crawl lacks), so the
   * batch is due without lingering: the last rows of a crawl are not held back.
   */
  complete: ((waiting: number) => boolean) | null = null;

  /**
   * @param batchSize records taken per batch at most
   * @param lingerMs how long the first record of a batch waits for others. A batch costs one commit (every
   *   B-tree page it touched written to the WAL: ~100 KB for a one-page batch, shared by all pages of a larger
   *   one) and one update of the crawl's counters, whatever its size; 100 ms adds that much to a job's time in
   *   flight, which a crawl of 128 in flight hardly notices.
   */
  constructor(
    readonly batchSize = 500,
    readonly lingerMs = 100,
  ) {}

  /** Resolves once the record is stored (committed); rejects if the writer stopped before storing it. */
  put = (record: PageRecord): Promise<void> => {
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise<void>((resolve, reject) => {
      this.items.push({ record, resolve, reject });
      if (this.items.length === 1 || this.due()) this.wake?.();
    });
  };

  get size(): number {
    return this.items.length;
  }

  /** Ends a linger now if the batch has become due (complete() may have changed its mind). */
  recheck(): void {
    if (this.items.length > 0 && this.due()) this.wake?.();
  }

  private due(): boolean {
    return this.items.length >= this.batchSize || (this.complete?.(this.items.length) ?? false);
  }

  /**
   * Waits until a batch is due (batchSize records, or lingerMs after the first) or `signal` aborts, then
   * takes up to batchSize records. Empty only when aborted with nothing waiting.
   */
  async take(signal: AbortSignal): Promise<Waiter[]> {
    if (this.items.length === 0 && !signal.aborted) await this.until(signal, null);
    if (this.items.length > 0 && !this.due() && !signal.aborted) await this.until(signal, this.lingerMs);
    return this.items.splice(0, this.batchSize);
  }

  /** Puts a batch back in front (its commit failed and will be retried). */
  giveBack(batch: Waiter[]): void {
    this.items.unshift(...batch);
  }

  /** Refuses records from now on, and rejects those still waiting with `err`. */
  close(err: Error): void {
    this.closedWith = err;
    for (const w of this.items.splice(0)) w.reject(err);
  }

  private until(signal: AbortSignal, ms: number | null): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wake = null;
        resolve();
      };
      if (ms !== null) timer = setTimeout(done, ms);
      // A full batch ends the linger early; the first record ends the idle wait.
      this.wake = ms === null ? done : () => this.due() && done();
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

export type { Waiter as InboxItem };
