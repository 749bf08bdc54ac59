/**
 * Opening a seed source: a file (errors name it) or stdin as a byte stream, gunzipped when its first bytes
 * say gzip, and its format told by the file name or sniffed from its first line.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { SeedFormat } from './types.js';

/** Bytes read ahead to sniff the format of a source whose name does not tell it. */
export const SNIFF_BYTES = 4096;

/** A seed file as a byte stream; a missing, unreadable or directory path is an error naming it. */
export async function openFile(path: string): Promise<Readable> {
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

export function toReadable(s: NodeJS.ReadableStream): Readable {
  return s instanceof Readable ? s : new Readable().wrap(s);
}

/** Whether an error came from zlib (corrupt gzip data). */
export function isGzipError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

/** Whether the first bytes are gzip's magic number. */
export function isGzip(head: Buffer): boolean {
  return head[0] === 0x1f && head[1] === 0x8b;
}

/** Pipes a gzipped stream through gunzip; an error of either side surfaces when the result is read. */
export function gunzip(stream: Readable): Readable {
  const out = createGunzip();
  stream.on('error', (err) => out.destroy(err));
  out.on('error', () => {}); // surfaced through iteration; this only prevents an unhandled 'error'
  return stream.pipe(out);
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
export async function peek(src: Readable, n: number): Promise<{ head: Buffer; stream: Readable }> {
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
