/**
 * `metacrawl config [--config file] [flags]`: prints the effective configuration as JSON, resolved exactly
 * as the other commands resolve it (flags > environment > config file > defaults), secrets redacted.
 */
import { redactRedisUrl } from '../redis.js';
import { type CliIO, line } from './io.js';
import {
  commonConfig,
  crawlNameOption,
  crawlSettings,
  dbPath,
  fetchConfig,
  fileConfig,
  metricsConfig,
  type Raw,
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
    fetch: fetchConfig(raw, file),
    settings: crawlSettings(raw, file),
  };
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
