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
  positiveInt,
  readConfigFile,
  WORKER_DEFAULTABLE,
} from '../config.js';
import { parseRules, RuleError, readRulesFile } from '../extract/rules.js';
import { loadPolitenessFile, validateOverrides } from '../host-limits.js';
import type { LogLevel } from '../log.js';
import { crawlPriority } from '../priority.js';
import { parseRate, RATE_EXAMPLES } from '../rate.js';
import { isClusterUrl } from '../redis.js';
import { REDIS_OUTAGE_MS } from '../redis-outage.js';
import { checkConfigKeys, type FileKey, kebab } from './config-file.js';

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
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent', 'info')
    .option(
      '--redis-timeout <ms>',
      'a Redis outage longer than this stops the command with an error (0 = wait for ever)',
      String(REDIS_OUTAGE_MS),
    );
}

/** --concurrency as each command means it: every worker (a `crawl` thread, a `worker` process) has this many in flight. */
export const CONCURRENCY_HELP = {
  crawl: 'in-flight fetches per worker thread (see --workers): up to --workers × this in all',
  worker: 'in-flight fetches of this worker process',
  config: 'in-flight fetches per worker (a crawl thread or a worker process)',
} as const;

/** The fetch flags; `concurrency: false` for a command that fetches one page (inspect). */
export function addFetchOptions(cmd: Command, opts: { concurrency: string | false }): Command {
  if (opts.concurrency !== false)
    cmd.option('--concurrency <n>', opts.concurrency, String(DEFAULTS.concurrency));
  return cmd
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
    .option('--host-rate <rate>', `requests per host key: ${RATE_EXAMPLES}`, '2/s')
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

function pick(raw: Raw, file: Raw, name: FileKey, envName?: string): unknown {
  return take(raw, file, name, envName)[1];
}

/**
 * A setting's value and the name an error about it must give: the flag, the environment variable or the
 * config file's key, whichever the value came from.
 */
function take(raw: Raw, file: Raw, name: FileKey, envName?: string): [string, unknown] {
  const flag = `--${kebab(name)}`;
  if (raw[name] !== undefined && !isDefault(raw, name)) return [flag, raw[name]];
  if (envName && process.env[envName] !== undefined && process.env[envName] !== '')
    return [envName, process.env[envName]];
  if (file[name] !== undefined)
    return [`"${name}" in ${filePaths.get(file) ?? 'the config file'}`, file[name]];
  return [flag, raw[name]];
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

/** Which file each config object was read from, for errors naming its keys. */
const filePaths = new WeakMap<Raw, string>();

export function fileConfig(raw: Raw): Raw {
  const path = (raw.config as string | undefined) ?? process.env.METACRAWL_CONFIG;
  if (!path) return {};
  const file = readConfigFile(path);
  checkConfigKeys(path, file);
  filePaths.set(file, path);
  return file;
}

export interface CommonConfig {
  redisUrl: string | null;
  prefix: string;
  logLevel: LogLevel;
  /** --redis-timeout in ms; Infinity for 0 (wait for ever). */
  redisTimeoutMs: number;
}

export function commonConfig(raw: Raw, file: Raw): CommonConfig {
  const [redisFrom, redisValue] = take(raw, file, 'redis', 'REDIS_URL');
  const redis = redisValue === undefined ? undefined : String(redisValue);
  if (redis !== undefined && !/^rediss?(\+cluster)?:\/\//.test(redis)) {
    throw new ConfigError(
      `${redisFrom} must be a redis://, rediss:// or redis+cluster:// URL (got "${redis}")`,
    );
  }
  const [prefixFrom, prefixValue] = take(raw, file, 'prefix', 'METACRAWL_PREFIX');
  const prefix = String(prefixValue ?? DEFAULTS.prefix);
  if (!/^[A-Za-z0-9{}_.:-]+$/.test(prefix))
    throw new ConfigError(`${prefixFrom} may hold letters, digits and {}_.:- (got "${prefix}")`);
  // On Redis Cluster every key of the fleet must hash to one slot, or BullMQ and our scripts fail (CROSSSLOT).
  if (redis !== undefined && isClusterUrl(redis) && !/\{[^{}]+\}/.test(prefix))
    throw new ConfigError(
      `--prefix must contain a hash tag on Redis Cluster, e.g. {${prefix}} (got "${prefix}")`,
    );
  return {
    redisUrl: redis ?? null,
    prefix,
    logLevel: logLevel(...orDefault(take(raw, file, 'logLevel', 'METACRAWL_LOG_LEVEL'), 'info')),
    redisTimeoutMs:
      nonNegativeInt(
        ...orDefault(take(raw, file, 'redisTimeout', 'METACRAWL_REDIS_TIMEOUT'), REDIS_OUTAGE_MS),
      ) || Number.POSITIVE_INFINITY,
  };
}

/** --archive and --archive-max-size (`crawl`, `worker`, `config`). */
export function addArchiveOptions(cmd: Command): Command {
  return cmd
    .option(
      '--archive <dir>',
      'write every fetched response (and its request) as gzipped WARC/1.1 records in <dir>',
    )
    .option('--archive-max-size <size>', 'start a new WARC file past this size, e.g. 1GB', '1GB');
}

/** The archive settings, or undefined without --archive. */
export function archiveConfig(raw: Raw): { dir: string; maxFileBytes: number } | undefined {
  if (raw.archive === undefined) return undefined;
  const dir = String(raw.archive);
  if (dir.trim() === '') throw new ConfigError('--archive needs a directory');
  return { dir, maxFileBytes: byteSize('--archive-max-size', raw.archiveMaxSize ?? '1GB') };
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
    concurrency: positiveInt(...take(raw, file, 'concurrency', 'METACRAWL_CONCURRENCY')),
    ...pageFetchConfig(raw, file),
  });
}

/** What fetching one page needs (inspect): the fetch flags without --concurrency. */
export function pageFetchConfig(raw: Raw, file: Raw): FetchConfig {
  return Object.freeze({
    allowPrivate: allowPrivate(...take(raw, file, 'allowPrivate', 'METACRAWL_ALLOW_PRIVATE')),
    userAgent: String(pick(raw, file, 'userAgent', 'METACRAWL_USER_AGENT')),
    timeoutMs: positiveInt(...take(raw, file, 'timeout')),
    maxBytes: byteSize(...take(raw, file, 'maxBytes')),
    maxRedirects: DEFAULTS.fetch.maxRedirects,
    maxLinks: positiveInt(...take(raw, file, 'maxLinks')),
  });
}

export function crawlSettings(raw: Raw, file: Raw): CrawlSettings {
  const politenessFile = pick(raw, file, 'politenessFile') as string | undefined;
  const overrides = asConfigError(() =>
    politenessFile
      ? loadPolitenessFile(politenessFile)
      : file.hosts === undefined
        ? {}
        : validateOverrides(file.hosts, `"hosts" in ${filePaths.get(file)}`),
  );
  const strip = pick(raw, file, 'stripParams');
  return Object.freeze({
    ...DEFAULTS.crawl,
    hostRate: parseRate(...take(raw, file, 'hostRate')),
    hostConcurrency: nonNegativeInt(...take(raw, file, 'hostConcurrency')),
    politenessKey: oneOf(...take(raw, file, 'politenessKey'), ['host', 'domain'] as const),
    overrides,
    ignoreRobots: yesNo(...take(raw, file, 'ignoreRobots')),
    retries: nonNegativeInt(...take(raw, file, 'retries')),
    maxUrlLength: positiveInt(...take(raw, file, 'maxUrlLength')),
    stripParams: Array.isArray(strip)
      ? strip.map(String)
      : String(strip ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
    sortQuery: yesNo(...take(raw, file, 'sortQuery')),
    priority: crawlPriority(...take(raw, file, 'priority')),
    depth: nonNegativeInt(...take(raw, file, 'depth')),
    scope: oneOf(...take(raw, file, 'scope'), ['host', 'domain', 'any'] as const),
    include: regexList(...take(raw, file, 'include')),
    exclude: regexList(...take(raw, file, 'exclude')),
    maxPages: optionalPositive(...take(raw, file, 'maxPages')),
    maxPagesPerHost: optionalPositive(...take(raw, file, 'maxPagesPerHost')),
    followNofollow: yesNo(...take(raw, file, 'followNofollow')),
    ...sinceSettings(raw, file),
    extract: extractRules(raw, file),
    microdata: yesNo(...take(raw, file, 'microdata')),
    explicit: WORKER_DEFAULTABLE.filter((k) =>
      isExplicit(raw, file, k === 'overrides' ? 'politenessFile' : k),
    ),
  });
}

/** --since and --trust-lastmod (crawl, submit): a re-crawl of an earlier crawl of the same database. */
export function addSinceOptions(cmd: Command): Command {
  return cmd
    .option(
      '--since <crawl>',
      'an earlier crawl in --db: send its validators (If-None-Match, If-Modified-Since), share unchanged pages',
    )
    .option(
      '--trust-lastmod',
      'with --since: skip a sitemap URL whose lastmod is not later than its fetch in the earlier crawl',
    );
}

function sinceSettings(raw: Raw, file: Raw): Pick<CrawlSettings, 'since' | 'trustLastmod'> {
  const [from, v] = take(raw, file, 'since');
  const since = v === undefined || v === null ? null : crawlName(v, from);
  const trustLastmod = yesNo(...take(raw, file, 'trustLastmod'));
  if (trustLastmod && since === null) throw new ConfigError('--trust-lastmod needs --since <crawl>');
  return { since, trustLastmod };
}

/** The custom extraction flags (crawl, submit, config, inspect): rules checked here, before anything is queued. */
export function addExtractOptions(cmd: Command): Command {
  return cmd
    .option(
      '--extract <rule>',
      "a field of your own, e.g. 'price=css:[itemprop=price]@content', 'sku=regex:\"sku\":\"([^\"]+)\"', 'offer=jsonld:Product.offers.price'; name[]= keeps every match (repeatable)",
      (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
    )
    .option('--extract-file <file>', 'rules from a JSON file: {"name": "css:...", "list[]": "regex:..."}')
    .option('--extract-all', 'every rule keeps every match, as if each name ended in []')
    .option('--microdata', 'also extract microdata items (itemscope/itemprop) into the microdata table');
}

/**
 * The crawl's rules as normalised texts: --extract-file's first, then --extract's (flags replace a config file's
 * `extract`). A bad rule is a usage error naming where it came from, the rule and the reason.
 */
export function extractRules(raw: Raw, file: Raw): string[] {
  const [fileFrom, path] = take(raw, file, 'extractFile');
  const [from, v] = take(raw, file, 'extract');
  const texts: Array<[string, string]> = [];
  try {
    if (path !== undefined && path !== null)
      for (const t of readRulesFile(String(path))) texts.push([`${fileFrom} ${path}`, t]);
  } catch (err) {
    if (err instanceof RuleError) throw new ConfigError(`${fileFrom} ${err.rule}: ${err.reason}`);
    throw err;
  }
  if (v !== undefined && v !== null)
    for (const t of Array.isArray(v) ? v : [v]) texts.push([from, String(t)]);
  const all = yesNo(...take(raw, file, 'extractAll'));
  try {
    return parseRules(
      texts.map(([, t]) => t),
      { all },
    ).map((r) => r.text);
  } catch (err) {
    if (!(err instanceof RuleError)) throw err;
    const where = texts.find(([, t]) => t === err.rule)?.[0] ?? from;
    throw new ConfigError(`${where} ${err.message}`);
  }
}

function isExplicit(raw: Raw, file: Raw, name: FileKey): boolean {
  if (raw[name] !== undefined && !isDefault(raw, name)) return true;
  if (name === 'politenessFile' && file.hosts !== undefined) return true;
  return file[name] !== undefined;
}

/** A setting with a fallback when nothing gave it a value. */
function orDefault(taken: [string, unknown], fallback: unknown): [string, unknown] {
  return taken[1] === undefined ? [taken[0], fallback] : taken;
}

/** On/off settings: a flag is present or not, a file must say true or false (`"false"` is not false). */
function yesNo(from: string, v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  throw new ConfigError(`${from} must be true or false (got ${JSON.stringify(v)})`);
}

/** Politeness overrides are bad usage when wrong, like any other setting. */
function asConfigError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw err instanceof ConfigError ? err : new ConfigError((err as Error).message);
  }
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
  const [from, v] = take(raw, file, 'crawl', 'METACRAWL_CRAWL');
  return v === undefined ? null : crawlName(v, from);
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
  const [from, port] = take(raw, file, 'metricsPort', 'METACRAWL_METRICS_PORT');
  const host = String(pick(raw, file, 'metricsHost', 'METACRAWL_METRICS_HOST') ?? '127.0.0.1');
  if (port === undefined || port === null) return { port: null, host };
  const n = typeof port === 'number' ? port : Number(String(port).trim());
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new ConfigError(`${from} must be a port number 0-65535 (got "${port}")`);
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
  const c = sitemapFlags(raw, file);
  if (seeds.length === 0 && c.sitemaps.length === 0)
    throw new ConfigError("give at least one seed file ('-' for stdin) or --sitemap <file-or-url>");
  return c;
}

/** --sitemap and --sitemaps-from-robots as given, whatever the seeds. */
export function sitemapFlags(raw: Raw, file: Raw): SitemapConfig {
  const v = pick(raw, file, 'sitemap');
  const sitemaps = v === undefined || v === null ? [] : (Array.isArray(v) ? v : [v]).map(String);
  return { sitemaps, sitemapsFromRobots: yesNo(...take(raw, file, 'sitemapsFromRobots')) };
}

/** The flags of the `crawl` process itself (not of the crawl): progress display, stop grace, worker threads. */
export function addCrawlRunOptions(cmd: Command): Command {
  return cmd
    .option('--no-progress', 'no progress bar or progress lines')
    .option(
      '--grace <ms>',
      'on SIGINT/SIGTERM, wait this long for in-flight fetches before handing them back',
      '10000',
    )
    .option(
      '--workers <n>',
      "worker threads in all, each with --concurrency in flight; 'auto' = one per usable core once the crawl has 1,000+ URLs",
      'auto',
    );
}

export interface CrawlRunConfig {
  progress: boolean;
  graceMs: number;
  workers: number | 'auto';
}

/** Per-run flags: from the command line only (a config file may not hold them, see config-file.ts). */
export function crawlRunConfig(raw: Raw): CrawlRunConfig {
  const workers = raw.workers;
  return {
    progress: raw.progress !== false,
    graceMs: positiveInt('--grace', raw.grace),
    workers: workers === 'auto' ? 'auto' : positiveInt('--workers', workers),
  };
}

/** `submit` fetches only sitemaps and robots.txt; --allow-private opens them to private addresses. */
export function producerAllowPrivate(raw: Raw, file: Raw): boolean | string[] {
  return allowPrivate(...take(raw, file, 'allowPrivate', 'METACRAWL_ALLOW_PRIVATE'));
}
