/**
 * Reads one archived record back at its offset: for `reextract`. The record is metacrawl's own (one gzip member,
 * written by writer.ts), so it is parsed directly (its header lines and the HTTP head, found by their blank
 * lines), and a payload stored content-encoded is decoded as the fetcher decodes it. Independent readers
 * (warcio, node-warc) check the format in the tests.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
// body.js, not the fetcher's index (which loads undici): reextract's threads load this file.
import { decodeBody, gunzipSized } from '../fetch/body.js';
import type { ArchiveLocation } from './writer.js';

export interface ArchivedPayload {
  type: string;
  /** The body, decoded (Content-Encoding undone); empty for a revisit of a 304. */
  body: Buffer;
}

const BLANK = Buffer.from('\r\n\r\n', 'latin1');

/** The value of header `name` (lowercase) in a block of `Name: value` lines, or null. */
function field(lines: string, name: string): string | null {
  const m = new RegExp(`(?:^|\\r\\n)${name}[ \\t]*:[ \\t]*([^\\r\\n]*)`, 'i').exec(lines);
  return m ? m[1].trim() : null;
}

/** Open files of one archive directory, read by offset. */
export class WarcReader {
  private readonly fds = new Map<string, number>();

  constructor(private readonly dir: string) {}

  async read(loc: ArchiveLocation): Promise<ArchivedPayload> {
    return this.readSync(loc);
  }

  readSync(loc: ArchiveLocation): ArchivedPayload {
    const path = join(this.dir, loc.file);
    let fd = this.fds.get(loc.file);
    if (fd === undefined) {
      try {
        fd = openSync(path, 'r');
      } catch (err) {
        throw new Error(`archive: cannot open ${path}: ${(err as Error).message}`, { cause: err });
      }
      this.fds.set(loc.file, fd);
    }
    const member = Buffer.allocUnsafe(loc.length);
    const n = readSync(fd, member, 0, loc.length, loc.offset);
    if (n !== loc.length) throw new Error(`archive: ${path} ends before byte ${loc.offset + loc.length}`);
    const where = `${path}:${loc.offset}`;
    let record: Buffer;
    try {
      record = gunzipSized(member);
    } catch (err) {
      throw new Error(`archive: no WARC record at ${where}: ${(err as Error).message}`, { cause: err });
    }
    const headEnd = record.indexOf(BLANK);
    const head = headEnd < 0 ? '' : record.toString('latin1', 0, headEnd);
    const length = Number(field(head, 'Content-Length'));
    const type = field(head, 'WARC-Type');
    const blockAt = headEnd + BLANK.length;
    if (
      !head.startsWith('WARC/') ||
      !type ||
      !Number.isSafeInteger(length) ||
      blockAt + length > record.length
    )
      throw new Error(`archive: no WARC record at ${where}`);
    const block = record.subarray(blockAt, blockAt + length);
    if (!/^application\/http/i.test(field(head, 'Content-Type') ?? '')) return { type, body: block };
    const httpEnd = block.indexOf(BLANK);
    if (httpEnd < 0) throw new Error(`archive: no HTTP head in the record at ${where}`);
    const body = block.subarray(httpEnd + BLANK.length);
    const coding = field(block.toString('latin1', 0, httpEnd), 'Content-Encoding');
    try {
      return { type, body: coding && body.length > 0 ? decodeBody(body, coding) : body };
    } catch (err) {
      throw new Error(`archive: the record at ${where}: ${(err as Error).message}`, { cause: err });
    }
  }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }
}
