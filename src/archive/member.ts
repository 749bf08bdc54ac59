/**
 * One gzip member (RFC 1952) per WARC record, built by hand so that a payload already compressed on the wire
 * (Content-Encoding gzip, br, …) is not deflated a second time: such a record goes whole, header lines included,
 * into stored deflate blocks (a CRC, no compression work, not even a copy of the payload: the member is a list of
 * parts to write, the payload among them as it is), one member any gzip reader inflates. Deflating a record's
 * ~1 KB of header lines would save ~0.3 KB for a zlib call costing ~25 µs of set-up (half the writer's CPU per
 * page). A payload that is not already compressed is deflated with its headers (level 1: a sixth of level 6's CPU
 * for about 11% more bytes on HTML).
 */
import { constants, crc32, deflateRawSync } from 'node:zlib';

/** Deflate level of record headers and of payloads not already compressed. */
export const DEFLATE_LEVEL = 1;
const STORED_MAX = 0xffff;
// ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=0 OS=unknown
const GZIP_HEADER = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
/** Parts below this size are copied together: one write part each is not worth it. */
const COPY_BELOW = 512;

/** A gzip member as the parts to write in order (views of the caller's buffers) and its length in bytes. */
export interface Member {
  parts: Uint8Array[];
  length: number;
}

/** Collects a member's parts, small ones copied together into one buffer. */
class Parts {
  readonly parts: Uint8Array[] = [];
  length = 0;
  private small: Uint8Array[] = [];
  private smallLength = 0;

  add(part: Uint8Array): void {
    if (part.byteLength === 0) return;
    this.length += part.byteLength;
    if (part.byteLength < COPY_BELOW) {
      this.small.push(part);
      this.smallLength += part.byteLength;
      return;
    }
    this.flush();
    this.parts.push(part);
  }

  flush(): void {
    if (this.small.length === 0) return;
    this.parts.push(this.small.length === 1 ? this.small[0] : Buffer.concat(this.small, this.smallLength));
    this.small = [];
    this.smallLength = 0;
  }
}

const NOTHING = new Uint8Array(0);

/** A gzip member of `parts` in stored blocks only: no deflate at all. */
export function storedMember(parts: Uint8Array[]): Member {
  return gzipMember(NOTHING, parts);
}

/** A gzip member of `deflated` followed by `stored` (their concatenation is what it inflates to). */
export function gzipMember(deflated: Uint8Array, stored: Uint8Array[] = []): Member {
  let storedLength = 0;
  for (const s of stored) storedLength += s.byteLength;
  const out = new Parts();
  out.add(Uint8Array.from(GZIP_HEADER));
  // A sync flush ends the deflate data on a byte boundary without a final block, so stored blocks can follow.
  if (deflated.byteLength > 0 || storedLength === 0)
    out.add(
      deflateRawSync(deflated, {
        level: DEFLATE_LEVEL,
        finishFlush: storedLength > 0 ? constants.Z_SYNC_FLUSH : constants.Z_FINISH,
      }),
    );
  // (never crc32 of an empty buffer: node's answers 0 for it, not the running value)
  let crc = deflated.byteLength > 0 ? crc32(deflated) : 0;
  let part = 0;
  let partAt = 0;
  for (let left = storedLength; left > 0; ) {
    const n = Math.min(left, STORED_MAX);
    left -= n;
    const block = Buffer.allocUnsafe(5);
    block[0] = left === 0 ? 1 : 0; // BFINAL on the last block, BTYPE 00 (stored)
    block.writeUInt16LE(n, 1);
    block.writeUInt16LE(n ^ 0xffff, 3);
    out.add(block);
    for (let need = n; need > 0; ) {
      const src = stored[part];
      const take = Math.min(need, src.byteLength - partAt);
      if (take > 0) {
        const slice = take === src.byteLength ? src : src.subarray(partAt, partAt + take);
        out.add(slice);
        crc = crc32(slice, crc);
      }
      need -= take;
      partAt += take;
      if (partAt === src.byteLength) {
        part++;
        partAt = 0;
      }
    }
  }
  const trailer = Buffer.allocUnsafe(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE((deflated.byteLength + storedLength) >>> 0, 4);
  out.add(trailer);
  out.flush();
  return { parts: out.parts, length: out.length };
}

/** A member's bytes in one buffer (a copy). */
export function memberBytes(m: Member): Buffer {
  return Buffer.concat(m.parts, m.length);
}
