/** The producer role: seed sources → normalized, deduplicated jobs in the crawl queue. */
import type { Redis } from 'ioredis';
import type { CrawlSettings, FetchConfig } from '../config.js';
import { type CrawlStats, saveCrawlSettings } from '../crawls.js';
import { Fetcher } from '../fetch/index.js';
import { keys } from '../keys.js';
import type { SinceData } from '../types.js';
import { seedUrls } from './seed-urls.js';
import { SITEMAP_MAX_BYTES } from './sitemap.js';
import { SitemapReader } from './sitemap-reader.js';
import { type SubmitItem, Submitter } from './submit.js';

export { checkSeedArgs, noSeedsWarning } from './seed-args.js';
// The worker submits the links it discovers through the same Submitter.
export { type SubmitItem, Submitter } from './submit.js';

export interface SubmitSummary {
  read: number;
  submitted: number;
  duplicates: number;
  invalid: number;
  /** Sitemap documents read (indexes included), and those that could not be read. */
  sitemaps: number;
  sitemapErrors: number;
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
  /** --sitemap locations (files or URLs), read as sitemaps whatever their names. */
  sitemaps?: string[];
  /** --sitemaps-from-robots: submit the sitemaps named in each seed origin's robots.txt. */
  sitemapsFromRobots?: boolean;
  /** How the producer fetches sitemaps and robots.txt (SSRF guard: allowPrivate). */
  fetch?: Partial<Pick<FetchConfig, 'userAgent' | 'timeoutMs' | 'allowPrivate'>>;
  /**
   * A crawl run --since an earlier one: that crawl's row of a URL (read from the database by the caller),
   * whose validators and hashes travel with the URL's job. With settings.trustLastmod, a seed whose sitemap
   * lastmod is not later than that row's fetch is marked to be skipped.
   */
  earlier?: (url: string) => (SinceData & { fetchedAt: string | null }) | undefined;
}

/** The job's `since` for a seed: the earlier row's validators and hashes, and whether lastmod lets it skip. */
export function sinceFor(
  earlier: (SinceData & { fetchedAt: string | null }) | undefined,
  lastmod: string | null,
  trustLastmod: boolean,
): SinceData | null {
  if (!earlier) return null;
  const { fetchedAt, ...since } = earlier;
  if (trustLastmod && lastmod && fetchedAt) {
    const lm = Date.parse(lastmod);
    if (Number.isFinite(lm) && lm <= Date.parse(fetchedAt)) since.skip = true;
  }
  return since;
}

export async function submitSeeds(opts: SubmitOptions): Promise<SubmitSummary> {
  const { redis, prefix, crawl, settings } = opts;
  const report = opts.report ?? ((l: string) => process.stderr.write(`${l}\n`));
  const batchSize = opts.batchSize ?? 1000;
  await saveCrawlSettings(redis, prefix, crawl, settings);
  const submitter = new Submitter(redis, prefix, crawl, settings);
  const summary: SubmitSummary = {
    read: 0,
    submitted: 0,
    duplicates: 0,
    invalid: 0,
    sitemaps: 0,
    sitemapErrors: 0,
  };
  // Sitemaps are fetched by the producer, one request at a time; 50 MB is the protocol's size limit.
  const fetcher = new Fetcher({ ...opts.fetch, maxBytes: SITEMAP_MAX_BYTES, connections: 2 });
  const reader = new SitemapReader({
    fetcher,
    report,
    hostRate: settings.hostRate,
    timeoutMs: Math.max(opts.fetch?.timeoutMs ?? 0, 120_000),
  });
  let batch: SubmitItem[] = [];
  // A batch is read and encoded while the previous one runs in Redis (in order: one connection); at most two
  // are in flight.
  let running = null as Promise<void> | null;
  const flush = async () => {
    const items = batch;
    batch = [];
    if (items.length === 0) return;
    const next = submitter.addSeeds(items).then((r) => {
      summary.submitted += r.added;
      summary.duplicates += r.duplicates;
    });
    next.catch(() => {}); // awaited below; this only keeps it from counting as unhandled meanwhile
    if (running) await running;
    running = next;
  };
  try {
    for await (const chunk of seedUrls({
      sources: opts.sources,
      sitemaps: opts.sitemaps ?? [],
      sitemapsFromRobots: opts.sitemapsFromRobots ?? false,
      stdin: opts.stdin,
      normalize: {
        maxUrlLength: settings.maxUrlLength,
        stripParams: settings.stripParams,
        sortQuery: settings.sortQuery,
      },
      reader,
    })) {
      for (const r of chunk) {
        summary.read++;
        if (!r.ok) {
          summary.invalid++;
          report(r.problem);
          continue;
        }
        const since = opts.earlier
          ? sinceFor(opts.earlier(r.url), r.lastmod ?? null, settings.trustLastmod)
          : null;
        // A sitemap URL's `from` is its sitemap (pages.discovered_from): the audit's sitemap checks use it.
        batch.push({ url: r.url, depth: 0, from: r.sitemap ?? null, seed: r.url, lastmod: r.lastmod, since });
        if (batch.length >= batchSize) await flush();
      }
    }
    await flush();
    await running;
  } finally {
    // A batch still running when reading failed settles before the summary is read.
    await running?.catch(() => {});
    summary.sitemaps = reader.stats.documents;
    summary.sitemapErrors = reader.stats.failed;
    await fetcher.close();
  }
  const k = keys(prefix);
  await redis
    .multi()
    .hincrby(k.crawlStats(crawl), 'invalid', summary.invalid)
    .hset(k.crawlStats(crawl), 'submitDone', '1')
    .exec();
  return summary;
}

/** Why discovery stopped early, for summaries: null when no budget refused a link. */
export function describeBudget(
  stats: Pick<CrawlStats, 'budgetHit' | 'budgetHitHost' | 'overBudget'>,
  limits?: Pick<CrawlSettings, 'maxPages' | 'maxPagesPerHost'> | null,
): string | null {
  const parts: string[] = [];
  if (stats.budgetHit) parts.push(`--max-pages${limits?.maxPages ? ` ${limits.maxPages}` : ''} reached`);
  if (stats.budgetHitHost) {
    const n = limits?.maxPagesPerHost ? ` ${limits.maxPagesPerHost}` : '';
    parts.push(`--max-pages-per-host${n} reached (last on ${stats.budgetHitHost})`);
  }
  if (parts.length === 0) return null;
  return `${parts.join('; ')}: discovery stopped, ${stats.overBudget} discovered links not followed`;
}
