import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { keys, RESULTS_GROUP } from '../../src/keys.js';
import { createLogger } from '../../src/log.js';
import { connectRedis } from '../../src/redis.js';
import { type BatchInfo, runStoreWriter } from '../../src/store/consumer.js';
import { type Db, openDb } from '../../src/store/db.js';
import { RecordInbox } from '../../src/store/inbox.js';
import { publishRecord, publishRecords } from '../../src/stream.js';
import type { PageRecord } from '../../src/types.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';
import { failRecord, okRecord, tempDir } from './records.js';

describe('store writer (results stream consumer)', () => {
  let t: ReturnType<typeof tempDir>;
  let db: Db;
  let redis: Redis;
  let reader: Redis;
  let prefix: string;
  let k: ReturnType<typeof keys>;

  beforeEach(() => {
    t = tempDir();
    db = openDb(t.dbPath);
    redis = connectRedis(testRedisUrl());
    reader = connectRedis(testRedisUrl());
    reader.on('error', () => {}); // killed on purpose in one test; ioredis reconnects
    prefix = testPrefix();
    k = keys(prefix);
  });
  afterEach(async () => {
    const leftover = await redis.keys(`${prefix}:*`);
    if (leftover.length > 0) await redis.del(...leftover);
    redis.disconnect();
    reader.disconnect();
    db.close();
    t.cleanup();
  });

  const pageCount = () => db.prepare('SELECT count(*) FROM pages').pluck().get() as number;
  const urls = () => db.prepare('SELECT url FROM pages ORDER BY url').pluck().all() as string[];

  /** Runs the writer until `until()` holds (or 15 s), then stops it and waits for it to return. */
  async function runUntil(
    until: () => boolean | Promise<boolean>,
    extra: { batchSize?: number; logLines?: string[] } = {},
  ) {
    const ac = new AbortController();
    const batches: BatchInfo[] = [];
    const lines = extra.logLines;
    const done = runStoreWriter({
      redis: reader,
      prefix,
      db,
      signal: ac.signal,
      blockMs: 100,
      batchSize: extra.batchSize ?? 50,
      onBatch: (b) => batches.push(b),
      logger: lines
        ? createLogger('warn', { pretty: false, destination: { write: (l) => lines.push(l) } })
        : undefined,
    });
    const deadline = Date.now() + 15_000;
    while (!(await until()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    ac.abort();
    await done;
    return batches;
  }

  async function waitFor(cond: () => boolean) {
    const deadline = Date.now() + 15_000;
    while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(cond()).toBe(true);
  }

  function records(n: number, crawl = 'c1'): PageRecord[] {
    return Array.from({ length: n }, (_, i) =>
      i % 10 === 9
        ? failRecord(crawl, `https://example.com/${i}`, 'HTTP_5XX', 503)
        : okRecord(crawl, `https://example.com/${i}`),
    );
  }

  it('stores published records, acknowledges and deletes the entries, and sets the crawl counters', async () => {
    const recs = records(120);
    await publishRecords(redis.pipeline(), prefix, recs.slice(0, 119)).exec();
    await publishRecord(redis, prefix, recs[119]);
    const batches = await runUntil(() => pageCount() === 120);
    expect(pageCount()).toBe(120);
    expect(batches.reduce((s, b) => s + b.inserted, 0)).toBe(120);
    expect(await redis.xlen(k.results)).toBe(0);
    const groups = (await redis.xinfo('GROUPS', k.results)) as unknown[][];
    expect(groups[0]).toEqual(expect.arrayContaining(['name', RESULTS_GROUP, 'pending', 0]));
    expect(await redis.hmget(k.crawlStats('c1'), 'stored', 'failed')).toEqual(['120', '12']);
    expect(await redis.hgetall(k.crawlErrors('c1'))).toEqual({ HTTP_5XX: '12' });
    expect(db.prepare('SELECT count(*) FROM links').pluck().get()).toBe(108 * 3);
  });

  it('stores the crawl settings published by submit', async () => {
    await redis.hset(k.crawlSettings('c1'), 'settings', '{"hostRate":3}');
    await publishRecord(redis, prefix, okRecord('c1', 'https://example.com/s'));
    await runUntil(() => pageCount() === 1);
    expect(db.prepare("SELECT settings FROM crawls WHERE name = 'c1'").pluck().get()).toBe('{"hostRate":3}');
  });

  it('re-reads its pending entries after being killed before acknowledging: no row lost, none duplicated', async () => {
    const recs = records(80);
    await publishRecords(redis.pipeline(), prefix, recs).exec();
    // A previous 'store-1' read 30 entries and died before writing or acknowledging them.
    await redis.xgroup('CREATE', k.results, RESULTS_GROUP, '0', 'MKSTREAM');
    const read = (await redis.xreadgroup(
      'GROUP',
      RESULTS_GROUP,
      'store-1',
      'COUNT',
      30,
      'STREAMS',
      k.results,
      '>',
    )) as [string, unknown[]][];
    expect(read[0][1]).toHaveLength(30);
    expect(await redis.xpending(k.results, RESULTS_GROUP)).toEqual(expect.arrayContaining([30]));

    const batches = await runUntil(async () => pageCount() === 80 && (await redis.xlen(k.results)) === 0, {
      batchSize: 20,
    });
    expect(urls()).toEqual(recs.map((r) => r.url).sort());
    expect(batches.filter((b) => b.pending).reduce((s, b) => s + b.entries, 0)).toBe(30);
    expect((await redis.xpending(k.results, RESULTS_GROUP))[0]).toBe(0);
    expect(await redis.hmget(k.crawlStats('c1'), 'stored', 'failed')).toEqual(['80', '8']);
  });

  it('reads the next batch while writing one, yet acknowledges entries only once their batch is committed', async () => {
    const recs = records(60);
    await publishRecords(redis.pipeline(), prefix, recs).exec();
    // Once the first batch is committed, another connection takes the write lock: the second batch cannot commit.
    db.pragma('busy_timeout = 20');
    const locker = openDb(t.dbPath);
    const ac = new AbortController();
    const batches: BatchInfo[] = [];
    const done = runStoreWriter({
      redis: reader,
      prefix,
      db,
      signal: ac.signal,
      blockMs: 100,
      batchSize: 20,
      onBatch: (b) => {
        batches.push(b);
        if (batches.length === 1) locker.prepare('BEGIN IMMEDIATE').run();
      },
    });
    const pendingCount = async () => Number((await redis.xpending(k.results, RESULTS_GROUP))[0]);
    const deadline = Date.now() + 15_000;
    while ((await pendingCount()) < 40 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300)); // the writer retries meanwhile (in vain)
    // The second batch was read, and the third ahead of its write: both delivered, neither acknowledged nor deleted.
    expect(await pendingCount()).toBe(40);
    expect(await redis.xlen(k.results)).toBe(40);
    expect(pageCount()).toBe(20);
    expect(await redis.hmget(k.crawlStats('c1'), 'stored')).toEqual(['20']);
    // Stopped while the lock is held: what was read stays pending for the next run.
    ac.abort();
    await done;
    expect(await pendingCount()).toBe(40);
    locker.prepare('ROLLBACK').run();
    locker.close();
    db.pragma('busy_timeout = 5000');

    const again = await runUntil(async () => (await redis.xlen(k.results)) === 0, { batchSize: 20 });
    expect(urls()).toEqual(recs.map((r) => r.url).sort());
    expect(again.filter((b) => b.pending).reduce((s, b) => s + b.entries, 0)).toBe(40);
    expect(await pendingCount()).toBe(0);
    expect(await redis.hmget(k.crawlStats('c1'), 'stored', 'failed')).toEqual(['60', '6']);
  });

  it('replays entries whose batch was committed but never acknowledged without duplicating rows or counts', async () => {
    const recs = records(40);
    await publishRecords(redis.pipeline(), prefix, recs).exec();
    await runUntil(() => pageCount() === 40);
    // Simulate "committed, then died before XACK": put the same records back as pending entries.
    await publishRecords(redis.pipeline(), prefix, recs).exec();
    await redis.xreadgroup('GROUP', RESULTS_GROUP, 'store-1', 'COUNT', 100, 'STREAMS', k.results, '>');
    await redis.hset(k.crawlStats('c1'), 'stored', '0'); // a lost counter update is repaired too
    const batches = await runUntil(async () => (await redis.xlen(k.results)) === 0);
    expect(pageCount()).toBe(40);
    expect(batches.reduce((s, b) => s + b.inserted, 0)).toBe(0);
    expect(batches.reduce((s, b) => s + b.updated, 0)).toBe(40);
    expect(await redis.hmget(k.crawlStats('c1'), 'stored', 'failed')).toEqual(['40', '4']);
    expect(await redis.hgetall(k.crawlErrors('c1'))).toEqual({ HTTP_5XX: '4' });
  });

  it('logs and acknowledges a corrupt entry without blocking the stream', async () => {
    await publishRecord(redis, prefix, okRecord('c1', 'https://example.com/before'));
    await redis.xadd(k.results, '*', 'r', '{not json');
    await redis.xadd(k.results, '*', 'other', 'field');
    await redis.xadd(k.results, '*', 'r', JSON.stringify({ crawl: 'c1' }));
    await publishRecord(redis, prefix, okRecord('c1', 'https://example.com/after'));
    const batches = await runUntil(async () => pageCount() === 2 && (await redis.xlen(k.results)) === 0);
    expect(urls()).toEqual(['https://example.com/after', 'https://example.com/before']);
    expect(batches.reduce((s, b) => s + b.rejected, 0)).toBe(3);
    expect((await redis.xpending(k.results, RESULTS_GROUP))[0]).toBe(0);
  });

  it('publishes the crawl beside the record, so the writer knows it before parsing', async () => {
    await publishRecord(redis, prefix, okRecord('c1', 'https://example.com/one'));
    await publishRecords(redis.pipeline(), prefix, [okRecord('c2', 'https://example.com/two')]).exec();
    await publishRecord(redis, prefix, failRecord('c2', 'https://example.com/three', 'HTTP_5XX', 503));
    const entries = await redis.xrange(k.results, '-', '+');
    // A record with metadata travels packed (`p`: [1, record without meta, metadata packed]), others as JSON.
    const urlOf = (f: string[]) => (f[2] === 'p' ? JSON.parse(f[3])[1].url : JSON.parse(f[3]).url);
    expect(entries.map(([, f]) => [f[0], f[1], f[2], urlOf(f)])).toEqual([
      ['c', 'c1', 'p', 'https://example.com/one'],
      ['c', 'c2', 'p', 'https://example.com/two'],
      ['c', 'c2', 'r', 'https://example.com/three'],
    ]);
    await redis.hset(k.crawlSettings('c2'), 'settings', '{"hostRate":2}');
    await runUntil(async () => pageCount() === 3 && (await redis.xlen(k.results)) === 0);
    expect(urls()).toEqual([
      'https://example.com/one',
      'https://example.com/three',
      'https://example.com/two',
    ]);
    expect(db.prepare("SELECT settings FROM crawls WHERE name = 'c2'").pluck().get()).toBe('{"hostRate":2}');
  });

  it('stores a mixed stream (entries with and without the crawl field) once each, rejecting and logging the unreadable', async () => {
    await redis.hset(k.crawlSettings('c1'), 'settings', '{"hostRate":1}');
    await redis.hset(k.crawlSettings('c2'), 'settings', '{"hostRate":2}');
    const bad: string[] = [];
    const oldStyle = (r: PageRecord) => redis.xadd(k.results, '*', 'r', JSON.stringify(r));
    const good = records(12);
    const older = records(6, 'c2').map((r) => ({ ...r, url: `${r.url}?old` }));
    for (let i = 0; i < 6; i++) {
      // Interleaved: a new publisher's entry, then an older one's (no crawl field), as during an upgrade.
      await publishRecords(redis.pipeline(), prefix, good.slice(2 * i, 2 * i + 2)).exec();
      await oldStyle(older[i]);
      if (i === 1) bad.push((await redis.xadd(k.results, '*', 'c', 'c1', 'r', '{"crawl":"c1",')) as string);
      if (i === 2)
        bad.push(
          (await redis.xadd(k.results, '*', 'c', 'c1', 'r', JSON.stringify({ crawl: 'c1' }))) as string,
        );
      if (i === 3) bad.push((await redis.xadd(k.results, '*', 'r', '{not json')) as string);
      if (i === 4) {
        // The crawl field contradicts the record: its settings may not be the record's.
        const other = JSON.stringify(okRecord('c3', 'https://example.com/c3'));
        bad.push((await redis.xadd(k.results, '*', 'c', 'c1', 'r', other)) as string);
        bad.push((await redis.xadd(k.results, '*', 'c', 'c1')) as string);
      }
    }
    const lines: string[] = [];
    const batches = await runUntil(async () => (await redis.xlen(k.results)) === 0, {
      batchSize: 7,
      logLines: lines,
    });
    expect(urls()).toEqual([...good, ...older].map((r) => r.url).sort());
    expect(batches.reduce((s, b) => s + b.inserted, 0)).toBe(18);
    expect(batches.reduce((s, b) => s + b.entries, 0)).toBe(23);
    expect(batches.reduce((s, b) => s + b.rejected, 0)).toBe(5);
    const dropped = lines
      .map((l) => JSON.parse(l))
      .filter((l) => l.msg === 'dropping unreadable results entry');
    expect(dropped.map((l) => l.id).sort()).toEqual([...bad].sort());
    expect(dropped.find((l) => l.id === bad[1])?.err).toBe('record has no url');
    expect(await redis.hmget(k.crawlStats('c1'), 'stored', 'failed')).toEqual(['12', '1']);
    expect(await redis.hmget(k.crawlStats('c2'), 'stored', 'failed')).toEqual(['6', '0']);
    expect(db.prepare('SELECT name, settings FROM crawls ORDER BY name').all()).toEqual([
      { name: 'c1', settings: '{"hostRate":1}' },
      { name: 'c2', settings: '{"hostRate":2}' },
    ]);
    expect((await redis.xpending(k.results, RESULTS_GROUP))[0]).toBe(0);
  });

  it('stores packed, JSON and crawl-less entries of the same pages as the same rows, dropping bad packed entries', async () => {
    // Each page three times: packed (this version), JSON beside its crawl (the previous one), JSON alone (older).
    const pages = records(10, 'x');
    const as = (crawl: string) => pages.map((r) => ({ ...r, crawl }));
    const packedOf = (r: PageRecord) => {
      const p = redis.pipeline();
      publishRecords(p, prefix, [r]);
      return p;
    };
    const bad: string[] = [];
    const badPacked = async (crawl: string | null, text: string) => {
      const fields = crawl === null ? ['p', text] : ['c', crawl, 'p', text];
      bad.push((await redis.xadd(k.results, '*', ...fields)) as string);
    };
    for (let i = 0; i < pages.length; i++) {
      await packedOf(as('packed')[i]).exec();
      await redis.xadd(k.results, '*', 'c', 'json', 'r', JSON.stringify(as('json')[i]));
      await redis.xadd(k.results, '*', 'r', JSON.stringify(as('older')[i]));
    }
    // A packed entry without the crawl field (not published so, but readable): parsed when read.
    const crawlless = okRecord('packed', 'https://example.com/crawlless');
    const entry = (await packedOf(crawlless).exec())?.[0]?.[1] as string;
    const [, fields] = (await redis.xrange(k.results, entry, entry))[0];
    await redis.xdel(k.results, entry);
    expect(fields.slice(0, 3)).toEqual(['c', 'packed', 'p']);
    await redis.xadd(k.results, '*', ...fields.slice(2));
    const good = fields[3];
    const parts = JSON.parse(good);
    const variant = (f: (p: unknown[]) => void) => {
      const p = structuredClone(parts);
      f(p);
      return JSON.stringify(p);
    };
    await badPacked('packed', good.slice(0, 100));
    await badPacked(
      'packed',
      variant((p) => (p[0] = 2)),
    );
    await badPacked(
      'packed',
      variant((p) => ((p[2] as unknown[][])[10] = [5])),
    );
    await badPacked('other', good);
    await badPacked(null, '[1,{}]');
    const lines: string[] = [];
    const batches = await runUntil(async () => (await redis.xlen(k.results)) === 0, {
      batchSize: 8,
      logLines: lines,
    });
    expect(batches.reduce((s, b) => s + b.entries, 0)).toBe(36);
    expect(batches.reduce((s, b) => s + b.inserted, 0)).toBe(31);
    expect(batches.reduce((s, b) => s + b.rejected, 0)).toBe(5);
    const dropped = lines
      .map((l) => JSON.parse(l))
      .filter((l) => l.msg === 'dropping unreadable results entry');
    expect(dropped.map((l) => l.id).sort()).toEqual([...bad].sort());
    expect(Object.fromEntries(dropped.map((l) => [l.id, l.err]))).toEqual({
      [bad[0]]: expect.stringContaining('entry is not valid JSON'),
      [bad[1]]: 'packed entry has unknown version 2',
      [bad[2]]: expect.stringContaining('packed metadata is malformed: '),
      [bad[3]]: 'record crawl does not match the entry\'s "c" field',
      [bad[4]]: 'packed entry is not a 5-element JSON array',
    });
    expect(await redis.hmget(k.crawlStats('packed'), 'stored', 'failed')).toEqual(['11', '1']);
    // Every row the three forms gave a page is the same (the ids, the crawl and the storing time aside).
    const rows = (crawl: string) =>
      db
        .prepare(
          `SELECT p.*, (SELECT json_group_array(json_array(url, text, rel, target)) FROM
             (SELECT * FROM links l WHERE l.page_id = p.id ORDER BY position)) AS links,
           (SELECT json_group_array(json_array(attr, key, content)) FROM
             (SELECT * FROM meta m WHERE m.page_id = p.id ORDER BY position)) AS tags,
           (SELECT json_group_array(json_array(type, json, valid, raw)) FROM
             (SELECT * FROM jsonld j WHERE j.page_id = p.id ORDER BY position)) AS blocks
           FROM pages p JOIN crawls c ON c.id = p.crawl_id
           WHERE c.name = ? AND p.url NOT LIKE '%crawlless' ORDER BY p.url`,
        )
        .all(crawl)
        .map((r) => {
          const { id, crawl_id, stored_at, ...rest } = r as Record<string, unknown>;
          return rest;
        });
    const packedRows = rows('packed');
    expect(packedRows).toHaveLength(10);
    expect(JSON.parse((packedRows[0] as { links: string }).links)).toHaveLength(3);
    expect(rows('json')).toEqual(packedRows);
    expect(rows('older')).toEqual(packedRows);
    expect(urls()).toContain('https://example.com/crawlless');
    expect((await redis.xpending(k.results, RESULTS_GROUP))[0]).toBe(0);
  });

  it('writes one by one when a record fails, parsing an unreadable entry once and logging it once', async () => {
    // A record the database refuses (not a transient error): its batch falls back to one record at a time.
    db.exec(`CREATE TEMP TRIGGER refuse BEFORE INSERT ON pages WHEN NEW.url = 'https://example.com/refused'
             BEGIN SELECT RAISE(ABORT, 'refused'); END`);
    const broken = '{"crawl":"c1","url":"https://example.com/broken"';
    await publishRecords(redis.pipeline(), prefix, records(3)).exec();
    const badId = (await redis.xadd(k.results, '*', 'c', 'c1', 'r', broken)) as string;
    await publishRecords(redis.pipeline(), prefix, [okRecord('c1', 'https://example.com/refused')]).exec();
    await publishRecords(redis.pipeline(), prefix, records(6).slice(3)).exec();
    const parse = vi.spyOn(JSON, 'parse');
    const lines: string[] = [];
    try {
      const batches = await runUntil(async () => (await redis.xlen(k.results)) === 0, { logLines: lines });
      expect(parse.mock.calls.filter(([text]) => text === broken)).toHaveLength(1);
      expect(urls()).toEqual(
        records(6)
          .map((r) => r.url)
          .sort(),
      );
      expect(batches.reduce((s, b) => s + b.rejected, 0)).toBe(2);
    } finally {
      parse.mockRestore();
    }
    const msgs = lines.map((l) => JSON.parse(l));
    expect(msgs.filter((l) => l.msg === 'dropping unreadable results entry').map((l) => l.id)).toEqual([
      badId,
    ]);
    expect(
      msgs.filter((l) => l.msg === 'dropping a record the store cannot write').map((l) => l.url),
    ).toEqual(['https://example.com/refused']);
  });

  it('counts a success that replaces a failure by moving the URL out of the failure counts', async () => {
    await publishRecord(redis, prefix, failRecord('c1', 'https://example.com/x', 'HTTP_5XX', 500));
    await runUntil(() => pageCount() === 1);
    await publishRecord(redis, prefix, okRecord('c1', 'https://example.com/x'));
    await publishRecord(redis, prefix, failRecord('c2', 'https://example.com/y', 'TLS_ERROR'));
    await runUntil(async () => (await redis.xlen(k.results)) === 0 && pageCount() === 2);
    expect(await redis.hmget(k.crawlStats('c1'), 'stored', 'failed')).toEqual(['1', '0']);
    expect(await redis.hgetall(k.crawlErrors('c1'))).toEqual({});
    expect(await redis.hmget(k.crawlStats('c2'), 'stored', 'failed')).toEqual(['1', '1']);
  });

  it('keeps going after its Redis connection is killed', async () => {
    const ac = new AbortController();
    const done = runStoreWriter({
      redis: reader,
      prefix,
      db,
      signal: ac.signal,
      blockMs: 100,
      batchSize: 10,
    });
    await publishRecords(redis.pipeline(), prefix, records(25)).exec();
    await waitFor(() => pageCount() === 25);
    await redis.client('KILL', 'ID', String(await reader.client('ID')));
    await publishRecords(redis.pipeline(), prefix, records(25, 'c2')).exec();
    await waitFor(() => pageCount() === 50);
    ac.abort();
    await done;
    expect(pageCount()).toBe(50);
    expect(await redis.hmget(k.crawlStats('c2'), 'stored', 'failed')).toEqual(['25', '2']);
  });

  it('recreates its consumer group when Redis lost it', async () => {
    const ac = new AbortController();
    const done = runStoreWriter({ redis: reader, prefix, db, signal: ac.signal, blockMs: 100 });
    await publishRecords(redis.pipeline(), prefix, records(5)).exec();
    await waitFor(() => pageCount() === 5);
    await redis.del(k.results); // as after a restart of a Redis without persistence
    await publishRecords(redis.pipeline(), prefix, records(5, 'c2')).exec();
    await waitFor(() => pageCount() === 10);
    ac.abort();
    await done;
  });

  it('stops promptly when aborted while idle', async () => {
    const ac = new AbortController();
    const done = runStoreWriter({ redis: reader, prefix, db, signal: ac.signal, blockMs: 300 });
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    ac.abort();
    await done;
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('stores records handed over in memory: each put resolves once its row is committed, stream entries too', async () => {
    const ac = new AbortController();
    const inbox = new RecordInbox(50, 10);
    const done = runStoreWriter({
      redis: reader,
      commandRedis: redis,
      inbox,
      prefix,
      db,
      signal: ac.signal,
      blockMs: 300,
    });
    // A reader on a connection of its own sees only what is committed.
    const other = openDb(t.dbPath);
    const committed = (url: string) =>
      other.prepare('SELECT count(*) FROM pages WHERE url = ?').pluck().get(url) as number;
    const recs = records(120);
    const seenAtResolve: number[] = [];
    await Promise.all(
      recs.map((r) =>
        inbox.put(r).then(() => {
          seenAtResolve.push(committed(r.url));
        }),
      ),
    );
    expect(seenAtResolve).toEqual(Array(120).fill(1));
    // Entries from the results stream (threads, other workers) are stored by the same writer meanwhile.
    await publishRecords(redis.pipeline(), prefix, records(10, 'c2')).exec();
    await waitFor(() => pageCount() === 130);
    ac.abort();
    await done;
    expect(await redis.hmget(k.crawlStats('c1'), 'stored', 'failed')).toEqual(['120', '12']);
    expect(await redis.hgetall(k.crawlErrors('c1'))).toEqual({ HTTP_5XX: '12' });
    // Stopped: a late record is refused (its job is then run again), never silently dropped.
    await expect(inbox.put(okRecord('c1', 'https://example.com/late'))).rejects.toThrow(/stopped/);
    expect(committed('https://example.com/late')).toBe(0);
    other.close();
  });

  it('stores what its inbox holds when stopped before returning', async () => {
    const ac = new AbortController();
    // A linger longer than the test: only the stop makes the batch due.
    const inbox = new RecordInbox(500, 60_000);
    const done = runStoreWriter({
      redis: reader,
      commandRedis: redis,
      inbox,
      prefix,
      db,
      signal: ac.signal,
      blockMs: 100,
    });
    const puts = records(30).map((r) => inbox.put(r));
    await new Promise((r) => setTimeout(r, 100));
    expect(pageCount()).toBe(0);
    ac.abort();
    await done;
    await Promise.all(puts);
    expect(pageCount()).toBe(30);
  });

  it('stores a batch without lingering once the inbox holds all that is to come (complete)', async () => {
    const ac = new AbortController();
    // A linger longer than the test: only complete() can make these batches due.
    const inbox = new RecordInbox(500, 60_000);
    inbox.complete = (waiting) => waiting >= 30;
    const done = runStoreWriter({
      redis: reader,
      commandRedis: redis,
      inbox,
      prefix,
      db,
      signal: ac.signal,
      blockMs: 100,
    });
    const recs = records(35);
    await Promise.all(recs.slice(0, 30).map((r) => inbox.put(r)));
    expect(pageCount()).toBe(30);
    const rest = Promise.all(recs.slice(30).map((r) => inbox.put(r)));
    await new Promise((r) => setTimeout(r, 100));
    expect(pageCount()).toBe(30);
    // What is to come changed (the crawl looked again): the batch waiting is due now.
    inbox.complete = (waiting) => waiting >= 5;
    inbox.recheck();
    await rest;
    expect(pageCount()).toBe(35);
    ac.abort();
    await done;
  });

  it('ends its blocking read at once when stopped, given a command connection (CLIENT UNBLOCK)', async () => {
    const ac = new AbortController();
    const batches: BatchInfo[] = [];
    // A block far longer than the test's timeout: only the unblock lets the writer return in time.
    const done = runStoreWriter({
      redis: reader,
      commandRedis: redis,
      prefix,
      db,
      signal: ac.signal,
      blockMs: 60_000,
      onBatch: (b) => batches.push(b),
    });
    await publishRecords(redis.pipeline(), prefix, records(10)).exec();
    await waitFor(() => pageCount() === 10);
    // The writer is blocked on its next read now.
    await new Promise((r) => setTimeout(r, 100));
    ac.abort();
    await done;
    // Whatever arrives after the stop stays in the stream for the next writer.
    await publishRecords(redis.pipeline(), prefix, records(3, 'c2')).exec();
    expect(await redis.xlen(k.results)).toBe(3);
    expect(pageCount()).toBe(10);
  });
});
