/**
 * `metacrawl audit --crawl <name>`: the site-audit checks (SQL views of the results database) over one crawl,
 * as a summary and every finding. `--set key=value` changes a threshold in the database first.
 */

import { ConfigError } from '../config.js';
import {
  type AuditFormat,
  closeReadOnlyDb,
  formatAudit,
  openDb,
  openReadOnlyDb,
  runAudit,
  setAuditSettings,
} from '../store/index.js';
import type { CliIO } from './io.js';

export interface AuditCommandOptions {
  db: string;
  crawl: string;
  checks: string[] | null;
  format: AuditFormat;
  limit: number | null;
  /** Thresholds to store in audit_settings before running. */
  set: Record<string, number>;
}

export async function auditCommand(opts: AuditCommandOptions, io: CliIO): Promise<number> {
  if (Object.keys(opts.set).length > 0) {
    const rw = openDb(opts.db);
    try {
      setAuditSettings(rw, opts.set);
    } finally {
      rw.close();
    }
  }
  const db = openReadOnlyDb(opts.db);
  let out: string;
  try {
    const report = runAudit(db, opts.crawl, {
      checks: opts.checks ?? undefined,
      limit: opts.limit ?? undefined,
    });
    out = formatAudit(report, opts.format);
  } finally {
    closeReadOnlyDb(db);
  }
  io.stdout.write(out);
  return 0;
}

/** `--set a=1,b=2` (repeatable) as numbers; a malformed pair is a usage error naming it. */
export function parseSettings(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pair of values.flatMap((v) => v.split(','))) {
    if (pair.trim() === '') continue;
    const m = /^\s*([a-z0-9_]+)\s*=\s*(-?[0-9]+(?:\.[0-9]+)?)\s*$/.exec(pair);
    if (!m)
      throw new ConfigError(
        `--set: expected key=number (e.g. thin_content_min_words=300), got ${JSON.stringify(pair)}`,
      );
    out[m[1]] = Number(m[2]);
  }
  return out;
}
