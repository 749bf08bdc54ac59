/**
 * Seed readers: txt, csv, jsonl — each optionally gzipped — from a file or stdin, streamed with bounded
 * memory. Readers report what they found (raw URL text, source, 1-based physical line) and never stop a
 * file for one bad line; normalization is a separate step (`normalizeSeeds`).
 */
import type { Readable } from 'node:stream';
import { type NormalizeOptions, normalizeUrl } from '../../url/normalize.js';
import { readCsv } from './csv.js';
import { readJsonl } from './jsonl.js';
import {
  formatFromName,
  gunzip,
  isGzip,
  isGzipError,
  openFile,
  peek,
  SNIFF_BYTES,
  sniffFormat,
  toReadable,
} from './open.js';
import { readTxt } from './txt.js';
import type { SeedFormat, SeedLine, SeedProblem, SeedReader } from './types.js';

export { formatFromName, sniffFormat } from './open.js';
export type { SeedFormat, SeedLine, SeedProblem } from './types.js';

export interface ReadSeedsOptions {
  /** `auto` (default): by extension (`.txt`, `.csv`, `.jsonl`, `.ndjson`, each maybe `.gz`), else sniffed. */
  format?: 'auto' | SeedFormat;
  /** The stream read for source `-` (default: process.stdin). */
  stdin?: NodeJS.ReadableStream;
  /** Longer lines (csv: records) are reported, not buffered. Default 1 MiB. */
  maxLineBytes?: number;
}

const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

const READERS: Record<SeedFormat, SeedReader> = { txt: readTxt, csv: readCsv, jsonl: readJsonl };

/**
 * Streams one seed source (a file path, or `-` for stdin). Yields `SeedLine`s and `SeedProblem`s
 * (tell them apart with `'reason' in x`). Throws when the file is missing or unreadable, or its gzip
 * data is corrupt. One at a time: `readSeedChunks` is the same in arrays, for the submit path.
 */
export async function* readSeeds(
  source: string,
  opts: ReadSeedsOptions = {},
): AsyncGenerator<SeedLine | SeedProblem> {
  for await (const chunk of readSeedChunks(source, opts)) yield* chunk;
}

/** `readSeeds` in non-empty arrays, in file order: no promise per seed. */
export async function* readSeedChunks(
  source: string,
  opts: ReadSeedsOptions = {},
): AsyncGenerator<Array<SeedLine | SeedProblem>> {
  const maxLine = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const name = source === '-' ? 'stdin' : source;
  const input = source === '-' ? toReadable(opts.stdin ?? process.stdin) : await openFile(source);
  let stream: Readable = input;
  try {
    let peeked = await peek(stream, 2);
    stream = isGzip(peeked.head) ? gunzip(peeked.stream) : peeked.stream;
    let format = opts.format && opts.format !== 'auto' ? opts.format : formatFromName(source);
    if (format === null) {
      peeked = await peek(stream, SNIFF_BYTES);
      stream = peeked.stream;
      format = sniffFormat(peeked.head.toString('utf8'));
    }
    yield* READERS[format](stream, name, maxLine);
  } catch (err) {
    if (isGzipError(err)) throw new Error(`seed file ${name}: bad gzip data (${(err as Error).message})`);
    throw err;
  } finally {
    input.destroy();
    stream.destroy();
  }
}

export type NormalizedSeed = { ok: true; url: string; line: SeedLine } | { ok: false; problem: SeedProblem };

/** Applies `normalizeUrl` to each seed; a refused URL becomes a problem with its file and line. */
export async function* normalizeSeeds(
  lines: AsyncIterable<SeedLine | SeedProblem>,
  opts: Partial<NormalizeOptions> = {},
): AsyncGenerator<NormalizedSeed> {
  for await (const item of lines) yield normalizeSeed(item, opts);
}

/** One seed normalized; a refused URL becomes a problem with its file and line. */
export function normalizeSeed(
  item: SeedLine | SeedProblem,
  opts: Partial<NormalizeOptions> = {},
): NormalizedSeed {
  if ('reason' in item) return { ok: false, problem: item };
  const r = normalizeUrl(item.url, opts);
  if (r.ok) return { ok: true, url: r.url, line: item };
  return { ok: false, problem: { source: item.source, line: item.line, reason: r.reason } };
}

/** `file:line: reason` — the one format for reporting seed problems. */
export function formatProblem(p: SeedProblem): string {
  return `${p.source}:${p.line}: ${p.reason}`;
}
