/**
 * Byte ranges of a Buffer as strings, as `buf.toString('latin1' | 'utf8', start, end)` gives them, without its
 * JS wrapper (argument checks and the encoding's lookup cost about as much as the copy of a short range: the scan
 * takes hundreds per page). `latin1Slice` and `utf8Slice` are the Buffer methods `toString` itself ends in; they
 * throw on a range outside the buffer, so the range is clamped first as `toString` clamps it.
 */
import type { Buffer } from 'node:buffer';

interface Slicing {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

/** `bytes.toString('latin1', start, end)`. */
export function latin1Of(bytes: Buffer, start: number, end: number): string {
  if (start < 0) start = 0;
  if (end > bytes.length) end = bytes.length;
  return end <= start ? '' : (bytes as unknown as Slicing).latin1Slice(start, end);
}

/** `bytes.toString('utf8', start, end)`. */
export function utf8Of(bytes: Buffer, start: number, end: number): string {
  if (start < 0) start = 0;
  if (end > bytes.length) end = bytes.length;
  return end <= start ? '' : (bytes as unknown as Slicing).utf8Slice(start, end);
}
