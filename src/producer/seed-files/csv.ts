/**
 * CSV seeds: a header naming a `url` column, then one record per URL (csv-parse, quoted fields may span
 * lines). Problems carry the physical line where their record began.
 */
import type { Readable } from 'node:stream';
import type { CsvError } from 'csv-parse';
import type { SeedLine, SeedProblem } from './types.js';

export async function* readCsv(
  stream: Readable,
  source: string,
  maxLine: number,
): AsyncGenerator<Array<SeedLine | SeedProblem>> {
  // csv-parse counts a CRLF inside a quoted field as two lines; `drift` undoes that.
  type Skip = { rawLine: number; emptyLines: number; terminal: boolean; reason: string };
  const skipped: Skip[] = [];
  let drift = 0;
  let lastEnd = 0;
  let lastEmpty = 0;
  // csv-parse stops at an unclosed quote or an oversized record and reports where it gave up; the
  // user needs where that record began: after the last good record and any blank lines.
  const problem = (s: Skip): SeedProblem => ({
    source,
    line: (s.terminal ? lastEnd + (s.emptyLines - lastEmpty) + 1 : s.rawLine) - drift,
    reason: s.reason,
  });
  // Loaded here: csv-parse is needed by CSV seed files only.
  const { parse: parseCsv } = await import('csv-parse');
  const parser = parseCsv({
    bom: true,
    info: true,
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: maxLine,
    on_skip: (err: CsvError | undefined) => {
      if (!err) return undefined;
      skipped.push({
        rawLine: Number(err.lines) || 0,
        emptyLines: Number(err.empty_lines) || 0,
        terminal: err.code === 'CSV_QUOTE_NOT_CLOSED' || err.code === 'CSV_MAX_RECORD_SIZE',
        reason: csvReason(err),
      });
      return undefined;
    },
  });
  stream.on('error', (err) => parser.destroy(err));
  stream.pipe(parser);
  let urlCol = -1;
  try {
    for await (const records of batches<{ record: string[]; info: { lines: number; empty_lines: number } }>(
      parser,
    )) {
      const out: Array<SeedLine | SeedProblem> = [];
      for (const { record, info } of records) {
        // A record ends on info.lines; the line breaks inside its quoted fields say where it began.
        let breaks = 0;
        let crlfs = 0;
        for (const f of record) {
          breaks += countLineBreaks(f);
          if (breaks > 0) crlfs += f.split('\r\n').length - 1;
        }
        const rawStart = info.lines - breaks - crlfs;
        while (skipped.length > 0 && skipped[0].rawLine < rawStart) out.push(problem(skipped.shift()!));
        const line = rawStart - drift;
        drift += crlfs;
        lastEnd = info.lines;
        lastEmpty = info.empty_lines;
        if (urlCol === -1) {
          urlCol = record.findIndex((h) => h.trim().toLowerCase() === 'url');
          if (urlCol === -1) {
            out.push({ source, line, reason: 'no "url" column in the CSV header' });
            yield out;
            return;
          }
          continue;
        }
        const url = (record[urlCol] ?? '').trim();
        if (url === '') {
          // A row of empty cells is a blank line in spreadsheet clothing.
          if (record.some((f) => f.trim() !== '')) out.push({ source, line, reason: 'empty url' });
          continue;
        }
        out.push({ url, source, line });
      }
      if (out.length > 0) yield out;
    }
    if (skipped.length > 0) yield skipped.map(problem);
  } finally {
    stream.unpipe(parser);
    parser.destroy();
  }
}

/**
 * An object stream read as arrays: everything buffered at each wake-up, in order (its async iterator costs a
 * promise per object). Throws the stream's error; ends at its end or when it is destroyed.
 */
async function* batches<T>(s: Readable): AsyncGenerator<T[]> {
  let wake: (() => void) | null = null;
  const poke = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  // Listened to throughout: an error while the consumer holds a batch is thrown at the next wake-up.
  const events = ['readable', 'end', 'close', 'error'] as const;
  for (const e of events) s.on(e, poke);
  try {
    for (;;) {
      const out: T[] = [];
      for (let x = s.read() as T | null; x !== null; x = s.read() as T | null) out.push(x);
      if (out.length > 0) {
        yield out;
        continue;
      }
      if (s.errored) throw s.errored;
      if (s.readableEnded || s.destroyed) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    for (const e of events) s.off(e, poke);
  }
}

function csvReason(err: CsvError): string {
  switch (err.code) {
    case 'CSV_MAX_RECORD_SIZE':
      return 'record too long; rest of the file skipped';
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'unclosed quote; rest of the file skipped';
    default:
      return `bad CSV record (${err.code})`;
  }
}

function countLineBreaks(s: string): number {
  if (!s.includes('\n') && !s.includes('\r')) return 0;
  return s.match(/\r\n|\r|\n/g)?.length ?? 0;
}
