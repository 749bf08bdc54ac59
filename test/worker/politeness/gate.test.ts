import { readdirSync, readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delayedHosts, dropCrawlTurns } from '../../../src/crawl-turns.js';
import { keys } from '../../../src/keys.js';
import { connectRedis } from '../../../src/redis.js';
import { type HostLimits, PolitenessGate, resolveLimits } from '../../../src/worker/politeness/gate.js';
import { testPrefix, testRedisUrl } from '../../helpers/redis.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rand = (lo: number, hi: number) => lo + Math.random() * (hi - lo);

const conns: Redis[] = [];
function connect(): Redis {
  const c = connectRedis(testRedisUrl());
  conns.push(c);
  return c;
}

let redis: Redis;
beforeAll(() => {
  redis = connect();
});
afterAll(async () => {
  await Promise.all(conns.map((c) => c.quit()));
});

interface Grant {
  worker: number;
  atMs: number;
}

/** N workers on N connections: acquire → hold → release, or wait waitMs; returns the grants and the peak held. */
async function runFleet(opts: {
  prefix: string;
  host: string;
  limits: HostLimits;
  workers: number;
  loopsPerWorker: number;
  durationMs: number;
  holdMs: [number, number];
}) {
  const grants: Grant[] = [];
  let held = 0;
  let peak = 0;
  const deadline = Date.now() + opts.durationMs;
  // A worker that has had no turn yet keeps trying a while longer: on a loaded machine one can miss every turn of
  // a few seconds by chance (the gate is safe, not fair); one that never gets a turn is a fault.
  const lastChance = deadline + 7000;
  const served = new Set<number>();
  const loops: Promise<void>[] = [];
  for (let w = 0; w < opts.workers; w++) {
    const gate = new PolitenessGate(connect(), opts.prefix);
    for (let l = 0; l < opts.loopsPerWorker; l++) {
      loops.push(
        (async () => {
          for (let n = 0; Date.now() < (served.has(w) ? deadline : lastChance); n++) {
            const token = `w${w}:l${l}:${n}`;
            const r = await gate.acquire('c', opts.host, opts.limits, token);
            if (!r.granted) {
              expect(r.waitMs).toBeGreaterThan(0);
              await sleep(r.waitMs);
              continue;
            }
            grants.push({ worker: w, atMs: r.atMs });
            served.add(w);
            peak = Math.max(peak, ++held);
            await sleep(rand(...opts.holdMs));
            held--;
            await gate.release('c', opts.host, token);
          }
        })(),
      );
    }
  }
  await Promise.all(loops);
  return { grants, peak };
}

/** The largest number of grants in any half-open window [t, t + windowMs). */
function maxInWindow(times: number[], windowMs: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (j < t.length && t[j] < t[i] + windowMs) j++;
    best = Math.max(best, j - i);
  }
  return best;
}

describe('PolitenessGate', () => {
  it('never exceeds 5 requests per second or 2 in flight per host across three workers', async () => {
    const { grants, peak } = await runFleet({
      prefix: testPrefix(),
      host: 'a.example',
      limits: { ratePerSec: 5, concurrency: 2 },
      workers: 3,
      loopsPerWorker: 1,
      durationMs: 3000,
      holdMs: [50, 150],
    });
    expect(
      maxInWindow(
        grants.map((g) => g.atMs),
        1000,
      ),
    ).toBeLessThanOrEqual(5);
    expect(peak).toBeLessThanOrEqual(2);
    // The limiter lets the host be used at its rate (3 s at 5/s), and every worker got turns.
    expect(grants.length).toBeGreaterThanOrEqual(10);
    expect(new Set(grants.map((g) => g.worker)).size).toBe(3);
  });

  it('never has more than 2 requests in flight when concurrency is the binding limit', async () => {
    const { grants, peak } = await runFleet({
      prefix: testPrefix(),
      host: 'b.example',
      limits: { ratePerSec: 100, concurrency: 2 },
      workers: 3,
      loopsPerWorker: 2,
      durationMs: 2000,
      holdMs: [100, 300],
    });
    expect(peak).toBe(2);
    expect(
      maxInWindow(
        grants.map((g) => g.atMs),
        1000,
      ),
    ).toBeLessThanOrEqual(100);
    expect(grants.length).toBeGreaterThanOrEqual(8);
  });

  it('spaces grants by 1/rate on the Redis clock, and says how long to wait', async () => {
    const gate = new PolitenessGate(redis, testPrefix());
    const limits = { ratePerSec: 2, concurrency: 0 };
    const first = await gate.acquire('c', 'c.example', limits, 't1');
    expect(first.granted).toBe(true);
    const second = await gate.acquire('c', 'c.example', limits, 't2');
    expect(second).toMatchObject({ granted: false, reason: 'rate' });
    if (second.granted) return;
    expect(second.waitMs).toBeGreaterThan(400);
    expect(second.waitMs).toBeLessThanOrEqual(500);
    await sleep(second.waitMs);
    const third = await gate.acquire('c', 'c.example', limits, 't3');
    expect(third.granted).toBe(true);
    if (first.granted && third.granted) expect(third.atMs - first.atMs).toBeGreaterThanOrEqual(500);
  });

  it('gives back a slot that is never released after leaseMs', async () => {
    const gate = new PolitenessGate(redis, testPrefix(), { leaseMs: 300 });
    const limits = { ratePerSec: Number.POSITIVE_INFINITY, concurrency: 1 };
    expect((await gate.acquire('c', 'd.example', limits, 'dead-worker')).granted).toBe(true);
    const blocked = await gate.acquire('c', 'd.example', limits, 'live-worker');
    expect(blocked).toMatchObject({ granted: false, reason: 'concurrency' });
    if (!blocked.granted) expect(blocked.waitMs).toBeLessThanOrEqual(300);
    await sleep(350);
    expect((await gate.acquire('c', 'd.example', limits, 'live-worker')).granted).toBe(true);
  });

  it('frees the slot on release, and a double release is harmless', async () => {
    const gate = new PolitenessGate(redis, testPrefix());
    const limits = { ratePerSec: 0, concurrency: 1 };
    expect((await gate.acquire('c', 'e.example', limits, 'a')).granted).toBe(true);
    expect((await gate.acquire('c', 'e.example', limits, 'b')).granted).toBe(false);
    await gate.release('c', 'e.example', 'a');
    await gate.release('c', 'e.example', 'a');
    expect((await gate.acquire('c', 'e.example', limits, 'b')).granted).toBe(true);
    expect((await gate.acquire('c', 'e.example', limits, 'c')).granted).toBe(false);
  });

  it('pauses a host for every connection of the fleet', async () => {
    const prefix = testPrefix();
    const gates = [0, 1, 2].map(() => new PolitenessGate(connect(), prefix));
    await gates[0].pause('f.example', 2000, '503 Retry-After');
    for (const [i, gate] of gates.entries()) {
      const r = await gate.acquire('c', 'f.example', { ratePerSec: 0, concurrency: 0 }, `t${i}`);
      expect(r).toMatchObject({ granted: false, reason: 'paused' });
      if (!r.granted) {
        expect(r.waitMs).toBeGreaterThan(1500);
        expect(r.waitMs).toBeLessThanOrEqual(2000);
      }
    }
    const paused = await gates[1].pausedHosts();
    expect(paused).toHaveLength(1);
    expect(paused[0]).toMatchObject({ host: 'f.example', reason: '503 Retry-After' });
    expect(paused[0].untilMs).toBeGreaterThan(Date.now() + 1500);
    // A shorter pause never shortens the one in force.
    await gates[2].pause('f.example', 10, 'short');
    const again = await gates[2].acquire('c', 'f.example', { ratePerSec: 0, concurrency: 0 }, 'x');
    expect(again).toMatchObject({ granted: false, reason: 'paused' });
  });

  it('sends a release with the next acquire, in front of it, and not before (nor later than flush)', async () => {
    const prefix = testPrefix();
    const slots = keys(prefix).crawlHostSlots('c', 'r.example');
    // A linger no test waits out: only an acquire or flush() can send the release.
    const gate = new PolitenessGate(redis, prefix, { releaseLingerMs: 60_000 });
    const one = { ratePerSec: 0, concurrency: 1 };
    expect((await gate.acquire('c', 'r.example', one, 'a')).granted).toBe(true);
    const released = gate.release('c', 'r.example', 'a');
    await sleep(50);
    expect(await redis.zrange(slots, 0, -1)).toEqual(['a']);
    // The acquire finds the slot free: the release went first, in the same pipeline.
    expect((await gate.acquire('c', 'r.example', one, 'b')).granted).toBe(true);
    await released;
    expect(await redis.zrange(slots, 0, -1)).toEqual(['b']);
    const again = gate.release('c', 'r.example', 'b');
    await gate.flush();
    await again;
    expect(await redis.zcard(slots)).toBe(0);
  });

  it('lists no host once its pause is over', async () => {
    const gate = new PolitenessGate(redis, testPrefix());
    await gate.pause('g.example', 100, 'brief');
    expect(await gate.pausedHosts()).toHaveLength(1);
    await sleep(150);
    expect(await gate.pausedHosts()).toEqual([]);
    expect((await gate.acquire('c', 'g.example', { ratePerSec: 1, concurrency: 1 }, 't')).granted).toBe(true);
  });

  it('publishes pauses in the shared paused-hosts hash and sweeps ended ones', async () => {
    const prefix = testPrefix();
    const k = keys(prefix);
    const gate = new PolitenessGate(redis, prefix);
    // 70 ended pauses (written directly: no timing involved) and one in force.
    const ended = Object.fromEntries(
      Array.from({ length: 70 }, (_, i) => [
        `old${i}.example`,
        JSON.stringify({ untilMs: 1, reason: 'brief' }),
      ]),
    );
    await redis.hset(k.pausedHosts, ended);
    await gate.recordHostEvent('now.example', 'throttled', 5000);
    const raw = await redis.hgetall(k.pausedHosts);
    expect(JSON.parse(raw['now.example'])).toEqual({
      untilMs: expect.any(Number),
      reason: 'throttled, Retry-After 5s',
    });
    // Past 64 entries, the next pause sweeps the ended ones and keeps those in force.
    await gate.pause('later.example', 1000, 'manual');
    expect(Object.keys(await redis.hgetall(k.pausedHosts)).sort()).toEqual(['later.example', 'now.example']);
    expect((await gate.pausedHosts()).map((p) => p.host)).toEqual(['later.example', 'now.example']);
  });

  it('doubles the pause per consecutive throttle or connection failure, and resets on ok', async () => {
    const gate = new PolitenessGate(redis, testPrefix(), { backoffBaseMs: 100 });
    const host = 'h.example';
    expect(await gate.recordHostEvent(host, 'throttled', null)).toBe(100);
    // Failures already in flight when the pause began do not double it again.
    expect(await gate.recordHostEvent(host, 'throttled', null)).toBeLessThanOrEqual(100);
    await sleep(110);
    expect(await gate.recordHostEvent(host, 'throttled', null)).toBe(200);
    await sleep(210);
    expect(await gate.recordHostEvent(host, 'conn-failure', null)).toBe(400);
    await sleep(410);
    expect(await gate.recordHostEvent(host, 'ok', null)).toBe(0);
    expect(await gate.recordHostEvent(host, 'conn-failure', null)).toBe(100);
  });

  it('resets the streak when a successful request gives its slot back (release with ok), not on a plain release', async () => {
    const gate = new PolitenessGate(redis, testPrefix(), { backoffBaseMs: 100 });
    const host = 'r.example';
    const limits = { ratePerSec: 0, concurrency: 2 };
    expect(await gate.recordHostEvent(host, 'conn-failure', null)).toBe(100);
    await sleep(110);
    // A failed request gives its slot back without resetting: the next failure doubles.
    expect((await gate.acquire('c', host, limits, 'a')).granted).toBe(true);
    await gate.release('c', host, 'a');
    expect(await gate.recordHostEvent(host, 'conn-failure', null)).toBe(200);
    await sleep(210);
    expect((await gate.acquire('c', host, limits, 'b')).granted).toBe(true);
    await gate.release('c', host, 'b', true);
    expect(await gate.recordHostEvent(host, 'conn-failure', null)).toBe(100);
  });

  it('caps the doubling and honours Retry-After up to the cap', async () => {
    const gate = new PolitenessGate(redis, testPrefix(), { backoffBaseMs: 50 });
    const host = 'i.example';
    const pauses: number[] = [];
    for (let i = 0; i < 4; i++) {
      pauses.push(await gate.recordHostEvent(host, 'throttled', null, 120));
      await sleep(pauses[i] + 10);
    }
    expect(pauses).toEqual([50, 100, 120, 120]);
    expect(await gate.recordHostEvent('j.example', 'throttled', 5000, 1000)).toBe(1000);
    expect(await gate.recordHostEvent('k.example', 'throttled', 1500)).toBe(1500);
    const r = await gate.acquire('c', 'k.example', { ratePerSec: 0, concurrency: 0 }, 't');
    expect(r).toMatchObject({ granted: false, reason: 'paused' });
    // A Retry-After arriving during a pause can extend it.
    expect(await gate.recordHostEvent('k.example', 'throttled', 3000)).toBeGreaterThan(2900);
  });

  it('starts the backoff at 1 s by default', async () => {
    const gate = new PolitenessGate(redis, testPrefix());
    expect(await gate.recordHostEvent('l.example', 'conn-failure', null)).toBe(1000);
  });

  it('never delays an unlimited host because of a limited or paused one', async () => {
    const gate = new PolitenessGate(redis, testPrefix());
    expect((await gate.acquire('c', 'slow.example', { ratePerSec: 0.1, concurrency: 1 }, 's1')).granted).toBe(
      true,
    );
    await gate.pause('paused.example', 60_000, 'test');
    const unlimited = { ratePerSec: Number.POSITIVE_INFINITY, concurrency: Number.POSITIVE_INFINITY };
    for (let i = 0; i < 50; i++) {
      expect((await gate.acquire('c', 'fast.example', unlimited, `f${i}`)).granted).toBe(true);
    }
    expect((await gate.acquire('c', 'slow.example', { ratePerSec: 0.1, concurrency: 1 }, 's2')).granted).toBe(
      false,
    );
  });

  it('books waiting callers one turn apart, queues newcomers behind them, and lets a pause void the book', async () => {
    const prefix = testPrefix();
    const gate = new PolitenessGate(redis, prefix);
    const tail = async () => Number(await redis.hget(keys(prefix).crawlHostState('c', 'q.example'), 'tail'));
    // 2/s: slow enough that a loaded machine does not reach the next slot between two calls.
    const limits = { ratePerSec: 2, concurrency: 0 };
    expect((await gate.acquire('c', 'q.example', limits, 't0', 'book')).granted).toBe(true);
    const tails: number[] = [];
    for (let i = 1; i <= 5; i++) {
      const r = await gate.acquire('c', 'q.example', limits, `t${i}`, 'book');
      expect(r).toMatchObject({ granted: false, reason: 'rate', booked: true });
      tails.push(await tail());
    }
    // One turn each, 1/rate (500 ms) plus slack (5%) apart: they will not all wake at once.
    for (let i = 1; i < tails.length; i++) expect(tails[i] - tails[i - 1]).toBeGreaterThanOrEqual(525_000);
    // A plain caller (a robots.txt fetch) is told the next free slot, not a turn, and books nothing.
    const plain = await gate.acquire('c', 'q.example', limits, 'plain', 'plain');
    expect(plain).toMatchObject({ granted: false, booked: false });
    if (!plain.granted) expect(plain.waitMs).toBeLessThanOrEqual(500);
    expect(await tail()).toBe(tails[4]);
    // Once the slot is free a booked caller takes it, while a newcomer still queues behind the booked turns.
    await sleep(520);
    expect((await gate.acquire('c', 'q.example', limits, 'late', 'book')).granted).toBe(false);
    expect(await tail()).toBeGreaterThan(tails[4]);
    expect((await gate.acquire('c', 'q.example', limits, 't1', 'booked')).granted).toBe(true);
    // The backlog is visible to `status`, with the limit behind it.
    const delayed = await delayedHosts(redis, prefix, 'c');
    expect(delayed.hosts).toEqual([
      { host: 'q.example', crawl: 'c', untilMs: expect.any(Number), reason: 'rate 2/s' },
    ]);
    // A pause voids the book: a waiting caller's turn is the pause's end, not the old tail.
    await gate.pause('q.example', 300, 'test');
    const after = await gate.acquire('c', 'q.example', limits, 't2', 'booked');
    expect(after).toMatchObject({ granted: false, reason: 'paused', booked: true });
    if (!after.granted) expect(after.waitMs).toBeLessThanOrEqual(300);
  });

  it('keeps every host key expiring', async () => {
    const prefix = testPrefix();
    const k = keys(prefix);
    const gate = new PolitenessGate(redis, prefix, { idleMs: 5000 });
    await gate.acquire('c', 'm.example', { ratePerSec: 1, concurrency: 1 }, 't');
    await gate.release('c', 'm.example', 't');
    await gate.acquire('c', 'm.example', { ratePerSec: 0, concurrency: 0 }, 'u');
    await gate.recordHostEvent('n.example', 'throttled', 2000);
    await gate.recordHostEvent('o.example', 'ok', null);
    const all = await redis.keys(`${prefix}:*`);
    expect(all.sort()).toEqual(
      [
        k.hostState('m.example'),
        k.crawlHostState('c', 'm.example'),
        k.crawlHostSlots('c', 'm.example'),
        k.hostState('n.example'),
        k.pausedHosts,
      ].sort(),
    );
    for (const key of all) {
      const ttl = await redis.pttl(key);
      expect(ttl, key).toBeGreaterThan(0);
      expect(ttl, key).toBeLessThanOrEqual(70_000);
    }
  });
});

describe('PolitenessGate across crawls', () => {
  const unlimited = { ratePerSec: Number.POSITIVE_INFINITY, concurrency: Number.POSITIVE_INFINITY };

  it("counts each crawl's requests against its own rate and concurrency only", async () => {
    const prefix = testPrefix();
    const gate = new PolitenessGate(redis, prefix);
    const slow = { ratePerSec: 1, concurrency: 1 };
    expect((await gate.acquire('slow', 'x.example', slow, 's0', 'book')).granted).toBe(true);
    // The slow crawl's waiting jobs book turns a minute ahead...
    for (let i = 1; i <= 60; i++)
      expect(await gate.acquire('slow', 'x.example', slow, `s${i}`, 'book')).toMatchObject({ booked: true });
    const [booked] = (await delayedHosts(redis, prefix, 'slow')).hosts;
    expect(booked.untilMs - Date.now()).toBeGreaterThan(55_000);
    // ...which bind none of another crawl's jobs, nor does its lease: that crawl's own limits decide.
    for (let i = 0; i < 5; i++)
      expect((await gate.acquire('quick', 'x.example', unlimited, `q${i}`, 'book')).granted).toBe(true);
    const two = { ratePerSec: 2, concurrency: 1 };
    // The slow crawl holds its one lease (s0): a crawl of concurrency 1 still gets its own.
    expect((await gate.acquire('paced', 'x.example', two, 'p0', 'book')).granted).toBe(true);
    await gate.release('paced', 'x.example', 'p0');
    const p1 = await gate.acquire('paced', 'x.example', two, 'p1', 'book');
    expect(p1).toMatchObject({ granted: false, booked: true });
    if (!p1.granted) expect(p1.waitMs).toBeLessThanOrEqual(600);
    expect(await delayedHosts(redis, prefix, 'quick')).toEqual({ total: 0, hosts: [] });
  });

  it("holds every crawl while the host is paused, and voids every crawl's book", async () => {
    const prefix = testPrefix();
    const gate = new PolitenessGate(redis, prefix);
    const slow = { ratePerSec: 0.5, concurrency: 0 };
    expect((await gate.acquire('a', 'y.example', slow, 'a0', 'book')).granted).toBe(true);
    for (let i = 1; i <= 10; i++) await gate.acquire('a', 'y.example', slow, `a${i}`, 'book');
    await gate.recordHostEvent('y.example', 'throttled', 300);
    for (const [crawl, mode] of [
      ['a', 'booked'],
      ['a', 'book'],
      ['b', 'book'],
    ] as const) {
      const r = await gate.acquire(crawl, 'y.example', unlimited, `${crawl}-${mode}`, mode);
      expect(r, `${crawl} ${mode}`).toMatchObject({ granted: false, reason: 'paused' });
      // Booked again from the pause's end, not behind the 20 s of turns booked before it.
      if (!r.granted) expect(r.waitMs, `${crawl} ${mode}`).toBeLessThanOrEqual(300);
    }
  });

  it("spaces every crawl's requests by the host's Crawl-delay", async () => {
    const prefix = testPrefix();
    const gate = new PolitenessGate(redis, prefix);
    const delayed = resolveLimits('z.example', unlimited, {}, 1);
    expect(delayed).toMatchObject({ ratePerSec: 1, hostFloorPerSec: 1 });
    expect((await gate.acquire('a', 'z.example', delayed, 'a0')).granted).toBe(true);
    // Another crawl that obeys robots.txt waits for the floor, though it has never asked before.
    const b = await gate.acquire('b', 'z.example', delayed, 'b0');
    expect(b).toMatchObject({ granted: false, reason: 'rate' });
    if (!b.granted) expect(b.waitMs).toBeLessThanOrEqual(1000);
    // A crawl that ignores robots.txt knows no Crawl-delay: only its own limits apply.
    expect((await gate.acquire('c', 'z.example', unlimited, 'c0')).granted).toBe(true);
    const booked = await gate.acquire('b', 'z.example', delayed, 'b1', 'book');
    expect(booked).toMatchObject({ granted: false, booked: true });
    expect((await delayedHosts(redis, prefix, 'b')).hosts).toEqual([
      { host: 'z.example', crawl: 'b', untilMs: expect.any(Number), reason: 'Crawl-delay 1s' },
    ]);
  });

  it("drops a crawl's booked turns and leases, and only that crawl's", async () => {
    const prefix = testPrefix();
    const k = keys(prefix);
    const gate = new PolitenessGate(redis, prefix);
    const limits = { ratePerSec: 1, concurrency: 1 };
    for (const crawl of ['gone', 'kept']) {
      expect((await gate.acquire(crawl, 'w.example', limits, `${crawl}0`, 'book')).granted).toBe(true);
      for (let i = 1; i <= 5; i++) await gate.acquire(crawl, 'w.example', limits, `${crawl}${i}`, 'book');
      await gate.acquire(crawl, 'v.example', limits, `${crawl}-v0`, 'book');
      await gate.acquire(crawl, 'v.example', limits, `${crawl}-v1`, 'book');
    }
    expect(await dropCrawlTurns(redis, prefix, 'gone')).toBe(2);
    expect(await redis.keys(`${prefix}:crawl:gone:*`)).toEqual([]);
    expect(await delayedHosts(redis, prefix, 'gone')).toEqual({ total: 0, hosts: [] });
    expect((await delayedHosts(redis, prefix, 'kept')).total).toBe(2);
    expect(
      await redis.exists(k.crawlHostState('kept', 'w.example'), k.crawlHostSlots('kept', 'w.example')),
    ).toBe(2);
    // Dropping again finds nothing.
    expect(await dropCrawlTurns(redis, prefix, 'gone')).toBe(0);
  });
});

describe('Lua scripts', () => {
  const dir = new URL('../../../src/worker/lua/', import.meta.url);
  it.each(readdirSync(dir).filter((f) => f.endsWith('.lua')))(
    '%s states KEYS, ARGV and the return value',
    (f) => {
      const src = readFileSync(new URL(f, dir), 'utf8');
      expect(src).toMatch(/KEYS\[1\]/);
      expect(src).toMatch(/ARGV\[1\]/);
      expect(src).toMatch(/Returns/);
    },
  );
});

describe('gate-batch.lua', () => {
  type Step =
    | {
        kind: 'acquire';
        crawl: string;
        host: string;
        limits: HostLimits;
        token: string;
        mode: 'plain' | 'book' | 'booked';
      }
    | { kind: 'release'; crawl: string; host: string; token: string; ok: boolean };
  const A = { ratePerSec: 0, concurrency: 1 };
  const B = { ratePerSec: 2, concurrency: 0 };
  const C = { ratePerSec: 1, concurrency: 0, hostFloorPerSec: 1 };
  // Grants, refusals for concurrency, rate, the host's floor and a pause, booked turns, releases (ok or not) of
  // leases held and of none.
  const steps: Step[] = [
    { kind: 'acquire', crawl: 'c', host: 'a.example', limits: A, token: 't1', mode: 'book' },
    { kind: 'acquire', crawl: 'c', host: 'a.example', limits: A, token: 't2', mode: 'book' },
    { kind: 'acquire', crawl: 'c', host: 'b.example', limits: B, token: 't3', mode: 'plain' },
    { kind: 'acquire', crawl: 'c', host: 'b.example', limits: B, token: 't4', mode: 'plain' },
    { kind: 'release', crawl: 'c', host: 'a.example', token: 't1', ok: true },
    { kind: 'acquire', crawl: 'c', host: 'a.example', limits: A, token: 't5', mode: 'booked' },
    { kind: 'release', crawl: 'c', host: 'x.example', token: 'none', ok: false },
    { kind: 'acquire', crawl: 'd', host: 'c.example', limits: C, token: 't6', mode: 'book' },
    { kind: 'acquire', crawl: 'e', host: 'c.example', limits: C, token: 't7', mode: 'book' },
    { kind: 'acquire', crawl: 'c', host: 'p.example', limits: A, token: 't8', mode: 'book' },
    { kind: 'acquire', crawl: 'c', host: 'p.example', limits: A, token: 't9', mode: 'plain' },
    { kind: 'release', crawl: 'c', host: 'b.example', token: 't3', ok: true },
  ];

  /** Every key of the prefix with its value, times (scores, µs/ms fields, hold) left out: the runs differ by them. */
  async function state(prefix: string) {
    const out: Record<string, unknown> = {};
    for (const key of (await redis.keys(`${prefix}:*`)).sort()) {
      const name = key.slice(prefix.length);
      const type = await redis.type(key);
      if (type === 'hash') {
        const h = await redis.hgetall(key);
        for (const f of ['last', 'next', 'tail', 'hold', 'pausedUntil']) if (f in h) h[f] = '<time>';
        if (h.pauseReason === undefined && name.startsWith(':paused'))
          for (const f of Object.keys(h)) h[f] = '<json>';
        out[name] = h;
      } else if (type === 'zset') out[name] = await redis.zrange(key, 0, -1);
      else out[name] = type;
      expect(await redis.pttl(key), key).toBeGreaterThan(0);
    }
    return out;
  }
  const shape = (r: unknown) =>
    typeof r === 'object' && r !== null && 'granted' in r
      ? r.granted
        ? { granted: true }
        : { ...r, waitMs: '<ms>' }
      : r;

  it('gives the replies and leaves the state of acquire.lua and release.lua run one after another', async () => {
    const one = testPrefix();
    const batched = testPrefix();
    for (const prefix of [one, batched])
      await new PolitenessGate(redis, prefix).pause('p.example', 60_000, 'test');
    // One after another: each step its own script call, in a pipeline (what the gate sent before the batch).
    // A gate defines its scripts' commands (mcGateAcquire, mcGateRelease) on the connection.
    new PolitenessGate(redis, one);
    const k = keys(one);
    const pipe = redis.pipeline() as unknown as Record<string, (...a: unknown[]) => unknown> & {
      exec(): Promise<Array<[Error | null, unknown]>>;
    };
    for (const s of steps) {
      if (s.kind === 'acquire')
        pipe.mcGateAcquire(
          k.hostState(s.host),
          k.crawlHostState(s.crawl, s.host),
          k.crawlHostSlots(s.crawl, s.host),
          k.crawlDelayedHosts(s.crawl),
          s.token,
          s.limits.ratePerSec,
          s.limits.concurrency,
          60_000,
          600_000,
          { plain: 0, book: 1, booked: 2 }[s.mode],
          s.host,
          s.limits.hostFloorPerSec ?? 0,
        );
      else
        pipe.mcGateRelease(
          k.hostState(s.host),
          k.crawlHostSlots(s.crawl, s.host),
          s.token,
          60_000,
          600_000,
          s.ok ? '1' : '0',
          0,
        );
    }
    const alone = (await pipe.exec()).map(([err, r]) => {
      expect(err).toBeNull();
      return r;
    });
    // Batched: every step asked in one turn, so the gate sends them as one gate-batch.lua call.
    const bgate = new PolitenessGate(redis, batched);
    const replies = await Promise.all(
      steps.map((s) =>
        s.kind === 'acquire'
          ? bgate.acquire(s.crawl, s.host, s.limits, s.token, s.mode)
          : bgate.release(s.crawl, s.host, s.token, s.ok).then(() => 'released'),
      ),
    );
    const expected = alone.map((r, i) => {
      if (steps[i].kind === 'release') return 'released';
      const a = r as [number, number, string?, number?];
      return shape(a[0] === 1 ? { granted: true } : { granted: false, reason: a[2], booked: a[3] === 1 });
    });
    expect(replies.map(shape)).toEqual(expected);
    // Every kind of answer is in the scenario.
    expect(expected).toContainEqual({ granted: true });
    for (const reason of ['concurrency', 'rate', 'paused'])
      expect(expected).toContainEqual(expect.objectContaining({ granted: false, reason }));
    expect(expected).toContainEqual(expect.objectContaining({ booked: true }));
    expect(alone.filter((_r, i) => steps[i].kind === 'release')).toEqual([1, 0, 1]);
    expect(await state(batched)).toEqual(await state(one));
  });

  it('fails only the step that failed, as a pipeline would', async () => {
    const prefix = testPrefix();
    const k = keys(prefix);
    // A host state that is not a hash: every script step that reads it fails.
    await redis.set(k.hostState('bad.example'), 'x', 'PX', 60_000);
    const gate = new PolitenessGate(redis, prefix, { releaseLingerMs: 60_000 });
    const lim = { ratePerSec: 0, concurrency: 2 };
    const [good, bad, later] = await Promise.allSettled([
      gate.acquire('c', 'ok.example', lim, 'a'),
      gate.acquire('c', 'bad.example', lim, 'b'),
      gate.acquire('c', 'ok.example', lim, 'c'),
    ]);
    expect(good).toMatchObject({ status: 'fulfilled', value: { granted: true } });
    expect(bad.status).toBe('rejected');
    expect(String((bad as PromiseRejectedResult).reason)).toMatch(/WRONGTYPE/);
    expect(later).toMatchObject({ status: 'fulfilled', value: { granted: true } });
    expect(await redis.zrange(k.crawlHostSlots('c', 'ok.example'), 0, -1)).toEqual(['a', 'c']);
  });
});
