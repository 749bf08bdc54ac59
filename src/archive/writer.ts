/**
 * A worker's WARC files: `<dir>/metacrawl-<worker>-<time>-<n>.warc.gz`, each opened by a warcinfo record and
 * rotated past a size, so a fleet never shares a file. A page's records (request and response of every hop,
 * redirects included) are compressed (src/archive/member.ts), then appended: the pages queued while a write is
 * on its way go in the next one, in one writev (the payloads as received, never copied). A failed write (disk
 * full) is cut back off the file and fails every page of it and every later write, so nothing refers to half a
 * record.
 */
import { mkdirSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { CapturedExchange } from '../fetch/index.js';
import { gzipMember, storedMember } from './member.js';
import {
  httpRequestHead,
  httpResponseHead,
  newRecordId,
  PROFILE_IDENTICAL,
  PROFILE_NOT_MODIFIED,
  RECORD_END,
  sha1Digest,
  WARC_VERSION,
  warcHeader,
  warcinfoRecord,
} from './records.js';

export const ARCHIVE_DEFAULT_MAX_BYTES = 1024 ** 3;
/** Payload digests remembered for identical-payload revisits (per worker; the oldest are forgotten). */
const DIGESTS_KEPT = 100_000;

/** Where a page's payload lives: the record holding it (for an identical-payload revisit, the original). */
export interface ArchiveLocation {
  file: string;
  offset: number;
  length: number;
}

export interface ArchiveOptions {
  dir: string;
  /** Names the files: one worker's files are never written by another. */
  workerId: string;
  /** Start a new file when the next page's records would take the file past this many bytes. */
  maxFileBytes?: number;
  software: string;
}

/** Archiving failed (disk full, directory gone): the worker stops; the page is not recorded. */
export class ArchiveError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ArchiveError';
  }
}

type Built = ReturnType<WarcArchive['build']>;

/** A page's records waiting for their write. */
interface Queued {
  built: Built[];
  resolve: (location: ArchiveLocation) => void;
  reject: (err: unknown) => void;
}

interface Original {
  uri: string;
  date: string;
  id: string;
  location: ArchiveLocation;
}

export class WarcArchive {
  private file: { fh: FileHandle; name: string; size: number; infoSize: number } | null = null;
  private seq = 0;
  private queued: Queued[] = [];
  private draining: Promise<void> | null = null;
  private failed: ArchiveError | null = null;
  private readonly digests = new Map<string, Original>();
  private readonly maxBytes: number;
  private readonly tag: string;
  /** Compressed bytes written, and records, since start. */
  readonly stats = { bytes: 0, records: 0, files: 0 };
  /** The archive directory, absolute (recorded with each page, so `reextract` can find it). */
  readonly dir: string;

  constructor(private readonly opts: ArchiveOptions) {
    this.maxBytes = opts.maxFileBytes ?? ARCHIVE_DEFAULT_MAX_BYTES;
    this.dir = resolve(opts.dir);
    this.tag = opts.workerId.replace(/[^A-Za-z0-9._-]+/g, '-');
    try {
      mkdirSync(opts.dir, { recursive: true });
    } catch (err) {
      throw new ArchiveError(`--archive ${opts.dir}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** The first write error, once archiving has failed. */
  get error(): ArchiveError | null {
    return this.failed;
  }

  /**
   * Archives one fetch (its exchanges in order, the page's response last); resolves to where the page's
   * payload lives once every byte is written. Rejects with an ArchiveError when the write failed.
   */
  async write(exchanges: CapturedExchange[]): Promise<ArchiveLocation | null> {
    if (this.failed) throw this.failed;
    if (exchanges.length === 0) return null;
    // Built and compressed on the spot: a payload compressed on the wire is stored, not deflated again, so its
    // records cost two SHA-1s and a CRC (cheaper than a trip to the thread pool)...
    const built = exchanges.map((ex) => this.build(ex));
    // ...then appended in call order: the pages queued while a write is on its way go together in the next
    // one, so a slow disk costs larger writes, not a page's wait behind each other page's write.
    return new Promise<ArchiveLocation>((resolve, reject) => {
      this.queued.push({ built, resolve, reject });
      this.draining ??= this.drain();
    });
  }

  private build(ex: CapturedExchange) {
    const responseId = newRecordId();
    // The payload as received: still content-encoded when the whole body came so (see records.ts).
    const payload = ex.wire ?? ex.body;
    const payloadDigest = sha1Digest(payload);
    const notModified = ex.status === 304;
    const original =
      !notModified && payload.length > 0 && ex.status === 200 ? this.digests.get(payloadDigest) : undefined;
    const sent = httpRequestHead(ex.url, ex.requestHeaders);
    const requestHeader = warcHeader(
      {
        type: 'request',
        id: newRecordId(),
        date: ex.date,
        targetUri: ex.url,
        contentType: 'application/http;msgtype=request',
        fields: [['WARC-Concurrent-To', responseId]],
      },
      [sent],
    );
    // Header lines only: stored (see member.ts).
    const request = storedMember([requestHeader, sent, RECORD_END]);
    const revisit = notModified || original !== undefined;
    const head = httpResponseHead(
      ex.status,
      ex.responseHeaders,
      revisit ? null : { length: payload.length, encoded: ex.wire !== null },
    );
    const block = revisit ? [head] : [head, payload];
    const header = warcHeader(
      {
        type: revisit ? 'revisit' : 'response',
        id: responseId,
        date: ex.date,
        targetUri: ex.url,
        contentType: 'application/http;msgtype=response',
        fields: [
          ['WARC-IP-Address', ex.remoteAddress],
          ['WARC-Profile', notModified ? PROFILE_NOT_MODIFIED : original ? PROFILE_IDENTICAL : null],
          ['WARC-Refers-To', original?.id],
          ['WARC-Refers-To-Target-URI', original?.uri],
          ['WARC-Refers-To-Date', original?.date],
          ['WARC-Payload-Digest', notModified ? null : payloadDigest],
          // WARC 1.1 §5.13: the block was cut at --max-bytes.
          ['WARC-Truncated', ex.truncated && !revisit ? 'length' : null],
        ],
      },
      block,
    );
    // A payload as received (compressed) is stored with the header lines, a revisit's header lines too; a
    // payload that is not compressed is deflated with its header lines.
    const response =
      ex.wire === null && !revisit
        ? gzipMember(Buffer.concat([header, ...block, RECORD_END]))
        : storedMember([header, ...block, RECORD_END]);
    return { ex, responseId, payloadDigest, payload, original, revisit, request, response };
  }

  /** Writes every page queued, in order, a group at a time, until none is left. */
  private async drain(): Promise<void> {
    while (this.queued.length > 0) {
      const group = this.queued.splice(0);
      try {
        const locations = await this.append(group);
        for (const [i, p] of group.entries()) p.resolve(locations[i]);
      } catch (err) {
        for (const p of group) p.reject(err);
      }
    }
    this.draining = null;
  }

  /**
   * Appends a group of pages' records with one write per file (a new file begun where a page would take the
   * current one past the limit); their locations in order.
   */
  private async append(group: Queued[]): Promise<ArchiveLocation[]> {
    if (this.failed) throw this.failed;
    const locations: ArchiveLocation[] = [];
    let parts: Uint8Array[] = [];
    let start = this.file?.size ?? 0;
    let end = start;
    const flush = async () => {
      const f = this.file;
      if (!f || parts.length === 0) return;
      await this.writeAll(f, parts, start);
      f.size = end;
      this.stats.bytes += end - start;
      parts = [];
      start = end;
    };
    for (const { built } of group) {
      let total = 0;
      for (const b of built) total += b.request.length + b.response.length;
      // A page larger than the limit still goes whole into a file of its own.
      if (!this.file || (end + total > this.maxBytes && end > this.file.infoSize)) {
        await flush();
        await this.rotate();
        start = end = (this.file as unknown as { size: number }).size;
      }
      const name = (this.file as unknown as { name: string }).name;
      let location: ArchiveLocation | null = null;
      for (const b of built) {
        const at = { file: name, offset: end + b.request.length, length: b.response.length };
        if (!b.revisit && b.ex.status === 200 && b.payload.length > 0) this.remember(b, at);
        location = b.original ? b.original.location : at;
        end += b.request.length + b.response.length;
        for (const p of b.request.parts) parts.push(p);
        for (const p of b.response.parts) parts.push(p);
      }
      this.stats.records += 2 * built.length;
      locations.push(location as unknown as ArchiveLocation);
    }
    await flush();
    return locations;
  }

  private remember(b: Built, location: ArchiveLocation): void {
    if (this.digests.size >= DIGESTS_KEPT) {
      const oldest = this.digests.keys().next().value;
      if (oldest !== undefined) this.digests.delete(oldest);
    }
    this.digests.set(b.payloadDigest, { uri: b.ex.url, date: b.ex.date, id: b.responseId, location });
  }

  /** Writes `parts` at `position`, in as few system calls as the kernel allows (one, as a rule). */
  private async writeAll(
    f: NonNullable<WarcArchive['file']>,
    parts: Uint8Array[],
    position: number,
  ): Promise<void> {
    try {
      let left = parts;
      let at = position;
      while (left.length > 0) {
        const { bytesWritten } = await f.fh.writev(left as NodeJS.ArrayBufferView[], at);
        at += bytesWritten;
        left = unwritten(left, bytesWritten);
      }
    } catch (err) {
      // Nothing after `position` is a whole record: cut it off, so the file stays a valid WARC.
      await f.fh.truncate(position).catch(() => {});
      this.failed = new ArchiveError(
        `archive: cannot write ${join(this.opts.dir, f.name)}: ${(err as Error).message}`,
        { cause: err },
      );
      throw this.failed;
    }
  }

  private async rotate(): Promise<void> {
    await this.closeFile();
    const stamp = new Date()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    const name = `metacrawl-${stamp}-${this.tag}-${String(this.seq++).padStart(5, '0')}.warc.gz`;
    const path = join(this.opts.dir, name);
    let fh: FileHandle;
    try {
      fh = await open(path, 'wx');
    } catch (err) {
      this.failed = new ArchiveError(`archive: cannot create ${path}: ${(err as Error).message}`, {
        cause: err,
      });
      throw this.failed;
    }
    const info = gzipMember(
      warcinfoRecord(newRecordId(), basename(path), {
        software: this.opts.software,
        format: 'WARC File Format 1.1',
        conformsTo: 'http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/',
        hostname: hostname(),
        'http-header-user-agent': 'see the request records',
        description: `${WARC_VERSION}; response bodies stored as received (content-encoded), except those cut at --max-bytes: stored decoded, original Content-Encoding in X-Archive-Orig-Content-Encoding`,
      }),
    );
    this.file = { fh, name, size: 0, infoSize: info.length };
    this.stats.files++;
    await this.writeAll(this.file, info.parts, 0);
    this.file.size = info.length;
  }

  private async closeFile(): Promise<void> {
    const f = this.file;
    this.file = null;
    if (f) await f.fh.close().catch(() => {});
  }

  /** Waits for the writes in flight, then closes the current file (flushed to disk). */
  async close(): Promise<void> {
    while (this.draining) await this.draining;
    const f = this.file;
    if (f) await f.fh.datasync().catch(() => {});
    await this.closeFile();
  }
}

/** What is left of `parts` once their first `written` bytes are written. */
function unwritten(parts: Uint8Array[], written: number): Uint8Array[] {
  let i = 0;
  let n = written;
  while (i < parts.length && n >= parts[i].byteLength) n -= parts[i++].byteLength;
  if (i === parts.length) return [];
  return n === 0 ? parts.slice(i) : [parts[i].subarray(n), ...parts.slice(i + 1)];
}
