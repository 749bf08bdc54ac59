/**
 * Seed readers: txt, csv, jsonl — each optionally gzipped — from a file or stdin, streamed with bounded
 * memory. Readers report what they found (raw URL text, source, 1-based physical line) and never stop a
 * file for one bad line; normalization is a separate step (`normalizeSeeds`).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { type CsvError, parse as parseCsv } from 'csv-parse';
import { type NormalizeOptions, normalizeUrl } from '../../url/normalize.js';

/** A URL as found in a seed source, before normalization. */
export interface SeedLine {
  url: string;
  source: string;
  line: number;
}

export interface SeedProblem {
  source: string;
  line: number;
  reason: string;
}

export type SeedFormat = 'txt' | 'csv' | 'jsonl';

export interface ReadSeedsOptions {
  /** `auto` (default): by extension (`.txt`, `.csv`, `.jsonl`, `.ndjson`, each maybe `.gz`), else sniffed. */
  format?: 'auto' | SeedFormat;
  /** The stream read for source `-` (default: process.stdin). */
  stdin?: NodeJS.ReadableStream;
  /** Longer lines (csv: records) are reported, not buffered. Default 1 MiB. */
  maxLineBytes?: number;
}

const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;
const SNIFF_BYTES = 4096;

/**
 * Streams one seed source (a file path, or `-` for stdin). Yields `SeedLine`s and `SeedProblem`s
 * (tell them apart with `'reason' in x`). Throws when the file is missing or unreadable, or its gzip
 * data is corrupt.
 */
export async function* readSeeds(
  source: string,
  opts: ReadSeedsOptions = {},
): AsyncGenerator<SeedLine | SeedProblem> {
  const maxLine = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const name = source === '-' ? 'stdin' : source;
  const input = source === '-' ? toReadable(opts.stdin ?? process.stdin) : await openFile(source);
  let stream: Readable = input;
  try {
    let peeked = await peek(stream, 2);
    const gzipped = peeked.head[0] === 0x1f && peeked.head[1] === 0x8b;
    if (gzipped) {
      const gunzip = createGunzip();
      peeked.stream.on('error', (err) => gunzip.destroy(err));
      gunzip.on('error', () => {}); // surfaced through iteration; this only prevents an unhandled 'error'
      stream = peeked.stream.pipe(gunzip);
    } else {
      stream = peeked.stream;
    }
    let format = opts.format && opts.format !== 'auto' ? opts.format : formatFromName(source);
    if (format === null) {
      peeked = await peek(stream, SNIFF_BYTES);
      stream = peeked.stream;
      format = sniffFormat(peeked.head.toString('utf8'));
    }
    const reader = format === 'csv' ? readCsv : format === 'jsonl' ? readJsonl : readTxt;
    yield* reader(stream, name, maxLine);
  } catch (err) {
    if (gzipErrorCode(err)) throw new Error(`seed file ${name}: bad gzip data (${(err as Error).message})`);
    throw err;
  } finally {
    input.destroy();
    stream.destroy();
  }
}

async function openFile(path: string): Promise<Readable> {
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new Error(`seed path is a directory: ${path}`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`seed file not found: ${path}`);
    if ((err as NodeJS.ErrnoException).code === 'EACCES') throw new Error(`seed file not readable: ${path}`);
    throw err;
  }
  return createReadStream(path);
}

function toReadable(s: NodeJS.ReadableStream): Readable {
  return s instanceof Readable ? s : new Readable().wrap(s);
}

function gzipErrorCode(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

/** The format named by the file extension (after any `.gz`), or null when it must be sniffed. */
export function formatFromName(source: string): SeedFormat | null {
  const lower = source.toLowerCase().replace(/\.gz$/, '');
  if (lower.endsWith('.txt')) return 'txt';
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  return null;
}

/** Guesses the format from the first meaningful line; plain text when in doubt. */
export function sniffFormat(head: string): SeedFormat {
  const first = head
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== '' && !l.startsWith('#'));
  if (first === undefined) return 'txt';
  if (first.startsWith('{')) return 'jsonl';
  // A header naming a `url` column (possibly the only one) means CSV.
  if (first.split(',').some((c) => c.trim().replace(/^"|"$/g, '').toLowerCase() === 'url')) return 'csv';
  return 'txt';
}

/** Reads up to `n` bytes without consuming them: returns them and a stream that replays them first. */
async function peek(src: Readable, n: number): Promise<{ head: Buffer; stream: Readable }> {
  const it = src[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < n) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    const chunk = typeof r.value === 'string' ? Buffer.from(r.value) : (r.value as Buffer);
    chunks.push(chunk);
    size += chunk.length;
  }
  const head = Buffer.concat(chunks);
  async function* replay() {
    if (head.length > 0) yield head;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield typeof r.value === 'string' ? Buffer.from(r.value) : (r.value as Buffer);
    }
  }
  const stream = Readable.from(replay(), { objectMode: false });
  // Destroying the replay must also release the source (early break, errors).
  stream.on('close', () => {
    it.return?.().catch(() => {});
  });
  return { head, stream };
}

type RawLine = { line: number; text: string } | { line: number; tooLong: true };

/**
 * Splits a byte stream on `\n` (a trailing `\r` is dropped) without ever holding more than one line.
 * Splitting bytes at 0x0A never cuts a UTF-8 character.
 */
async function* splitLines(stream: Readable, maxLine: number): AsyncGenerator<RawLine> {
  let parts: Buffer[] = [];
  let partLen = 0;
  let overflow = false;
  let line = 0;
  const finish = (last: Buffer): RawLine => {
    line++;
    if (overflow) return { line, tooLong: true };
    const buf = parts.length === 0 ? last : Buffer.concat([...parts, last]);
    let text = buf.toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (line === 1 && text.startsWith('\uFEFF')) text = text.slice(1);
    return { line, text };
  };
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      const piece = buf.subarray(start, nl);
      if (!overflow && partLen + piece.length > maxLine) overflow = true;
      yield finish(piece);
      parts = [];
      partLen = 0;
      overflow = false;
      start = nl + 1;
    }
    if (start < buf.length && !overflow) {
      const rest = buf.subarray(start);
      partLen += rest.length;
      if (partLen > maxLine) {
        overflow = true;
        parts = [];
      } else {
        // Copy: the rest of a large chunk must not pin the whole chunk in memory.
        parts.push(Buffer.from(rest));
      }
    }
  }
  if (partLen > 0 || overflow) yield finish(Buffer.alloc(0));
}

async function* readTxt(
  stream: Readable,
  source: string,
  maxLine: number,
): AsyncGenerator<SeedLine | SeedProblem> {
  for await (const l of splitLines(stream, maxLine)) {
    if ('tooLong' in l) {
      yield { source, line: l.line, reason: `line longer than ${maxLine} bytes` };
      continue;
    }
    const url = l.text.trim();
    if (url === '' || url.startsWith('#')) continue;
    yield { url, source, line: l.line };
  }
}

async function* readJsonl(
  stream: Readable,
  source: string,
  maxLine: number,
): AsyncGenerator<SeedLine | SeedProblem> {
  for await (const l of splitLines(stream, maxLine)) {
    if ('tooLong' in l) {
      yield { source, line: l.line, reason: `line longer than ${maxLine} bytes` };
      continue;
    }
    const text = l.text.trim();
    if (text === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      yield { source, line: l.line, reason: 'invalid JSON' };
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      yield { source, line: l.line, reason: 'not a JSON object' };
      continue;
    }
    const url = (value as Record<string, unknown>).url;
    if (typeof url !== 'string' || url.trim() === '') {
      yield { source, line: l.line, reason: 'missing "url" field' };
      continue;
    }
    yield { url: url.trim(), source, line: l.line };
  }
}

async function* readCsv(
  stream: Readable,
  source: string,
  maxLine: number,
): AsyncGenerator<SeedLine | SeedProblem> {
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
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number; empty_lines: number };
    }>) {
      // A record ends on info.lines; the line breaks inside its quoted fields say where it began.
      let breaks = 0;
      let crlfs = 0;
      for (const f of record) {
        breaks += countLineBreaks(f);
        if (breaks > 0) crlfs += f.split('\r\n').length - 1;
      }
      const rawStart = info.lines - breaks - crlfs;
      while (skipped.length > 0 && skipped[0].rawLine < rawStart) yield problem(skipped.shift()!);
      const line = rawStart - drift;
      drift += crlfs;
      lastEnd = info.lines;
      lastEmpty = info.empty_lines;
      if (urlCol === -1) {
        urlCol = record.findIndex((h) => h.trim().toLowerCase() === 'url');
        if (urlCol === -1) {
          yield { source, line, reason: 'no "url" column in the CSV header' };
          return;
        }
        continue;
      }
      const url = (record[urlCol] ?? '').trim();
      if (url === '') {
        // A row of empty cells is a blank line in spreadsheet clothing.
        if (record.some((f) => f.trim() !== '')) yield { source, line, reason: 'empty url' };
        continue;
      }
      yield { url, source, line };
    }
    for (const sk of skipped) yield problem(sk);
  } finally {
    stream.unpipe(parser);
    parser.destroy();
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

export type NormalizedSeed = { ok: true; url: string; line: SeedLine } | { ok: false; problem: SeedProblem };

/** Applies `normalizeUrl` to each seed; a refused URL becomes a problem with its file and line. */
export async function* normalizeSeeds(
  lines: AsyncIterable<SeedLine | SeedProblem>,
  opts: Partial<NormalizeOptions> = {},
): AsyncGenerator<NormalizedSeed> {
  for await (const item of lines) {
    if ('reason' in item) {
      yield { ok: false, problem: item };
      continue;
    }
    const r = normalizeUrl(item.url, opts);
    if (r.ok) yield { ok: true, url: r.url, line: item };
    else yield { ok: false, problem: { source: item.source, line: item.line, reason: r.reason } };
  }
}

/** `file:line: reason` — the one format for reporting seed problems. */
export function formatProblem(p: SeedProblem): string {
  return `${p.source}:${p.line}: ${p.reason}`;
}
