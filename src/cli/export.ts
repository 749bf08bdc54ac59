/** `metacrawl export`: a crawl's rows as JSONL, CSV or Parquet files (or stdout). */
import { type ExportOptions, exportCrawl } from '../store/index.js';
import type { CliIO } from './io.js';

/** The store's export options less what the command supplies itself (stdout) or leaves to tests. */
export type ExportCommandOptions = Omit<ExportOptions, 'stdout' | 'rowGroupRows'>;

export async function exportCommand(opts: ExportCommandOptions, io: CliIO): Promise<number> {
  const results = await exportCrawl({ ...opts, stdout: io.stdout });
  for (const r of results) {
    if (r.path !== null) io.stderr.write(`export: ${r.table}: ${r.rows} rows → ${r.path}\n`);
  }
  return 0;
}
