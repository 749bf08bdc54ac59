/**
 * Per-host limits: the per-host overrides file, and the limits that apply to one host key (rates: src/rate.ts).
 * Shared, not the worker's: the CLI validates --politeness-file with it without loading the worker stage.
 */
import { readFileSync } from 'node:fs';
import type { HostOverride } from './config.js';
import { parseRate } from './rate.js';

export interface HostLimits {
  /** Requests per second; Infinity (or 0) = unlimited. */
  ratePerSec: number;
  /** Requests in flight at once; Infinity (or 0) = unlimited. */
  concurrency: number;
  /**
   * What the host asks for itself (1 / robots.txt Crawl-delay), in requests per second: unlike the two
   * limits above, which count one crawl's requests, it spaces the requests of every crawl together.
   */
  hostFloorPerSec?: number;
}

/**
 * Reads a JSON file `{ "example.com": { "rate": "1/s", "concurrency": 2 }, ... }`.
 * Validation errors name the file, the host and the field.
 */
export function loadPolitenessFile(path: string): Record<string, HostOverride> {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`politeness file ${path}: ${(err as Error).message}`);
  }
  return validateOverrides(data, `politeness file ${path}`);
}

export function validateOverrides(
  data: unknown,
  where = 'politeness overrides',
): Record<string, HostOverride> {
  if (!isPlainObject(data)) throw new Error(`${where}: must be an object of host → { rate, concurrency }`);
  const out: Record<string, HostOverride> = {};
  for (const [rawHost, value] of Object.entries(data)) {
    const host = rawHost.trim().toLowerCase().replace(/\.$/, '');
    const at = `${where}: "${rawHost}"`;
    if (!host || /[\s/:]/.test(host)) throw new Error(`${at}: the key must be a host name like example.com`);
    if (!isPlainObject(value))
      throw new Error(`${at}: must be an object like { "rate": "1/s", "concurrency": 2 }`);
    const entry: HostOverride = {};
    for (const [field, v] of Object.entries(value)) {
      if (field === 'rate') {
        parseRate(`${at}.rate`, v);
        entry.rate = String(v);
      } else if (field === 'concurrency') {
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
          throw new Error(`${at}.concurrency must be a non-negative integer (0 = unlimited)`);
        }
        entry.concurrency = v;
      } else {
        throw new Error(`${at}.${field} is not a known field (expected rate, concurrency)`);
      }
    }
    out[host] = entry;
  }
  return out;
}

/**
 * The limits for one host key: the override for the host key itself, else for its closest parent
 * domain (`example.com` covers `www.example.com`), else the defaults. A robots.txt Crawl-delay can
 * only lower the rate: rate = min(rate, 1 / crawlDelay), and it is the host's floor across crawls.
 */
export function resolveLimits(
  hostKey: string,
  defaults: HostLimits,
  overrides: Record<string, HostOverride> = {},
  crawlDelaySec?: number | null,
): HostLimits {
  let ratePerSec = normalize(defaults.ratePerSec);
  let concurrency = normalize(defaults.concurrency);
  const o = findOverride(hostKey.toLowerCase(), overrides);
  if (o?.rate !== undefined) ratePerSec = parseRate(`the rate of host override ${hostKey}`, o.rate);
  if (o?.concurrency !== undefined) concurrency = normalize(o.concurrency);
  if (crawlDelaySec != null && crawlDelaySec > 0) {
    ratePerSec = Math.min(ratePerSec, 1 / crawlDelaySec);
    return { ratePerSec, concurrency, hostFloorPerSec: 1 / crawlDelaySec };
  }
  return { ratePerSec, concurrency };
}

function findOverride(host: string, overrides: Record<string, HostOverride>): HostOverride | undefined {
  for (let h = host; h; ) {
    if (Object.hasOwn(overrides, h)) return overrides[h];
    const dot = h.indexOf('.');
    h = dot < 0 ? '' : h.slice(dot + 1);
  }
  return undefined;
}

/** 0, negative or non-finite → Infinity (unlimited). */
function normalize(n: number): number {
  return Number.isFinite(n) && n > 0 ? n : Number.POSITIVE_INFINITY;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
