/** The crawl queue (BullMQ) and crawl settings shared by producer and workers. */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { bullmq } from './deps/bullmq.js';
import { keys, QUEUE_NAME } from './keys.js';
import type { CrawlJobData } from './types.js';

export * from './crawls.js';

/**
 * The crawl queue. BullMQ names its own keys (`queue.keys.wait`, `.active`, `.delayed`, `.prioritized`, ...;
 * `queue.toKey(id)` for a job): code that reads them directly asks the queue, never spells them out.
 */
export function openQueue(connection: Redis, prefix: string): Queue<CrawlJobData> {
  return new bullmq.Queue<CrawlJobData>(QUEUE_NAME, { connection, prefix: keys(prefix).bullPrefix });
}
