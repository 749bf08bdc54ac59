/** The crawl queue (BullMQ) and crawl settings shared by producer and workers. */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { keys, QUEUE_NAME } from './keys.js';
import type { CrawlJobData } from './types.js';

export * from './crawls.js';

export function openQueue(connection: Redis, prefix: string): Queue<CrawlJobData> {
  return new Queue<CrawlJobData>(QUEUE_NAME, { connection, prefix: keys(prefix).bullPrefix });
}
