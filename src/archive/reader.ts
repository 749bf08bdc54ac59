/** Reads one archived record back at its offset (Webrecorder's warcio parses it): for `reextract`. */
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { WARCParser } from 'warcio';
import type { ArchiveLocation } from './writer.js';

export interface ArchivedPayload {
  type: string;
  /** The stored (decoded) body; empty for a revisit of a 304. */
  body: Buffer;
}

/** Open files of one archive directory, read by offset. */
export class WarcReader {
  private readonly fds = new Map<string, number>();

  constructor(private readonly dir: string) {}

  async read(loc: ArchiveLocation): Promise<ArchivedPayload> {
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
    const member = Buffer.alloc(loc.length);
    const n = readSync(fd, member, 0, loc.length, loc.offset);
    if (n !== loc.length) throw new Error(`archive: ${path} ends before byte ${loc.offset + loc.length}`);
    let record: Awaited<ReturnType<typeof WARCParser.parse>>;
    try {
      // node's zlib inflates the member several times faster than warcio's pako (a sixth of reextract's time).
      record = await WARCParser.parse([gunzipSync(member)]);
    } catch (err) {
      throw new Error(`archive: no WARC record at ${path}:${loc.offset}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    if (!record) throw new Error(`archive: no WARC record at ${path}:${loc.offset}`);
    return { type: record.warcType, body: Buffer.from(await record.readFully(false)) };
  }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }
}
