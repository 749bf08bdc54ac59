/** `metacrawl export`: a crawl's rows as JSONL, CSV or Parquet files (or stdout). */
import { type ExportFormat, type ExportTable, exportCrawl } from '../store/index.js';
import type { CliIO } from './io.js';

export interface ExportCommandOptions {
  db: string;
  crawl: string;
  format: ExportFormat;
  table: ExportTable | 'all';
  /** null: stdout. */
  out: string | null;
  gzip: boolean;
  nested: boolean;
}

export async function exportCommand(opts: ExportCommandOptions, io: CliIO): Promise<number> {
  const results = await exportCrawl({ ...opts, stdout: io.stdout });
  for (const r of results) {
    if (r.path !== null) io.stderr.write(`export: ${r.table}: ${r.rows} rows → ${r.path}\n`);
  }
  return 0;
}
