import { describe, expect, it } from 'vitest';
import { type CrawlSettings, DEFAULTS } from '../../src/config.js';
import { withWorkerDefaults } from '../../src/worker/settings.js';

const worker: CrawlSettings = { ...DEFAULTS.crawl, hostRate: 10, hostConcurrency: 4, ignoreRobots: true };

describe('crawl settings vs worker defaults', () => {
  it('uses the worker defaults for politeness settings the crawl did not set', () => {
    const crawl: CrawlSettings = { ...DEFAULTS.crawl, hostRate: 1, depth: 2, explicit: ['hostRate'] };
    const s = withWorkerDefaults(crawl, worker);
    expect(s.hostRate).toBe(1);
    expect(s.hostConcurrency).toBe(4);
    expect(s.ignoreRobots).toBe(true);
    expect(s.depth).toBe(2);
  });

  it('keeps every value of a crawl saved without the explicit list', () => {
    const crawl: CrawlSettings = { ...DEFAULTS.crawl, hostRate: 1 };
    const s = withWorkerDefaults(crawl, worker);
    expect(s.hostConcurrency).toBe(DEFAULTS.crawl.hostConcurrency);
    expect(s.ignoreRobots).toBe(false);
  });
});
