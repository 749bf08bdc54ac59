/** `metacrawl diff <crawlA> <crawlB>`: pages added, removed and changed between two crawls, with field changes. */
import {
  type Cell,
  type Change,
  type CrawlDiff,
  closeReadOnlyDb,
  diffCrawls,
  latestSchemaVersion,
  openReadOnlyDb,
  schemaVersion,
  toCsv,
  toTable,
} from '../store/index.js';
import type { CliIO } from './io.js';

export interface DiffCommandOptions {
  db: string;
  from: string;
  to: string;
  format: 'table' | 'csv' | 'json';
  fields: string[] | null;
  only: Change[] | null;
}

export async function diffCommand(opts: DiffCommandOptions, io: CliIO): Promise<number> {
  const db = openReadOnlyDb(opts.db);
  let diff: CrawlDiff;
  try {
    if (schemaVersion(db) < latestSchemaVersion())
      throw new Error(
        `${opts.db} has schema ${schemaVersion(db)}, diff needs ${latestSchemaVersion()}: run a crawl or metacrawl store on it to upgrade it`,
      );
    diff = diffCrawls(db, opts.from, opts.to, { fields: opts.fields, only: opts.only });
  } finally {
    closeReadOnlyDb(db);
  }
  if (opts.format === 'json') {
    io.stdout.write(`${JSON.stringify(diff)}\n`);
    return 0;
  }
  // One row per field change (one per added or removed page): url, change, field, old, new.
  const rows: Cell[][] = [];
  for (const p of diff.pages) {
    const entries = Object.entries(p.fields);
    if (entries.length === 0) rows.push([p.url, p.change, null, null, null]);
    for (const [field, v] of entries) {
      if (Array.isArray(v)) rows.push([p.url, p.change, field, v[0], v[1]]);
      else rows.push([p.url, p.change, field, `-${v.removed}`, `+${v.added}`]);
    }
  }
  const columns = ['url', 'change', 'field', 'old', 'new'];
  if (opts.format === 'csv') io.stdout.write(toCsv(columns, rows));
  else {
    const out = toTable(columns, rows);
    io.stdout.write(out.endsWith('\n') ? out : `${out}\n`);
    const n = (c: Change) => diff.pages.filter((p) => p.change === c).length;
    io.stderr.write(
      `${opts.from} → ${opts.to}: ${n('added')} added, ${n('removed')} removed, ${n('changed')} changed\n`,
    );
  }
  return 0;
}
