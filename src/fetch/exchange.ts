/**
 * One request and its response over undici's dispatch API: the response head as a promise, the body as the chunks
 * undici hands over. `undici.request` wraps the same calls in an AsyncResource, a Readable body and its async
 * iterator, which cost a crawl more CPU per page than reading the socket; the body here is read whole (or up to a
 * cap) with one promise, or chunk by chunk for the streaming decoders, with the same backpressure.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { undici } from '../deps/undici.js';

/** Bytes buffered before the socket is paused, as undici's Readable body (its default highWaterMark). */
const HIGH_WATER = 64 * 1024;

export interface ResponseHead {
  statusCode: number;
  headers: IncomingHttpHeaders;
}

/** Chunks read so far (not consumed) and whether they are the whole body. */
export interface Collected {
  chunks: Buffer[];
  bytes: number;
  complete: boolean;
}

export class Exchange implements Dispatcher.DispatchHandler, AsyncIterable<Buffer> {
  /** Resolves with the final (non-1xx) response head; rejects with the request's error. */
  readonly head: Promise<ResponseHead>;
  private resolveHead!: (head: ResponseHead) => void;
  private rejectHead!: (err: Error) => void;
  private controller: Dispatcher.DispatchController | null = null;
  private readonly chunks: Buffer[] = [];
  /** Bytes in `chunks` not yet consumed by the iterator. */
  private buffered = 0;
  /** Bytes received in all. */
  private received = 0;
  private ended = false;
  private failure: Error | null = null;
  /** Why the exchange was aborted before its controller existed: applied when it arrives. */
  private pendingAbort: Error | null = null;
  private waiter: { until: number; wake: () => void } | null = null;
  /** Buffered bytes past which the socket is paused: raised while a caller collects the body. */
  private highWater = HIGH_WATER;

  constructor() {
    this.head = new Promise<ResponseHead>((resolve, reject) => {
      this.resolveHead = resolve;
      this.rejectHead = reject;
    });
    // A head nobody awaits (the request failed after a caller stopped listening) must not be an unhandled rejection.
    this.head.catch(() => {});
  }

  // --- undici's side

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.pendingAbort) controller.abort(this.pendingAbort);
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    if (statusCode < 200) return;
    this.resolveHead({ statusCode, headers });
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    this.received += chunk.length;
    if (this.buffered >= this.highWater) controller.pause();
    if (this.waiter && this.received > this.waiter.until) this.notify();
  }

  onResponseEnd(): void {
    this.ended = true;
    this.notify();
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.failure ??= err;
    this.rejectHead(err);
    this.notify();
  }

  // --- the reader's side

  /** Aborts the request (closing its connection unless the response was complete). */
  abort(reason?: Error): void {
    if (this.ended || this.failure) return;
    const err = reason ?? new undici.errors.RequestAbortedError();
    if (this.controller) this.controller.abort(err);
    else this.pendingAbort ??= err;
  }

  /**
   * Waits for the whole body, or until more than `limit` bytes are in (then `complete` is false; read on with the
   * iterator, which yields these chunks first). Rejects with the request's error.
   */
  async collect(limit: number): Promise<Collected> {
    this.highWater = Math.max(HIGH_WATER, limit + 1);
    this.controller?.resume();
    try {
      while (!this.ended && this.received <= limit) {
        if (this.failure) throw this.failure;
        await this.wait(limit);
      }
    } finally {
      this.highWater = HIGH_WATER;
    }
    if (this.failure && !this.ended) throw this.failure;
    return { chunks: this.chunks, bytes: this.received, complete: this.ended };
  }

  /** Reads and drops up to `limit` bytes, then aborts if there is more; never fails (as undici's body.dump()). */
  async dump(limit: number): Promise<void> {
    try {
      const { complete } = await this.collect(limit);
      if (!complete) this.abort();
    } catch {}
    this.chunks.length = 0;
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return {
      next: async (): Promise<IteratorResult<Buffer>> => {
        for (;;) {
          const chunk = this.chunks.shift();
          if (chunk !== undefined) {
            this.buffered -= chunk.length;
            if (this.buffered < HIGH_WATER) this.controller?.resume();
            return { value: chunk, done: false };
          }
          if (this.failure) throw this.failure;
          if (this.ended) return { value: undefined, done: true };
          this.controller?.resume();
          await this.wait(this.received);
        }
      },
      // Leaving the loop early (a cap) ends the request, as destroying undici's body stream does.
      return: async (): Promise<IteratorResult<Buffer>> => {
        this.abort();
        return { value: undefined, done: true };
      },
    };
  }

  private wait(until: number): Promise<void> {
    return new Promise<void>((wake) => {
      this.waiter = { until, wake };
    });
  }

  private notify(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.wake();
  }
}
