/** `metacrawl submit`: the producer alone. */
import { type CrawlSettings, DEFAULTS } from '../config.js';
import { checkSeedArgs, noSeedsWarning, submitSeeds } from '../producer/index.js';
import { type CliIO, line } from './io.js';
import { resolveRedis, withRedis } from './redis-target.js';

export interface SubmitCommandOptions {
  seeds: string[];
  redisUrl: string | null;
  prefix: string;
  crawl: string;
  settings: CrawlSettings;
  /** --sitemap locations and --sitemaps-from-robots (see producer/seed-urls.ts). */
  sitemaps?: string[];
  sitemapsFromRobots?: boolean;
  /** --allow-private for sitemap and robots.txt fetches. */
  allowPrivate?: boolean | string[];
  /** --redis-timeout: how long a Redis outage is survived. */
  redisTimeoutMs?: number;
}

export async function submitCommand(opts: SubmitCommandOptions, io: CliIO): Promise<number> {
  checkSeedArgs(opts.seeds);
  const target = await resolveRedis(opts.redisUrl, null);
  return withRedis(target.url, opts.redisTimeoutMs, async (redis) => {
    const s = await submitSeeds({
      redis,
      prefix: opts.prefix,
      crawl: opts.crawl,
      settings: opts.settings,
      sources: opts.seeds,
      stdin: io.stdin,
      report: (l) => line(io.stderr, l),
      sitemaps: opts.sitemaps,
      sitemapsFromRobots: opts.sitemapsFromRobots,
      fetch: { userAgent: DEFAULTS.fetch.userAgent, allowPrivate: opts.allowPrivate ?? false },
    });
    line(
      io.stdout,
      `crawl ${opts.crawl}: ${s.submitted} URLs submitted, ${s.duplicates} duplicates skipped, ${s.invalid} invalid lines`,
    );
    if (s.read === 0) line(io.stderr, noSeedsWarning(opts.seeds, opts.sitemaps));
    if (s.sitemaps || s.sitemapErrors)
      line(io.stdout, `  sitemaps: ${s.sitemaps} read, ${s.sitemapErrors} failed (reported above)`);
    return 0;
  });
}
