/**
 * `metacrawl config [--config file] [flags]`: prints the effective configuration as JSON, resolved exactly
 * as the other commands resolve it (flags > environment > config file > defaults), secrets redacted.
 */
import type { CrawlSettings } from '../config.js';
import { redactRedisUrl } from '../redis.js';
import { type CliIO, line } from './io.js';
import {
  commonConfig,
  crawlNameOption,
  crawlRunConfig,
  crawlSettings,
  dbPath,
  fetchConfig,
  fileConfig,
  metricsConfig,
  queueWindow,
  type Raw,
  sitemapFlags,
} from './options.js';

export function effectiveConfig(raw: Raw): Record<string, unknown> {
  const file = fileConfig(raw);
  const common = commonConfig(raw, file);
  return {
    configFile: (raw.config as string | undefined) ?? process.env.METACRAWL_CONFIG ?? null,
    redis: common.redisUrl === null ? null : redactRedisUrl(common.redisUrl),
    prefix: common.prefix,
    logLevel: common.logLevel,
    redisTimeoutMs: common.redisTimeoutMs,
    db: dbPath(raw, file),
    crawl: crawlNameOption(raw, file),
    metrics: metricsConfig(raw, file),
    run: { ...crawlRunConfig(raw), queueWindow: queueWindow(raw, file) },
    sitemap: sitemapFlags(raw, file),
    fetch: fetchConfig(raw, file),
    settings: publicSettings(crawlSettings(raw, file)),
  };
}

/** The crawl settings a user can set; `explicit` is bookkeeping for workers, not configuration. */
function publicSettings(s: CrawlSettings): Omit<CrawlSettings, 'explicit'> {
  const { explicit: _explicit, ...rest } = s;
  return rest;
}

/** Infinity (an unlimited rate, a Redis outage waited out for ever) has no JSON spelling; say what it means. */
function replacer(_key: string, v: unknown): unknown {
  return v === Number.POSITIVE_INFINITY ? 'unlimited' : v;
}

export async function configCommand(
  opts: { effective: Record<string, unknown> },
  io: CliIO,
): Promise<number> {
  line(io.stdout, JSON.stringify(opts.effective, replacer, 2));
  return 0;
}
