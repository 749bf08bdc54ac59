/**
 * Reads a response body under a byte cap, decompressing gzip / deflate / br as it goes. Both the raw and the
 * decoded byte counts are capped at `maxBytes`: past the cap we stop reading, destroy the streams and return
 * what was read with truncated=true, so a decompression bomb is never inflated past the cap.
 */
import type { Readable } from 'node:stream';
import zlib, { type BrotliDecompress, type Gunzip, type Inflate, type InflateRaw } from 'node:zlib';
import { CrawlError } from '../errors.js';

export interface BodyResult {
  body: Buffer;
  truncated: boolean;
  /**
   * With `keepWire`: the body as received (still content-encoded), when it was content-encoded and read whole;
   * `decodeBody(wire, contentEncoding)` gives `body` back. Null otherwise (identity: `body` is the wire bytes).
   */
  wire?: Buffer | null;
}

type Decoder = Gunzip | Inflate | InflateRaw | BrotliDecompress;

const SUPPORTED = new Set(['gzip', 'x-gzip', 'deflate', 'br']);

/** The content codings to undo, in the order they must be undone (reverse of the header order). */
export function parseContentEncoding(header: string | null | undefined): string[] {
  if (!header) return [];
  const codings = header
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  for (const c of codings) {
    if (!SUPPORTED.has(c))
      throw new CrawlError('DECOMPRESSION_FAILED', `unsupported content-encoding "${c}"`);
  }
  return codings.reverse();
}

/** Collects chunks up to `max` bytes; remembers whether anything was cut off. */
class Sink {
  private readonly chunks: Buffer[] = [];
  private length = 0;
  truncated = false;
  constructor(private readonly max: number) {}

  /** Returns false once the cap is passed (the caller stops reading). */
  push(chunk: Buffer): boolean {
    const room = this.max - this.length;
    if (chunk.length > room) {
      if (room > 0) this.add(chunk.subarray(0, room));
      this.truncated = true;
      return false;
    }
    this.add(chunk);
    return true;
  }

  private add(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  result(): BodyResult {
    return { body: Buffer.concat(this.chunks, this.length), truncated: this.truncated };
  }
}

// Sync flush at the end makes a cut-short stream yield what it has instead of failing, as browsers do.
function createDecoder(coding: string, firstChunk: Buffer | null): Decoder {
  const flush = { finishFlush: zlib.constants.Z_SYNC_FLUSH };
  if (coding === 'br')
    return zlib.createBrotliDecompress({ finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH });
  if (coding === 'deflate') {
    // "deflate" is meant to be zlib-wrapped, but many servers send raw deflate: tell them apart by the header.
    const zlibWrapped = firstChunk === null || (firstChunk[0] & 0x0f) === 0x08;
    return zlibWrapped ? zlib.createInflate(flush) : zlib.createInflateRaw(flush);
  }
  return zlib.createGunzip(flush);
}

/** Compressed bodies up to this size are read whole and inflated in one call (see gunzipSmall). */
const ONE_SHOT_MAX = 64 * 1024;

/**
 * Fast path for the common case, a small gzip body: read it whole (at most ONE_SHOT_MAX raw bytes) and
 * inflate it in one synchronous call, which costs a third of a zlib stream's CPU per page. Anything else —
 * a longer body, output past the cap, bad or cut-short data — yields `rest` instead: the bytes read so far
 * followed by the unread stream, for the streaming path to handle exactly as it always has.
 */
async function gunzipSmall(
  stream: Readable,
  maxBytes: number,
): Promise<{ body: Buffer; wire: Buffer; rest: null } | { body: null; rest: AsyncIterable<unknown> }> {
  const it = stream[Symbol.asyncIterator]();
  const read: Buffer[] = [];
  let raw = 0;
  let ended = false;
  while (raw <= ONE_SHOT_MAX) {
    const next = await it.next();
    if (next.done) {
      ended = true;
      break;
    }
    read.push(next.value as Buffer);
    raw += (next.value as Buffer).length;
  }
  if (ended && raw > 0 && raw <= maxBytes) {
    try {
      const input = read.length === 1 ? read[0] : Buffer.concat(read, raw);
      // Without finishFlush a cut-short body throws, and the streaming path (which keeps what it got) takes over.
      return {
        body: zlib.gunzipSync(input, { maxOutputLength: maxBytes, chunkSize: outputChunk(input, maxBytes) }),
        wire: input,
        rest: null,
      };
    } catch {}
  }
  async function* rest() {
    try {
      yield* read;
      if (ended) return;
      for (let next = await it.next(); !next.done; next = await it.next()) yield next.value;
    } finally {
      // Leaving early (the cap) must end the wire stream, as breaking out of it directly would.
      await it.return?.();
    }
  }
  return { body: null, rest: rest() };
}

/**
 * The output buffer for a one-shot gunzip: the size the gzip trailer states (ISIZE, RFC 1952), plus one byte so
 * that zlib stops after a single pass, into one buffer, with no copy; a third less CPU than zlib's 16 KB chunks
 * for a 100 KB page. Only a hint: a wrong or lying trailer just means more chunks, and it is never trusted past
 * the cap or past what deflate can expand the input to (~1032×).
 */
export function outputChunk(gzip: Buffer, maxBytes: number): number {
  if (gzip.length < 18) return zlib.constants.Z_DEFAULT_CHUNK;
  const stated = gzip.readUInt32LE(gzip.length - 4);
  return Math.max(zlib.constants.Z_MIN_CHUNK, Math.min(stated + 1, maxBytes + 1, gzip.length * 1032 + 1024));
}

/** Resolves on the first of `events` on `stream`, or when `signal` aborts. */
function until(stream: Decoder, events: string[], signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || signal.aborted) return resolve();
    const done = () => {
      for (const e of events) stream.off(e, done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    for (const e of events) stream.once(e, done);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Output buffers of a one-call inflate are sized from the gzip trailer up to this (a larger output still works). */
const SIZED_MAX = 64 * 1024 * 1024;
/** Deflate's largest expansion (bytes out per byte in): a trailer claiming more is not the stream's own. */
const DEFLATE_MAX_RATIO = 1032;

/**
 * gunzipSync with its output buffer sized from the gzip trailer (ISIZE, the last member's length mod 2^32): one
 * buffer and no concatenation when it is right, some 20% of a page's inflate; merely more buffers when it is not
 * (several members, a cut stream).
 */
export function gunzipSized(data: Buffer, opts: zlib.ZlibOptions = {}): Buffer {
  const size = data.length >= 18 ? data.readUInt32LE(data.length - 4) + 1 : 0;
  return size > zlib.constants.Z_DEFAULT_CHUNK && size <= Math.min(SIZED_MAX, data.length * DEFLATE_MAX_RATIO)
    ? zlib.gunzipSync(data, { ...opts, chunkSize: size })
    : zlib.gunzipSync(data, opts);
}

/**
 * Undoes a body's Content-Encoding in one synchronous call, as readBody does while it reads (the same codings and
 * the same leniency): for bytes kept as received, e.g. an archived response read back.
 */
export function decodeBody(wire: Buffer, contentEncoding: string | null | undefined): Buffer {
  let out = wire;
  for (const coding of parseContentEncoding(contentEncoding)) {
    try {
      if (coding === 'br')
        out = zlib.brotliDecompressSync(out, { finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH });
      else {
        const flush = { finishFlush: zlib.constants.Z_SYNC_FLUSH };
        if (coding === 'deflate')
          out =
            out.length === 0 || (out[0] & 0x0f) === 0x08
              ? zlib.inflateSync(out, flush)
              : zlib.inflateRawSync(out, flush);
        else out = gunzipSized(out, flush);
      }
    } catch (err) {
      throw new CrawlError('DECOMPRESSION_FAILED', `bad ${coding} data: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  return out;
}

export async function readBody(
  stream: Readable,
  contentEncoding: string | null | undefined,
  maxBytes: number,
  signal: AbortSignal,
  keepWire = false,
): Promise<BodyResult> {
  const codings = parseContentEncoding(contentEncoding);
  const sink = new Sink(maxBytes);
  if (codings.length === 0) {
    for await (const chunk of stream) if (!sink.push(chunk as Buffer)) break;
    return sink.result();
  }
  let source: AsyncIterable<unknown> = stream;
  if (codings.length === 1 && (codings[0] === 'gzip' || codings[0] === 'x-gzip')) {
    const whole = await gunzipSmall(stream, maxBytes);
    if (whole.rest === null)
      return { body: whole.body, truncated: false, ...(keepWire ? { wire: whole.wire } : {}) };
    source = whole.rest;
  }
  const wire: Buffer[] | null = keepWire ? [] : null;

  let decoders: Decoder[] = [];
  let failure: Error | null = null;
  let capped = false;
  const destroyAll = () => {
    for (const d of decoders) d.destroy();
  };
  const start = (first: Buffer): Decoder => {
    decoders = codings.map((c, i) => createDecoder(c, i === 0 ? first : null));
    for (let i = 0; i + 1 < decoders.length; i++) decoders[i].pipe(decoders[i + 1]);
    for (const d of decoders) {
      d.on('error', (err) => {
        failure ??= err;
        destroyAll();
        stream.destroy();
      });
    }
    decoders[decoders.length - 1].on('data', (chunk: Buffer) => {
      if (capped) return;
      if (!sink.push(chunk)) {
        capped = true;
        destroyAll();
        // Stop reading the wire now, not when the next raw chunk happens to arrive.
        stream.destroy();
      }
    });
    return decoders[0];
  };

  try {
    let raw = 0;
    let input: Decoder | null = null;
    for await (const item of source) {
      let chunk = item as Buffer;
      if (capped || failure) break;
      if (chunk.length === 0) continue;
      input ??= start(chunk);
      const room = maxBytes - raw;
      const rawCapped = chunk.length > room;
      if (rawCapped) {
        chunk = chunk.subarray(0, room);
        sink.truncated = true;
      }
      raw += chunk.length;
      wire?.push(chunk);
      if (!input.write(chunk)) await until(input, ['drain', 'close'], signal);
      if (signal.aborted) throw signal.reason;
      if (capped || failure || rawCapped) break;
    }
    if (input && !capped && !failure) {
      const output = decoders[decoders.length - 1];
      const ended = until(output, ['end', 'close'], signal);
      input.end();
      await ended;
      if (signal.aborted) throw signal.reason;
    }
  } catch (err) {
    // Destroying the raw stream (at the cap, or on bad data) ends its iteration with an error of its own.
    if ((!capped && !failure) || signal.aborted) throw err;
  } finally {
    destroyAll();
  }
  if (failure && !capped) {
    throw new CrawlError(
      'DECOMPRESSION_FAILED',
      `bad ${codings.join('+')} data: ${(failure as Error).message}`,
      {
        cause: failure,
      },
    );
  }
  const result = sink.result();
  if (wire) result.wire = result.truncated ? null : Buffer.concat(wire);
  return result;
}
