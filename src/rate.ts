/**
 * The one rate parser, for every place a rate is read (--host-rate, the config file, politeness-file
 * overrides, a crawl's stored settings): requests per second, Infinity for unlimited.
 */
import { ConfigError } from './config.js';

const UNIT_SEC: Record<string, number> = {
  ms: 0.001,
  s: 1,
  sec: 1,
  second: 1,
  m: 60,
  min: 60,
  minute: 60,
  h: 3600,
  hour: 3600,
};
const UNLIMITED = new Set(['0', 'unlimited', 'none', 'inf', 'infinity']);
/** `N`, `N/unit` or `N/<k><unit>` (e.g. 1/5s); N may be a decimal. */
const RATE_RE = /^(\d+(?:\.\d+)?)(?:\s*\/\s*(\d+(?:\.\d+)?)?\s*([a-z]+))?$/;

export const RATE_EXAMPLES = '5 (per second), 5/s, 30/min, 100/h or 1/5s; 0 = unlimited';

/**
 * `5` and `5/s` → 5, `5/sec` → 5, `30/m` and `30/min` → 0.5, `100/h`, `1/5s` → 0.2, `1/500ms` → 2;
 * `0` (also `0/s`) or `unlimited` → Infinity. Anything else throws a ConfigError naming `where`
 * (the flag, config key or file field the value came from).
 */
export function parseRate(where: string, value: unknown): number {
  const bad = (why = '') =>
    new ConfigError(`${where} must be a rate like ${RATE_EXAMPLES}${why} (got ${JSON.stringify(value)})`);
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw bad();
    return value === 0 ? Number.POSITIVE_INFINITY : value;
  }
  if (typeof value !== 'string') throw bad();
  const s = value.trim().toLowerCase();
  if (UNLIMITED.has(s)) return Number.POSITIVE_INFINITY;
  const m = RATE_RE.exec(s);
  if (!m) throw bad();
  const unit = m[3] === undefined ? 1 : UNIT_SEC[m[3]];
  if (unit === undefined) throw bad(` (unknown unit "${m[3]}")`);
  const count = Number(m[1]);
  if (count === 0) return Number.POSITIVE_INFINITY;
  const seconds = (m[2] === undefined ? 1 : Number(m[2])) * unit;
  if (!(seconds > 0)) throw bad(' (the period must be longer than 0)');
  return count / seconds;
}
