/**
 * Reads a response body under a byte cap, decompressing gzip / deflate / br as it goes. Both the raw and the
 * decoded byte counts are capped at `maxBytes`: past the cap we stop reading, destroy the streams and return
 * what was read with truncated=true, so a decompression bomb is never inflated past the cap.
 */
import zlib, { type BrotliDecompress, type Gunzip, type Inflate, type InflateRaw } from 'node:zlib';
import { CrawlError } from '../errors.js';
import type { Exchange } from './exchange.js';

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

/** Compressed bodies up to this size are read whole and inflated in one call. */
const ONE_SHOT_MAX = 64 * 1024;

/**
 * Fast path for the common case, a small gzip body read whole (at most ONE_SHOT_MAX raw bytes): inflated in one
 * synchronous call, which costs a third of a zlib stream's CPU per page. Null for anything else — a longer body,
 * output past the cap, bad or cut-short data — which the streaming path reads from the start (the body's
 * iterator yields the chunks read here first), exactly as it always has.
 */
async function gunzipSmall(body: Exchange, maxBytes: number): Promise<{ body: Buffer; wire: Buffer } | null> {
  const { chunks, bytes, complete } = await body.collect(ONE_SHOT_MAX);
  if (!complete || bytes === 0 || bytes > ONE_SHOT_MAX || bytes > maxBytes) return null;
  const input = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, bytes);
  try {
    // Without finishFlush a cut-short body throws, and the streaming path (which keeps what it got) takes over.
    return {
      body: zlib.gunzipSync(input, { maxOutputLength: maxBytes, chunkSize: outputChunk(input, maxBytes) }),
      wire: input,
    };
  } catch {
    return null;
  }
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

/** An identity body: read whole, or its first `maxBytes` bytes (then the request is cut, truncated=true). */
async function readPlain(body: Exchange, maxBytes: number): Promise<BodyResult> {
  const { chunks, bytes, complete } = await body.collect(maxBytes);
  if (!complete) body.abort();
  if (bytes <= maxBytes) {
    return { body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, bytes), truncated: false };
  }
  const sink = new Sink(maxBytes);
  for (const chunk of chunks) if (!sink.push(chunk)) break;
  return sink.result();
}

export async function readBody(
  body: Exchange,
  contentEncoding: string | null | undefined,
  maxBytes: number,
  signal: AbortSignal,
  keepWire = false,
): Promise<BodyResult> {
  const codings = parseContentEncoding(contentEncoding);
  if (codings.length === 0) return readPlain(body, maxBytes);
  if (codings.length === 1 && (codings[0] === 'gzip' || codings[0] === 'x-gzip')) {
    const whole = await gunzipSmall(body, maxBytes);
    if (whole !== null)
      return { body: whole.body, truncated: false, ...(keepWire ? { wire: whole.wire } : {}) };
  }
  const sink = new Sink(maxBytes);
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
        body.abort();
      });
    }
    decoders[decoders.length - 1].on('data', (chunk: Buffer) => {
      if (capped) return;
      if (!sink.push(chunk)) {
        capped = true;
        destroyAll();
        // Stop reading the wire now, not when the next raw chunk happens to arrive.
        body.abort();
      }
    });
    return decoders[0];
  };

  try {
    let raw = 0;
    let input: Decoder | null = null;
    for await (let chunk of body) {
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
    // Aborting the request (at the cap, or on bad data) ends its iteration with an error of its own.
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
