/**
 * A crawl's control state, fleet-wide: one Redis key per crawl (absent = running). `pause`, `resume` and
 * `cancel` write it; workers read it through a short cache, so a change reaches every worker within ttlMs.
 */
import type { Redis } from 'ioredis';
import { keys } from '../keys.js';

export type ControlState = 'running' | 'paused' | 'cancelled';

/** How stale a worker's view of a crawl's state may be (pause stops new fetches within about this). */
export const CONTROL_TTL_MS = 500;

export function parseState(v: string | null): ControlState {
  return v === 'paused' || v === 'cancelled' ? v : 'running';
}

export async function readControlState(redis: Redis, prefix: string, crawl: string): Promise<ControlState> {
  return parseState(await redis.get(keys(prefix).crawlState(crawl)));
}

/**
 * Per-process cache of crawl states; one GET per crawl per ttlMs at most: the jobs that find it stale while the
 * GET is on its way share that GET (a worker of 128 in flight asked once per job, ~0.35 GETs a page).
 */
export class ControlCache {
  private readonly cache = new Map<string, { at: number; value: ControlState }>();
  private readonly loading = new Map<string, Promise<ControlState>>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlMs = CONTROL_TTL_MS,
  ) {}

  async get(crawl: string): Promise<ControlState> {
    const hit = this.cache.get(crawl);
    const now = Date.now();
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    let p = this.loading.get(crawl);
    if (!p) {
      p = readControlState(this.redis, this.prefix, crawl)
        .then((value) => {
          if (this.loading.get(crawl) === p) this.cache.set(crawl, { at: now, value });
          return value;
        })
        .finally(() => {
          if (this.loading.get(crawl) === p) this.loading.delete(crawl);
        });
      this.loading.set(crawl, p);
    }
    return p;
  }

  /** Drops a cached value (after the authoritative check disagreed), and any read on its way. */
  forget(crawl: string): void {
    this.cache.delete(crawl);
    this.loading.delete(crawl);
  }
}
