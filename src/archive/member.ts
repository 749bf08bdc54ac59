/**
 * One gzip member (RFC 1952) per WARC record, built by hand so that a payload already compressed on the wire
 * (Content-Encoding gzip, br, …) is not deflated a second time: the record's header lines are deflated, the
 * payload follows in stored deflate blocks (a copy and a CRC, no compression work), one member any gzip reader
 * inflates. A payload that is not already compressed is deflated with the rest (level 1: a sixth of level 6's CPU
 * for about 11% more bytes on HTML).
 */
import { constants, crc32, deflateRawSync } from 'node:zlib';

/** Deflate level of record headers and of payloads not already compressed. */
export const DEFLATE_LEVEL = 1;
const STORED_MAX = 0xffff;
// ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=0 OS=unknown
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);

/** A gzip member of `deflated` followed by `stored` (their concatenation is what it inflates to). */
export function gzipMember(deflated: Buffer, stored: Uint8Array[] = []): Buffer {
  const storedLength = stored.reduce((n, s) => n + s.byteLength, 0);
  // A sync flush ends the deflate data on a byte boundary without a final block, so stored blocks can follow.
  const head = deflateRawSync(deflated, {
    level: DEFLATE_LEVEL,
    finishFlush: storedLength > 0 ? constants.Z_SYNC_FLUSH : constants.Z_FINISH,
  });
  const blocks = storedLength > 0 ? Math.ceil(storedLength / STORED_MAX) : 0;
  const out = Buffer.allocUnsafe(GZIP_HEADER.length + head.length + storedLength + 5 * blocks + 8);
  let at = GZIP_HEADER.copy(out, 0);
  at += head.copy(out, at);
  let crc = deflated.length > 0 ? crc32(deflated) : 0;
  let part = 0;
  let partAt = 0;
  for (let left = storedLength; left > 0; ) {
    const n = Math.min(left, STORED_MAX);
    left -= n;
    out[at] = left === 0 ? 1 : 0; // BFINAL on the last block, BTYPE 00 (stored)
    out.writeUInt16LE(n, at + 1);
    out.writeUInt16LE(n ^ 0xffff, at + 3);
    at += 5;
    for (let need = n; need > 0; ) {
      const src = stored[part];
      const take = Math.min(need, src.byteLength - partAt);
      if (take > 0) {
        // (never an empty one: node's crc32 of an empty buffer without memory answers 0, not `crc`)
        const slice = src.subarray(partAt, partAt + take);
        out.set(slice, at);
        crc = crc32(slice, crc);
      }
      at += take;
      need -= take;
      partAt += take;
      if (partAt === src.byteLength) {
        part++;
        partAt = 0;
      }
    }
  }
  out.writeUInt32LE(crc >>> 0, at);
  out.writeUInt32LE((deflated.length + storedLength) >>> 0, at + 4);
  return out;
}
