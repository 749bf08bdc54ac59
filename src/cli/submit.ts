/** `metacrawl submit`: the producer alone. */
import type { CrawlSettings } from '../config.js';
import { submitSeeds } from '../producer/index.js';
import { connectRedis } from '../redis.js';
import { type CliIO, line } from './io.js';
import { resolveRedis } from './redis-target.js';

export interface SubmitCommandOptions {
  seeds: string[];
  redisUrl: string | null;
  prefix: string;
  crawl: string;
  settings: CrawlSettings;
}

export async function submitCommand(opts: SubmitCommandOptions, io: CliIO): Promise<number> {
  const target = await resolveRedis(opts.redisUrl, null);
  const redis = connectRedis(target.url);
  try {
    const s = await submitSeeds({
      redis,
      prefix: opts.prefix,
      crawl: opts.crawl,
      settings: opts.settings,
      sources: opts.seeds,
      stdin: io.stdin,
      report: (l) => line(io.stderr, l),
    });
    line(
      io.stdout,
      `crawl ${opts.crawl}: ${s.submitted} URLs submitted, ${s.duplicates} duplicates skipped, ${s.invalid} invalid lines`,
    );
    return 0;
  } finally {
    redis.disconnect();
  }
}
