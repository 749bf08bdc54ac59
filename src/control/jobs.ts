/**
 * A crawl's jobs in the shared queue, found by their ids (`<crawl>~<url hash>`, see src/queue.ts jobId).
 * Sorted sets (prioritized, delayed) are walked with ZSCAN, which tolerates the set changing under it;
 * lists (wait, paused) with LRANGE pages, in passes until a pass finds nothing more.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CrawlJobData } from '../types.js';

export type QueueSet = 'wait' | 'paused' | 'prioritized' | 'delayed' | 'active';

const PAGE = 1000;

/** Whether a job id belongs to the crawl (crawl names cannot contain '~'). */
export function isCrawlJob(id: string, crawl: string): boolean {
  return id.startsWith(`${crawl}~`);
}

function setKey(queue: Queue<CrawlJobData>, set: QueueSet): string {
  return queue.keys[set];
}

/**
 * Calls `each` with pages of the crawl's job ids in one queue set; returns how many ids were seen.
 * `removing`: `each` takes the jobs out of the set, so lists are walked again until a pass finds none.
 */
export async function forEachCrawlJob(
  redis: Redis,
  queue: Queue<CrawlJobData>,
  crawl: string,
  set: QueueSet,
  each: (ids: string[]) => Promise<void>,
  removing = false,
): Promise<number> {
  const key = setKey(queue, set);
  let seen = 0;
  if (set === 'prioritized' || set === 'delayed') {
    let cursor = '0';
    do {
      const [next, flat] = await redis.zscan(key, cursor, 'MATCH', `${crawl}~*`, 'COUNT', PAGE);
      cursor = next;
      const ids: string[] = [];
      for (let i = 0; i < flat.length; i += 2) ids.push(flat[i]);
      if (ids.length > 0) {
        seen += ids.length;
        await each(ids);
      }
    } while (cursor !== '0');
    return seen;
  }
  // Lists: ids already handled may be seen again (an index shifted); callers' work is idempotent.
  for (let pass = 0; pass < 5; pass++) {
    let found = 0;
    const len = await redis.llen(key);
    for (let start = 0; start < len; start += PAGE) {
      const ids = (await redis.lrange(key, start, start + PAGE - 1)).filter((id) => isCrawlJob(id, crawl));
      if (ids.length > 0) {
        found += ids.length;
        await each(ids);
      }
    }
    seen += found;
    if (found === 0 || !removing) break;
  }
  return seen;
}
