/** Crawl settings travel with the crawl in Redis; workers cache them briefly and fall back to their own defaults. */
import type { Redis } from 'ioredis';
import { type CrawlSettings, WORKER_DEFAULTABLE } from '../config.js';
import { loadCrawlSettings } from '../queue.js';

export class SettingsCache {
  private readonly cache = new Map<string, { at: number; value: CrawlSettings }>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly defaults: CrawlSettings,
    private readonly ttlMs = 5000,
  ) {}

  async get(crawl: string): Promise<CrawlSettings> {
    const hit = this.cache.get(crawl);
    const now = Date.now();
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    const loaded = await loadCrawlSettings(this.redis, this.prefix, crawl);
    const value = loaded ? withWorkerDefaults(loaded, this.defaults) : this.defaults;
    this.cache.set(crawl, { at: now, value });
    return value;
  }
}

/** The crawl's settings, with the worker's defaults for the politeness settings the crawl did not set. */
export function withWorkerDefaults(crawl: CrawlSettings, worker: CrawlSettings): CrawlSettings {
  const out: CrawlSettings = { ...worker, ...crawl };
  // Crawls saved before `explicit` existed keep all their values.
  if (!crawl.explicit) return out;
  const mine = out as unknown as Record<string, unknown>;
  for (const k of WORKER_DEFAULTABLE) {
    if (!crawl.explicit.includes(k)) mine[k] = worker[k];
  }
  return out;
}
