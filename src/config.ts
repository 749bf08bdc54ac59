/**
 * One defaults object, validated once at the edge: flags + env (+ config file) become a frozen Config.
 * Errors name the flag (`--concurrency must be a positive integer`); code downstream never re-checks.
 */
import { readFileSync } from 'node:fs';
import { LOG_LEVELS, type LogLevel } from './log.js';
import { DEFAULT_STRIP_PARAMS } from './url/normalize.js';

export const VERSION = '0.1.0';
export const DEFAULT_USER_AGENT = `metacrawl/${VERSION} (+https://github.com/metacrawl/metacrawl)`;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface FetchConfig {
  userAgent: string;
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  /** true: every non-public address allowed; string[]: only these addresses/CIDRs; false: none. */
  allowPrivate: boolean | string[];
  maxLinks: number;
}

export type PolitenessKey = 'host' | 'domain';
export type Scope = 'host' | 'domain' | 'any';

/** One host's entry of --politeness-file / a crawl's `overrides` (validated by worker/politeness/limits.ts). */
export interface HostOverride {
  rate?: string;
  concurrency?: number;
}

/** Settings that travel with a crawl (stored in Redis by submit), so every worker applies the same ones. */
export interface CrawlSettings {
  /** Requests per second per host key. */
  hostRate: number;
  hostConcurrency: number;
  politenessKey: PolitenessKey;
  overrides: Record<string, HostOverride>;
  ignoreRobots: boolean;
  retries: number;
  depth: number;
  scope: Scope;
  include: string[];
  exclude: string[];
  maxPages: number | null;
  maxPagesPerHost: number | null;
  followNofollow: boolean;
  stripParams: string[];
  sortQuery: boolean;
  maxUrlLength: number;
  priority: number;
  /** --since: the earlier crawl this one is compared with (its validators are sent, unchanged pages shared). */
  since: string | null;
  /** --trust-lastmod: with since, a sitemap lastmod not later than the earlier fetch skips the page. */
  trustLastmod: boolean;
  /**
   * Custom extraction rules (`--extract`, `--extract-file`, `--extract-all` applied), as normalised
   * `name=kind:body` texts checked at submit (src/extract/rules.ts); every worker parses the same texts.
   */
  extract: string[];
  /** Extract microdata items (`--microdata`): costs a DOM of each page that has `itemscope`. */
  microdata: boolean;
  /**
   * The politeness settings the user set explicitly for this crawl (flag, env or config file). A worker applies
   * its own defaults (`metacrawl worker --host-rate ...`) to the others.
   */
  explicit?: Array<keyof CrawlSettings>;
}

/** Settings a worker may default for crawls that did not set them. */
export const WORKER_DEFAULTABLE = [
  'hostRate',
  'hostConcurrency',
  'politenessKey',
  'overrides',
  'ignoreRobots',
] as const;

export const DEFAULTS = Object.freeze({
  db: './metacrawl.db',
  prefix: 'metacrawl',
  concurrency: 64,
  fetch: Object.freeze({
    userAgent: DEFAULT_USER_AGENT,
    timeoutMs: 30_000,
    maxBytes: 5 * 1024 * 1024,
    maxRedirects: 10,
    allowPrivate: false as boolean | string[],
    maxLinks: 10_000,
  }),
  crawl: Object.freeze({
    hostRate: 2,
    hostConcurrency: 2,
    politenessKey: 'host' as PolitenessKey,
    overrides: {},
    ignoreRobots: false,
    retries: 3,
    depth: 0,
    scope: 'host' as Scope,
    include: [],
    exclude: [],
    maxPages: null,
    maxPagesPerHost: null,
    followNofollow: false,
    stripParams: [...DEFAULT_STRIP_PARAMS],
    sortQuery: false,
    maxUrlLength: 8192,
    priority: 0,
    since: null,
    trustLastmod: false,
    extract: [],
    microdata: false,
  }) as CrawlSettings,
});

// ---- small validators: each names the flag it checks ----

export function positiveInt(flag: string, v: unknown): number {
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (!Number.isInteger(n) || n <= 0)
    throw new ConfigError(`${flag} must be a positive integer (got "${v}")`);
  return n;
}

export function nonNegativeInt(flag: string, v: unknown): number {
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (!Number.isInteger(n) || n < 0)
    throw new ConfigError(`${flag} must be a non-negative integer (got "${v}")`);
  return n;
}

/** Accepts plain bytes or a unit: 5MB, 512KiB, 1g. */
export function byteSize(flag: string, v: unknown): number {
  if (typeof v === 'number') return positiveInt(flag, v);
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)(i?b)?\s*$/i.exec(String(v));
  if (!m) throw new ConfigError(`${flag} must be a size like 5000000, 512KB or 5MB (got "${v}")`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  const n = Math.floor(Number(m[1]) * mult);
  if (n <= 0) throw new ConfigError(`${flag} must be positive (got "${v}")`);
  return n;
}

export function oneOf<T extends string>(flag: string, v: unknown, allowed: readonly T[]): T {
  const s = String(v) as T;
  if (!allowed.includes(s))
    throw new ConfigError(`${flag} must be one of ${allowed.join(', ')} (got "${v}")`);
  return s;
}

export function logLevel(from: string, v: unknown): LogLevel {
  return oneOf(from, v, LOG_LEVELS);
}

/** `--allow-private` bare → true; with a comma list → only those addresses/CIDRs. */
export function allowPrivate(from: string, v: unknown): boolean | string[] {
  if (v === undefined || v === false) return false;
  if (v === true || v === '' || v === 'true' || v === 'all') return true;
  const list = String(v)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of list) {
    if (!/^[0-9a-f:.]+(\/\d{1,3})?$/i.test(item)) {
      throw new ConfigError(`${from} takes addresses or CIDRs like 10.1.0.0/16,127.0.0.2 (got "${item}")`);
    }
  }
  return list;
}

export const CRAWL_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function crawlName(v: unknown, from = '--crawl'): string {
  const s = String(v);
  if (!CRAWL_NAME_RE.test(s)) {
    throw new ConfigError(
      `${from} must be 1-100 characters of letters, digits, '.', '_' or '-' (got "${s}")`,
    );
  }
  return s;
}

export function generateCrawlName(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `crawl-${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}

/** Reads a JSON config file (`--config`): keys are the long flag names in camelCase. */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError(`--config: cannot read ${path}`);
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`--config: ${path} is not a JSON object (${(err as Error).message})`);
  }
}
