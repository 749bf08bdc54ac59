/**
 * Redis memory per URL, measured on a private redis-server with the real submit, worker and store writer.
 * The README states the 100,000-URL figures (tools/redis-memory.ts); this guards the bounds cheaply.
 */
import { describe, expect, it } from 'vitest';
import { measureRedisMemory } from '../../tools/redis-memory.js';
import { tempDir } from './helpers.js';

describe('Redis memory', () => {
  it('stays under 2,000 bytes per queued URL and 200 bytes per finished URL', async () => {
    const r = await measureRedisMemory({ urls: 600, hosts: 4, firstOctet: 120, dir: tempDir('memory') });
    expect(r.urls).toBe(600);
    expect(r.queued.perUrlWithoutEvents).toBeGreaterThan(0);
    expect(r.queued.perUrlWithoutEvents).toBeLessThan(2000);
    // Finished jobs leave nothing in the queue; what stays per URL is its dedupe entry.
    expect(r.finished.perUrlWithoutEvents).toBeLessThan(200);
    expect(Object.keys(r.finished.byKind).filter((k) => k.includes('<job>'))).toEqual([]);
    expect(r.finished.byKind['mem:crawl:prioritized']).toBeUndefined();
    // BullMQ's events stream is capped (~10,000 entries): a constant, not a cost per URL.
    expect(r.finished.eventsStream).toBeLessThan(3_000_000);
  });
});
