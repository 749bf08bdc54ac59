/** Where an export goes: a file (gzip-compressed when asked) or a stream such as stdout, written with backpressure. */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { createGzip } from 'node:zlib';

export class Sink {
  private failed: Error | null = null;
  /** Bytes handed to the sink (before compression). */
  bytes = 0;

  private constructor(
    private readonly head: NodeJS.WritableStream,
    private readonly tail: NodeJS.WritableStream | null,
    private readonly kind: 'file' | 'gzip' | 'stream',
  ) {
    for (const s of [head, tail]) s?.on('error', (err: Error) => (this.failed ??= err));
  }

  /** A file sink; `gzip` compresses what is written (the file name is the caller's: give it `.gz`). */
  static file(path: string, gzip: boolean): Sink {
    const file = createWriteStream(path);
    if (!gzip) return new Sink(file, file, 'file');
    const z = createGzip();
    z.pipe(file);
    return new Sink(z, file, 'file');
  }

  /** A sink over a stream it does not own (stdout): ended only when compressed, never closed. */
  static stream(out: NodeJS.WritableStream, gzip: boolean): Sink {
    if (!gzip) return new Sink(out, null, 'stream');
    const z = createGzip();
    z.pipe(out, { end: false });
    return new Sink(z, null, 'gzip');
  }

  /** Writes, and waits while the stream's buffer is full (flat memory however large the export). */
  async write(chunk: string | Uint8Array): Promise<void> {
    if (this.failed) throw this.failed;
    this.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    if (!this.head.write(chunk)) await this.drained();
    if (this.failed) throw this.failed;
  }

  private async drained(): Promise<void> {
    const ac = new AbortController();
    const err = once(this.head, 'error', { signal: ac.signal }).then(([e]) => {
      throw e;
    });
    try {
      await Promise.race([once(this.head, 'drain', { signal: ac.signal }), err]);
    } finally {
      ac.abort();
      err.catch(() => {});
    }
  }

  /** Flushes everything; a file is closed, a foreign stream only drained. */
  async end(): Promise<void> {
    if (this.failed) throw this.failed;
    if (this.kind !== 'stream') {
      // A file is done when closed; a gzip stream over stdout when its last compressed byte is out.
      const done = this.kind === 'file' && this.tail ? once(this.tail, 'close') : once(this.head, 'end');
      this.head.end();
      await done;
    }
    if (this.failed) throw this.failed;
  }
}
