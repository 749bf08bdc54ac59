/** Crawl settings travel with the crawl in Redis; workers cache them briefly and fall back to their own defaults. */
import type { Redis } from 'ioredis';
import type { CrawlSettings } from '../config.js';
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
    const value = loaded ? { ...this.defaults, ...loaded } : this.defaults;
    this.cache.set(crawl, { at: now, value });
    return value;
  }
}
