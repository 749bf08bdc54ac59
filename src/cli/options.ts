/**
 * Flag definitions shared by several commands, and their translation into validated config objects.
 * Precedence: flags > environment > config file (--config) > defaults.
 */
import { type Command, Option } from 'commander';
import {
  allowPrivate,
  byteSize,
  ConfigError,
  type CrawlSettings,
  crawlName,
  DEFAULTS,
  type FetchConfig,
  logLevel,
  nonNegativeInt,
  oneOf,
  parseRateFlag,
  positiveInt,
  readConfigFile,
  WORKER_DEFAULTABLE,
} from '../config.js';
import { crawlPriority } from '../control/fairness.js';
import type { LogLevel } from '../log.js';
import { isClusterUrl } from '../redis.js';
import { loadPolitenessFile } from '../worker/politeness/gate.js';

/** Raw option values as commander gives them (strings, booleans, arrays). */
export type Raw = Record<string, unknown>;

export function addRedisOptions(cmd: Command): Command {
  return cmd
    .option(
      '--redis <url>',
      'Redis URL (redis://, rediss://, or redis+cluster://host:port,host:port for Redis Cluster); default $REDIS_URL',
    )
    .option(
      '--prefix <prefix>',
      'Redis key prefix; use a hash tag like {metacrawl} on Redis Cluster',
      DEFAULTS.prefix,
    )
    .option(
      '--config <file>',
      'JSON config file; keys are flag names in camelCase (flags and env override it)',
    )
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent', 'info');
}

export function addFetchOptions(cmd: Command): Command {
  return cmd
    .option('--concurrency <n>', 'in-flight fetches per process', String(DEFAULTS.concurrency))
    .addOption(
      new Option(
        '--allow-private [list]',
        'allow private/loopback/link-local addresses (bare: all; or a comma list of addresses/CIDRs)',
      ),
    )
    .option(
      '--user-agent <ua>',
      'User-Agent header (its product token selects the robots.txt group)',
      DEFAULTS.fetch.userAgent,
    )
    .option(
      '--timeout <ms>',
      'whole-fetch time budget, connect to last byte, in ms',
      String(DEFAULTS.fetch.timeoutMs),
    )
    .option(
      '--max-bytes <n>',
      'body cap (decoded), e.g. 5MB; longer bodies are cut and marked truncated',
      '5MB',
    )
    .option(
      '--max-links <n>',
      'links stored per page (pages.links_truncated marks the cut)',
      String(DEFAULTS.fetch.maxLinks),
    );
}

export function addCrawlSettingsOptions(cmd: Command): Command {
  return cmd
    .option('--host-rate <rate>', 'requests per host key, e.g. 2/s, 30/m, 1/5s; 0 = unlimited', '2/s')
    .option(
      '--host-concurrency <n>',
      'in-flight requests per host key, fleet-wide; 0 = unlimited',
      String(DEFAULTS.crawl.hostConcurrency),
    )
    .option(
      '--politeness-key <key>',
      'host|domain (domain = registrable domain via the public suffix list)',
      'host',
    )
    .option(
      '--politeness-file <file>',
      'per-host overrides: {"example.com": {"rate": "10/s", "concurrency": 4}}',
    )
    .option('--ignore-robots', 'do not fetch or obey robots.txt (for owners crawling their own sites)')
    .option(
      '--retries <n>',
      'retries of transient failures (timeouts, resets, 5xx, 429)',
      String(DEFAULTS.crawl.retries),
    )
    .option('--max-url-length <n>', 'longer URLs are refused at submit', String(DEFAULTS.crawl.maxUrlLength))
    .option(
      '--strip-params <list>',
      'query parameters removed before dedupe (globs, comma list)',
      DEFAULTS.crawl.stripParams.join(','),
    )
    .option('--sort-query', 'sort query parameters before dedupe')
    .option(
      '--priority <n>',
      'priority class 1-9 (1 runs first; 0 = default class 5); crawls of a class share the fleet in turns',
      '0',
    )
    .option('--depth <n>', 'follow links this many clicks from the seeds (0 = seeds only)', '0')
    .option(
      '--scope <scope>',
      "host|domain|any: where discovered links may go, judged against each link's seed",
      'host',
    )
    .option('--include <regex...>', 'only follow discovered URLs matching one of these (repeatable)')
    .option('--exclude <regex...>', 'never follow discovered URLs matching these (repeatable)')
    .option('--max-pages <n>', 'stop discovery when the crawl has this many URLs')
    .option('--max-pages-per-host <n>', 'stop discovery on a host key when it has this many URLs')
    .option('--follow-nofollow', 'follow rel=nofollow links and pages with meta robots nofollow');
}

function pick(raw: Raw, file: Raw, name: string, envName?: string): unknown {
  if (raw[name] !== undefined && !isDefault(raw, name)) return raw[name];
  if (envName && process.env[envName] !== undefined && process.env[envName] !== '')
    return process.env[envName];
  if (file[name] !== undefined) return file[name];
  return raw[name];
}

/** Commander marks which values came from defaults; we need that to let env and file beat defaults. */
const defaultSources = new WeakMap<Raw, Set<string>>();
export function markDefaults(raw: Raw, cmd: Command): Raw {
  const set = new Set<string>();
  for (const key of Object.keys(cmd.opts())) {
    if (cmd.getOptionValueSource(key) === 'default') set.add(key);
  }
  defaultSources.set(raw, set);
  return raw;
}
function isDefault(raw: Raw, name: string): boolean {
  return defaultSources.get(raw)?.has(name) ?? false;
}

export function fileConfig(raw: Raw): Raw {
  const path = (raw.config as string | undefined) ?? process.env.METACRAWL_CONFIG;
  return path ? readConfigFile(path) : {};
}

export interface CommonConfig {
  redisUrl: string | null;
  prefix: string;
  logLevel: LogLevel;
}

export function commonConfig(raw: Raw, file: Raw): CommonConfig {
  const redis = pick(raw, file, 'redis', 'REDIS_URL') as string | undefined;
  if (redis !== undefined && !/^rediss?(\+cluster)?:\/\//.test(redis)) {
    throw new ConfigError(`--redis must be a redis://, rediss:// or redis+cluster:// URL (got "${redis}")`);
  }
  const prefix = String(pick(raw, file, 'prefix', 'METACRAWL_PREFIX') ?? DEFAULTS.prefix);
  if (!/^[A-Za-z0-9{}_.:-]+$/.test(prefix))
    throw new ConfigError(`--prefix may hold letters, digits and {}_.:- (got "${prefix}")`);
  // On Redis Cluster every key of the fleet must hash to one slot, or BullMQ and our scripts fail (CROSSSLOT).
  if (redis !== undefined && isClusterUrl(redis) && !/\{[^{}]+\}/.test(prefix))
    throw new ConfigError(
      `--prefix must contain a hash tag on Redis Cluster, e.g. {${prefix}} (got "${prefix}")`,
    );
  return {
    redisUrl: redis ?? null,
    prefix,
    logLevel: logLevel(pick(raw, file, 'logLevel', 'METACRAWL_LOG_LEVEL') ?? 'info'),
  };
}

/** `--queue-window` (crawl, worker): ready jobs a worker's feeder keeps in the queue. */
export function addQueueWindowOption(cmd: Command): Command {
  return cmd.option(
    '--queue-window <n>',
    'jobs kept ready in the queue, refilled from the crawl frontier as it drains (default: max(1000, 4 x concurrency))',
  );
}

export function queueWindow(raw: Raw, file: Raw): number | undefined {
  const v = pick(raw, file, 'queueWindow');
  return v === undefined ? undefined : positiveInt('--queue-window', v);
}

export function fetchConfig(raw: Raw, file: Raw): FetchConfig & { concurrency: number } {
  return Object.freeze({
    concurrency: positiveInt('--concurrency', pick(raw, file, 'concurrency', 'METACRAWL_CONCURRENCY')),
    allowPrivate: allowPrivate(pick(raw, file, 'allowPrivate', 'METACRAWL_ALLOW_PRIVATE')),
    userAgent: String(pick(raw, file, 'userAgent', 'METACRAWL_USER_AGENT')),
    timeoutMs: positiveInt('--timeout', pick(raw, file, 'timeout')),
    maxBytes: byteSize('--max-bytes', pick(raw, file, 'maxBytes')),
    maxRedirects: DEFAULTS.fetch.maxRedirects,
    maxLinks: positiveInt('--max-links', pick(raw, file, 'maxLinks')),
  });
}

export function crawlSettings(raw: Raw, file: Raw): CrawlSettings {
  const politenessFile = pick(raw, file, 'politenessFile') as string | undefined;
  const overrides = politenessFile
    ? loadPolitenessFile(politenessFile)
    : ((file.hosts as CrawlSettings['overrides']) ?? {});
  const strip = pick(raw, file, 'stripParams');
  return Object.freeze({
    ...DEFAULTS.crawl,
    hostRate: parseRateFlag('--host-rate', pick(raw, file, 'hostRate')),
    hostConcurrency: nonNegativeInt('--host-concurrency', pick(raw, file, 'hostConcurrency')),
    politenessKey: oneOf('--politeness-key', pick(raw, file, 'politenessKey'), ['host', 'domain'] as const),
    overrides,
    ignoreRobots: Boolean(pick(raw, file, 'ignoreRobots')),
    retries: nonNegativeInt('--retries', pick(raw, file, 'retries')),
    maxUrlLength: positiveInt('--max-url-length', pick(raw, file, 'maxUrlLength')),
    stripParams: Array.isArray(strip)
      ? strip.map(String)
      : String(strip ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
    sortQuery: Boolean(pick(raw, file, 'sortQuery')),
    priority: crawlPriority(pick(raw, file, 'priority')),
    depth: nonNegativeInt('--depth', pick(raw, file, 'depth')),
    scope: oneOf('--scope', pick(raw, file, 'scope'), ['host', 'domain', 'any'] as const),
    include: regexList('--include', pick(raw, file, 'include')),
    exclude: regexList('--exclude', pick(raw, file, 'exclude')),
    maxPages: optionalPositive('--max-pages', pick(raw, file, 'maxPages')),
    maxPagesPerHost: optionalPositive('--max-pages-per-host', pick(raw, file, 'maxPagesPerHost')),
    followNofollow: Boolean(pick(raw, file, 'followNofollow')),
    explicit: WORKER_DEFAULTABLE.filter((k) =>
      isExplicit(raw, file, k === 'overrides' ? 'politenessFile' : k),
    ),
  });
}

function isExplicit(raw: Raw, file: Raw, name: string): boolean {
  if (raw[name] !== undefined && !isDefault(raw, name)) return true;
  if (name === 'politenessFile' && file.hosts !== undefined) return true;
  return file[name] !== undefined;
}

function optionalPositive(flag: string, v: unknown): number | null {
  return v === undefined || v === null ? null : positiveInt(flag, v);
}

function regexList(flag: string, v: unknown): string[] {
  if (v === undefined || v === null) return [];
  const list = (Array.isArray(v) ? v : [v]).map(String);
  for (const r of list) {
    try {
      new RegExp(r);
    } catch (err) {
      throw new ConfigError(`${flag} "${r}" is not a valid regular expression: ${(err as Error).message}`);
    }
  }
  return list;
}

export function dbPath(raw: Raw, file: Raw): string {
  return String(pick(raw, file, 'db', 'METACRAWL_DB') ?? DEFAULTS.db);
}

export function crawlNameOption(raw: Raw, file: Raw): string | null {
  const v = pick(raw, file, 'crawl', 'METACRAWL_CRAWL');
  return v === undefined ? null : crawlName(v);
}

export function addMetricsOptions(cmd: Command): Command {
  return cmd
    .option(
      '--metrics-port <port>',
      'serve Prometheus metrics at http://<metrics-host>:<port>/metrics (0 = any free port)',
    )
    .option('--metrics-host <host>', 'address the metrics server binds', '127.0.0.1');
}

export function metricsConfig(raw: Raw, file: Raw): { port: number | null; host: string } {
  const port = pick(raw, file, 'metricsPort', 'METACRAWL_METRICS_PORT');
  const host = String(pick(raw, file, 'metricsHost', 'METACRAWL_METRICS_HOST') ?? '127.0.0.1');
  if (port === undefined || port === null) return { port: null, host };
  const n = typeof port === 'number' ? port : Number(String(port).trim());
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new ConfigError(`--metrics-port must be a port number 0-65535 (got "${port}")`);
  return { port: n, host };
}

export function addSitemapOptions(cmd: Command): Command {
  return cmd
    .option(
      '--sitemap <file-or-url>',
      'a sitemap (file or URL; index, gzip, RSS/Atom or text) whose URLs are seeds, whatever its name (repeatable)',
      (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
    )
    .option('--sitemaps-from-robots', "also submit the sitemaps named in each seed origin's robots.txt");
}

export interface SitemapConfig {
  sitemaps: string[];
  sitemapsFromRobots: boolean;
}

export function sitemapConfig(raw: Raw, file: Raw, seeds: string[]): SitemapConfig {
  const v = pick(raw, file, 'sitemap');
  const sitemaps = v === undefined || v === null ? [] : (Array.isArray(v) ? v : [v]).map(String);
  if (seeds.length === 0 && sitemaps.length === 0)
    throw new ConfigError("give at least one seed file ('-' for stdin) or --sitemap <file-or-url>");
  return { sitemaps, sitemapsFromRobots: Boolean(pick(raw, file, 'sitemapsFromRobots')) };
}

/** `submit` fetches only sitemaps and robots.txt; --allow-private opens them to private addresses. */
export function producerAllowPrivate(raw: Raw, file: Raw): boolean | string[] {
  return allowPrivate(pick(raw, file, 'allowPrivate', 'METACRAWL_ALLOW_PRIVATE'));
}
