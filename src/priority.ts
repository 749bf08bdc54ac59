/** Crawl priority classes (`--priority`), shared by the CLI and the fleet's fair sharing (src/control/fairness.ts). */
import { ConfigError } from './config.js';

export const CLASSES = 9;
export const DEFAULT_CLASS = 5;

/** `--priority`: 0 (default, = class 5) or 1..9, 1 first. */
export function crawlPriority(from: string, v: unknown): number {
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (!Number.isInteger(n) || n < 0 || n > CLASSES)
    throw new ConfigError(
      `${from} must be an integer from 1 (first) to ${CLASSES}, or 0 for the default (got "${v}")`,
    );
  return n;
}

export function priorityClass(priority: number): number {
  return priority >= 1 && priority <= CLASSES ? priority : DEFAULT_CLASS;
}
