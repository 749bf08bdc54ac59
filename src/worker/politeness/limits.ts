/** Per-host limits: rate strings, the per-host overrides file, and the limits that apply to one host key. */
import { readFileSync } from 'node:fs';

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

export interface HostOverride {
  rate?: string;
  concurrency?: number;
}

const UNIT_SEC: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };
const RATE_RE = /^(\d+(?:\.\d+)?)\s*(?:\/\s*(\d+(?:\.\d+)?)?\s*(ms|s|m|h))?$/;

/**
 * `2/s` → 2, `30/m` → 0.5, `100/h`, `1/5s` → 0.2, a bare `3` → 3/s; `0` or `unlimited` → Infinity.
 * Throws an Error naming the input on anything else.
 */
export function parseRate(s: string): number {
  const v = String(s).trim().toLowerCase();
  if (v === 'unlimited' || v === 'infinity') return Number.POSITIVE_INFINITY;
  const m = RATE_RE.exec(v);
  if (!m) {
    throw new Error(
      `invalid rate "${s}": expected N/s, N/m, N/h or N/<k>s (e.g. 2/s, 30/m, 1/5s), or 0/unlimited`,
    );
  }
  const count = Number(m[1]);
  if (count === 0) return Number.POSITIVE_INFINITY;
  const per = m[2] === undefined ? 1 : Number(m[2]);
  const seconds = per * UNIT_SEC[m[3] ?? 's'];
  if (!(seconds > 0)) throw new Error(`invalid rate "${s}": the period must be longer than 0`);
  const rate = count / seconds;
  if (!Number.isFinite(rate)) throw new Error(`invalid rate "${s}": too large`);
  return rate;
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
        if (typeof v !== 'string') throw new Error(`${at}.rate must be a string like "2/s" or "30/m"`);
        try {
          parseRate(v);
        } catch (err) {
          throw new Error(`${at}.rate: ${(err as Error).message}`);
        }
        entry.rate = v;
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
  if (o?.rate !== undefined) ratePerSec = parseRate(o.rate);
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
