/** `metacrawl query "<SQL>"`: read-only SQL over the results database. */
import { runQuery } from '../store/index.js';
import type { CliIO } from './io.js';

export interface QueryCommandOptions {
  db: string;
  sql: string;
  format: 'table' | 'csv' | 'json';
}

export async function queryCommand(opts: QueryCommandOptions, io: CliIO): Promise<number> {
  const out = runQuery(opts.db, opts.sql, opts.format);
  io.stdout.write(out.endsWith('\n') ? out : `${out}\n`);
  return 0;
}
