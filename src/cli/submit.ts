/** `metacrawl submit`: the producer alone. */
import { ConfigError, type CrawlSettings, DEFAULTS } from '../config.js';
import { checkSeedArgs, noSeedsWarning, type SubmitOptions, submitSeeds } from '../producer/index.js';
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
  /** --db: read only with --since (the earlier crawl's validators and hashes). */
  db?: string;
  /** --redis-timeout: how long a Redis outage is survived. */
  redisTimeoutMs?: number;
}

type SubmitOptionsEarlier = NonNullable<SubmitOptions['earlier']>;

export async function submitCommand(opts: SubmitCommandOptions, io: CliIO): Promise<number> {
  checkSeedArgs(opts.seeds);
  const earlier = opts.settings.since ? await openEarlier(opts) : null;
  try {
    return await submitWith(opts, io, earlier?.get ?? undefined);
  } finally {
    earlier?.close();
  }
}

/** The --since crawl's rows, read from --db (read-only: the store writer may be writing it meanwhile). */
async function openEarlier(opts: SubmitCommandOptions) {
  const { openDb, SinceReader } = await import('../store/index.js');
  if (opts.settings.since === opts.crawl)
    throw new ConfigError('--since must name another crawl than --crawl');
  const db = openDb(opts.db ?? DEFAULTS.db, { readonly: true });
  try {
    const reader = new SinceReader(db, opts.settings.since as string, opts.settings);
    return { get: (url: string) => reader.get(url), close: () => db.close() };
  } catch (err) {
    db.close();
    throw new Error(`${(err as Error).message} (${opts.db ?? DEFAULTS.db})`);
  }
}

async function submitWith(
  opts: SubmitCommandOptions,
  io: CliIO,
  earlier: SubmitOptionsEarlier | undefined,
): Promise<number> {
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
      earlier,
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
