/** The producer role: seed sources → normalized, deduplicated jobs in the crawl queue. */
import type { Redis } from 'ioredis';
import type { CrawlSettings } from '../config.js';
import { keys } from '../keys.js';
import { openQueue, saveCrawlSettings } from '../queue.js';
import { formatProblem, normalizeSeeds, readSeeds } from './seeds.js';
import { type SubmitItem, Submitter } from './submit.js';

export interface SubmitSummary {
  read: number;
  submitted: number;
  duplicates: number;
  invalid: number;
}

export interface SubmitOptions {
  redis: Redis;
  prefix: string;
  crawl: string;
  settings: CrawlSettings;
  sources: string[];
  stdin?: NodeJS.ReadableStream;
  /** Where bad seed lines are reported (`file:line: reason`). */
  report?: (line: string) => void;
  batchSize?: number;
}

export async function submitSeeds(opts: SubmitOptions): Promise<SubmitSummary> {
  const { redis, prefix, crawl, settings } = opts;
  const report = opts.report ?? ((l: string) => process.stderr.write(`${l}\n`));
  const batchSize = opts.batchSize ?? 1000;
  await saveCrawlSettings(redis, prefix, crawl, settings);
  const queue = openQueue(redis, prefix);
  const submitter = new Submitter(redis, queue, prefix, crawl, settings);
  const summary: SubmitSummary = { read: 0, submitted: 0, duplicates: 0, invalid: 0 };
  let batch: SubmitItem[] = [];
  const flush = async () => {
    const r = await submitter.addSeeds(batch);
    summary.submitted += r.added;
    summary.duplicates += r.duplicates;
    batch = [];
  };
  try {
    for (const source of opts.sources) {
      const lines = readSeeds(source, { stdin: opts.stdin });
      for await (const r of normalizeSeeds(lines, {
        maxUrlLength: settings.maxUrlLength,
        stripParams: settings.stripParams,
        sortQuery: settings.sortQuery,
      })) {
        summary.read++;
        if (!r.ok) {
          summary.invalid++;
          report(formatProblem(r.problem));
          continue;
        }
        batch.push({ url: r.url, depth: 0, from: null, seed: r.url });
        if (batch.length >= batchSize) await flush();
      }
    }
    await flush();
  } finally {
    await queue.close();
  }
  const k = keys(prefix);
  await redis
    .multi()
    .hincrby(k.crawlStats(crawl), 'invalid', summary.invalid)
    .hset(k.crawlStats(crawl), 'submitDone', '1')
    .exec();
  return summary;
}
