/**
 * The store writer: reads the results stream through its consumer group in batches, writes each batch
 * to SQLite in one transaction, and only then acknowledges (and deletes) the entries.
 *
 * One writer by design: the consumer name is fixed ('store-1' by default) and on start it first
 * re-reads its own pending entries (read but never acknowledged by a previous run that died), then
 * new ones. Pending entries of other consumer names are not claimed; do not run two writers.
 *
 * Counters: `stored`/`failed` in crawlStats(crawl) and the per-code counts in crawlErrors(crawl) are
 * set to the absolute counts of the crawl's rows in the database (loaded once per crawl, then kept
 * exact with each batch's net change). Absolute values instead of HINCRBY make them idempotent: a
 * replayed batch or a Redis reply lost after commit can never skew them. `firstFetchedAt`/`lastFetchedAt`
 * (epoch ms) are the crawl's min/max fetched_at in the database, for pages/s.
 */
import type { Redis } from 'ioredis';
import { keys, RESULTS_GROUP } from '../keys.js';
import { type Logger, silentLogger } from '../log.js';
import type { Db } from './db.js';
import { dropUnreadable, readEntries } from './entries.js';
import { finishWritesInThread } from './finish.js';
import type { InboxItem, RecordInbox } from './inbox.js';
import { finishWrites } from './indexes.js';
import { crawlSummary, fetchSpan } from './query.js';
import { type BatchItem, type BatchResult, type CrawlDelta, PageWriter, recordOf } from './writer.js';

export interface StoreWriterOptions {
  /** A connection of its own: the writer blocks on XREADGROUP. It is not closed by the writer. */
  redis: Redis;
  prefix: string;
  db: Db;
  batchSize?: number;
  /** How long one XREADGROUP waits for new entries (also the worst-case stop latency). */
  blockMs?: number;
  consumer?: string;
  signal: AbortSignal;
  onBatch?: (info: BatchInfo) => void;
  logger?: Logger;
  /**
   * After this long without new entries, build the indexes left off while writing (finish.ts). Unset:
   * never (`crawl` finishes once, at its end, and its writer shares the thread with a worker).
   */
  finishWhenIdleMs?: number;
  /**
   * Records handed over in memory by a worker in this process (inbox.ts), stored alongside the stream's;
   * their counters are updated through `commandRedis` (a connection that never blocks), the stream's reads
   * keep `redis`.
   */
  inbox?: RecordInbox;
  commandRedis?: Redis;
}

export interface BatchInfo extends BatchResult {
  /** Stream entries handled (and acknowledged) in this batch. */
  entries: number;
  /** Entries dropped because they were not a usable record (logged). */
  rejected: number;
  /** Whether the batch came from this consumer's pending entries (a restart or a retry). */
  pending: boolean;
  ms: number;
}

interface Counts {
  stored: number;
  failed: number;
  byError: Record<string, number>;
}

/** Buffers: a batch's ~500 records (~12 MB of JSON) wait for the writer off the JS heap. */
type Entry = [id: Buffer, fields: Buffer[] | null];

/** How long a Redis command may still take once stopping has begun. */
const GRACE_MS = 2000;

/** SQLite errors worth retrying with the same batch (the database, not the records, is the problem). */
const TRANSIENT_SQLITE = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|NOMEM|READONLY|CANTOPEN|PROTOCOL)/;

/** Runs until `signal` aborts; the batch in hand is committed and acknowledged before it returns. */
export async function runStoreWriter(opts: StoreWriterOptions): Promise<void> {
  const { redis, prefix, db, signal } = opts;
  const batchSize = opts.batchSize ?? 500;
  const blockMs = opts.blockMs ?? 1000;
  const consumer = opts.consumer ?? 'store-1';
  const log = opts.logger ?? silentLogger;
  const k = keys(prefix);
  const writer = new PageWriter(db);
  const counts = new Map<string, Counts>();
  const settingsSeen = new Set<string>();

  let groupReady = false;
  let pending = true;
  let failures = 0;
  let lastBatchAt = Date.now();
  let unfinished = false;
  // With a command connection of its own (crawl), stopping ends a blocking read in flight at once (CLIENT
  // UNBLOCK: it returns empty, as on its timeout) instead of waiting out its block time.
  let readerId: number | null = null;
  let reading = false;
  const unblock = opts.commandRedis && !redis.isCluster ? opts.commandRedis : null;
  const onStop = () => {
    if (reading && readerId !== null) unblock?.call('CLIENT', 'UNBLOCK', readerId).catch(() => {});
  };
  signal.addEventListener('abort', onStop, { once: true });

  /** `block`: wait up to blockMs for new entries (a read of '>' only). */
  const read = async (id: '0' | '>', block = id === '>'): Promise<Entry[]> => {
    const wait = block ? ['BLOCK', blockMs] : [];
    const res = (await redis.callBuffer(
      'XREADGROUP',
      'GROUP',
      RESULTS_GROUP,
      consumer,
      'COUNT',
      batchSize,
      ...wait,
      'STREAMS',
      k.results,
      id,
    )) as [string, Entry[]][] | null;
    return res?.[0]?.[1] ?? [];
  };

  const loadSettings = async (conn: Redis, crawls: Iterable<string>): Promise<void> => {
    for (const crawl of crawls) {
      if (settingsSeen.has(crawl)) continue;
      const json = await untilAborted(conn.hget(k.crawlSettings(crawl), 'settings'), signal, GRACE_MS);
      if (json === ABORTED) return;
      if (json) writer.setCrawlSettings(crawl, json);
      settingsSeen.add(crawl);
    }
  };

  // The stream's batches and the inbox's take turns: a batch's counters are sent before the next is written,
  // so the absolute counts reach Redis in the order they were computed.
  let turn: Promise<void> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = turn.then(fn);
    turn = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  };

  /**
   * Stores records (one transaction), then acknowledges `ids` and updates the counters in one MULTI on `conn`.
   * `crawls`: those of the records, whose settings are loaded first.
   */
  const store = async (
    conn: Redis,
    records: BatchItem[],
    crawls: Iterable<string>,
    ids: string[],
    info: { entries: number; rejected: number; pending: boolean; started: number },
  ): Promise<void> => {
    await loadSettings(conn, crawls);
    const { result, failedRecords } = write(writer, records, log);
    // Written: the records (and the entries' JSON) are garbage before the next batch's reply (read ahead)
    // arrives during the await below.
    records.length = 0;
    const touched = applyCounts(db, counts, result.byCrawl);
    const m = conn.multi();
    if (ids.length > 0) m.xack(k.results, RESULTS_GROUP, ...ids).xdel(k.results, ...ids);
    for (const [crawl, c] of touched) {
      m.hset(k.crawlStats(crawl), 'stored', c.stored, 'failed', c.failed).del(k.crawlErrors(crawl));
      // The span pages/s is measured over (src/throughput.ts), read from the rows just committed.
      const span = fetchSpan(db, crawl);
      if (span.firstFetchedAt && span.lastFetchedAt)
        m.hset(
          k.crawlStats(crawl),
          'firstFetchedAt',
          Date.parse(span.firstFetchedAt),
          'lastFetchedAt',
          Date.parse(span.lastFetchedAt),
        );
      if (Object.keys(c.byError).length > 0) m.hset(k.crawlErrors(crawl), c.byError);
    }
    const replies = await untilAborted(m.exec(), signal, GRACE_MS);
    if (replies === ABORTED) return;
    const bad = replies?.find(([err]) => err);
    if (bad) log.error({ err: bad[0]?.message }, 'updating the results stream or counters failed');
    opts.onBatch?.({
      ...result,
      entries: info.entries,
      rejected: info.rejected + failedRecords,
      pending: info.pending,
      ms: Date.now() - info.started,
    });
  };

  const handle = async (entries: Entry[], fromPending: boolean): Promise<void> => {
    const started = Date.now();
    const { items, crawls, rejected } = readEntries(entries, log);
    const ids = entries.map((e) => String(e[0]));
    entries.length = 0;
    await exclusive(() =>
      store(redis, items, crawls, ids, { entries: ids.length, rejected, pending: fromPending, started }),
    );
  };

  const inboxDone = opts.inbox ? drainInbox(opts.inbox) : Promise.resolve();

  /** Stores the inbox's records until stopped; what it holds when stopped is stored before it returns. */
  async function drainInbox(inbox: RecordInbox): Promise<void> {
    const conn = opts.commandRedis ?? redis;
    let failures = 0;
    for (;;) {
      const batch: InboxItem[] = await inbox.take(signal);
      if (batch.length === 0) break;
      const started = Date.now();
      try {
        const records = batch.map((w) => w.record);
        const crawls = new Set(records.map((r) => r.crawl));
        await exclusive(() =>
          store(conn, records, crawls, [], { entries: 0, rejected: 0, pending: false, started }),
        );
        for (const w of batch) w.resolve();
        failures = 0;
      } catch (err) {
        // The database refused the whole batch (busy, full disk): it is kept and tried again, as the stream's.
        failures++;
        inbox.giveBack(batch);
        const wait = Math.min(100 * 2 ** failures, 5000);
        log.warn({ err: (err as Error).message, retryInMs: wait }, 'store writer error; retrying');
        if (signal.aborted && failures > 3) {
          inbox.close(err as Error);
          break;
        }
        await sleep(wait, signal);
      }
    }
    inbox.close(new Error('store writer stopped'));
  }

  // The next batch's XREADGROUP, sent before the current batch is written (see below), or null.
  let ahead: Promise<Entry[]> | null = null;
  while (!signal.aborted || ahead) {
    try {
      if (!groupReady) {
        if ((await untilAborted(ensureGroup(redis, k.results), signal, 0)) === ABORTED) break;
        groupReady = true;
        if (unblock) readerId = (await redis.client('ID')) as number;
        if (signal.aborted) break;
      }
      // On stop, an XREADGROUP in flight is given its block time to return, and what it read is written.
      // A read ahead has no BLOCK (nothing to unblock), but a stop during it is handled the same way.
      reading = true;
      const p = ahead ?? read(pending ? '0' : '>');
      ahead = null;
      const entries = await untilAborted(p, signal, blockMs + GRACE_MS).finally(() => {
        reading = false;
      });
      if (entries === ABORTED) break;
      if (entries.length === 0) {
        pending = false;
        if (
          unfinished &&
          opts.finishWhenIdleMs !== undefined &&
          Date.now() - lastBatchAt >= opts.finishWhenIdleMs
        ) {
          unfinished = false;
          await finishIdle(db, writer, log);
        }
        continue;
      }
      // A full batch says more are waiting: the next one is asked for now (without blocking, so the batch's
      // XACK behind it on this connection is not held up), and Redis prepares it while SQLite writes this one.
      // Entries are still acknowledged only once their batch is committed: what was read ahead of a batch that
      // failed, or of a stop, is pending and read again (from '0'), as any entries read and not acknowledged.
      // Not in pending mode: a read from '0' before the acknowledgement would return this batch again.
      if (!pending && !signal.aborted && entries.length >= batchSize) ahead = read('>', false);
      await handle(entries, pending);
      lastBatchAt = Date.now();
      unfinished = true;
      failures = 0;
    } catch (err) {
      failures++;
      ahead?.catch(() => {});
      ahead = null;
      // Whatever was read but not acknowledged (read ahead included) is re-read from the pending list after the pause;
      // the group is re-ensured in case Redis lost it (NOGROUP after a restart without persistence).
      pending = true;
      groupReady = false;
      const wait = Math.min(100 * 2 ** failures, 5000);
      log.warn({ err: (err as Error).message, retryInMs: wait }, 'store writer error; retrying');
      await sleep(wait, signal);
    }
  }
  signal.removeEventListener('abort', onStop);
  await inboxDone;
}

/** Builds what the writer left off (a thread of its own keeps the process responsive); failing is not fatal. */
async function finishIdle(db: Db, writer: PageWriter, log: Logger): Promise<void> {
  const report = (m: string) => log.info(m);
  try {
    if (db.memory) finishWrites(db, report);
    else await finishWritesInThread(db.name, { report });
    writer.restartSession();
  } catch (err) {
    log.warn(
      { err: (err as Error).message },
      'building the deferred indexes failed; queries stay correct, slower',
    );
  }
}

/** The group starts at 0 so records published before the first writer ever ran are not skipped. */
async function ensureGroup(redis: Redis, stream: string): Promise<void> {
  try {
    await redis.xgroup('CREATE', stream, RESULTS_GROUP, '0', 'MKSTREAM');
  } catch (err) {
    if (!/BUSYGROUP/.test((err as Error).message)) throw err;
  }
}

/**
 * Writes the batch in one transaction; if a record (not the database) is at fault, falls back to one by one.
 * `failedRecords` counts those left out: unreadable entries (found as the writer reached them) and records
 * the store could not write, each logged once.
 */
function write(
  writer: PageWriter,
  records: BatchItem[],
  log: Logger,
): { result: BatchResult; failedRecords: number } {
  try {
    const result = writer.writeBatch(records);
    return { result, failedRecords: dropUnreadable(records, log) };
  } catch (err) {
    if (isTransient(err)) throw err;
    log.warn({ err: (err as Error).message }, 'batch failed; writing its records one by one');
  }
  const result: BatchResult = { inserted: 0, updated: 0, skipped: 0, failed: 0, byError: {}, byCrawl: {} };
  let failedRecords = 0;
  for (const item of records) {
    // Parsed again if the failed batch reached it (a record that proved unusable is not).
    const r = recordOf(item);
    if (r === null) continue;
    try {
      merge(result, writer.writeBatch([r]));
    } catch (err) {
      if (isTransient(err)) throw err;
      failedRecords++;
      log.error(
        // Never log credentials a URL may carry.
        { crawl: r.crawl, url: r.url.replace(/\/\/[^/@?#]*@/, '//'), err: (err as Error).message },
        'dropping a record the store cannot write',
      );
    }
  }
  return { result, failedRecords: failedRecords + dropUnreadable(records, log) };
}

function isTransient(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && TRANSIENT_SQLITE.test(code);
}

function addDelta(into: CrawlDelta, d: CrawlDelta): void {
  into.inserted += d.inserted;
  into.updated += d.updated;
  into.skipped += d.skipped;
  into.failed += d.failed;
  for (const [code, n] of Object.entries(d.byError)) into.byError[code] = (into.byError[code] ?? 0) + n;
}

function merge(into: BatchResult, r: BatchResult): void {
  addDelta(into, r);
  for (const [crawl, d] of Object.entries(r.byCrawl)) {
    into.byCrawl[crawl] ??= { inserted: 0, updated: 0, skipped: 0, failed: 0, byError: {} };
    addDelta(into.byCrawl[crawl], d);
  }
}

/** Keeps per-crawl counts equal to the database: loaded on first sight (after commit), then plus each delta. */
function applyCounts(
  db: Db,
  counts: Map<string, Counts>,
  byCrawl: Record<string, CrawlDelta>,
): Map<string, Counts> {
  const touched = new Map<string, Counts>();
  for (const [crawl, d] of Object.entries(byCrawl)) {
    let c = counts.get(crawl);
    if (!c) {
      const s = crawlSummary(db, crawl);
      c = { stored: s.pages, failed: s.failed, byError: s.byError };
      counts.set(crawl, c);
    } else {
      c.stored += d.inserted;
      c.failed += d.failed;
      for (const [code, n] of Object.entries(d.byError)) {
        const v = (c.byError[code] ?? 0) + n;
        if (v === 0) delete c.byError[code];
        else c.byError[code] = v;
      }
    }
    touched.set(crawl, c);
  }
  return touched;
}

const ABORTED = Symbol('aborted');

/**
 * Waits for `p`; once the signal fires, waits at most `graceMs` more and then gives up with ABORTED
 * (a command queued while Redis is down may never answer). What a given-up command did is safe:
 * entries it read stay pending and are re-read by the next run.
 */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal, graceMs: number): Promise<T | typeof ABORTED> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      timer = setTimeout(() => {
        p.catch(() => {});
        resolve(ABORTED);
      }, graceMs);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    const settle = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    p.then(
      (v) => {
        settle();
        resolve(v);
      },
      (err) => {
        settle();
        reject(err);
      },
    );
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
