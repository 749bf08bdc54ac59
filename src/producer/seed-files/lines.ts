/**
 * The line reader of the txt and jsonl formats: bounded memory, whatever the line lengths. Lines go out in
 * arrays, one per chunk of the stream, so that a seed costs no promise of its own on its way to Redis.
 */
import type { Readable } from 'node:stream';
import type { SeedLine, SeedProblem } from './types.js';

export type RawLine = { line: number; text: string } | { line: number; tooLong: true };

/**
 * Splits a byte stream on `\n` (a trailing `\r` is dropped) without ever holding more than one line beyond
 * the chunk at hand; yields the lines that end in each chunk (none: nothing yielded). Splitting bytes at
 * 0x0A never cuts a UTF-8 character.
 */
export async function* splitLines(stream: Readable, maxLine: number): AsyncGenerator<RawLine[]> {
  let parts: Buffer[] = [];
  let partLen = 0;
  let overflow = false;
  let line = 0;
  const push = (out: RawLine[], text: string): void => {
    line++;
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (line === 1 && text.startsWith('\uFEFF')) text = text.slice(1);
    out.push({ line, text });
  };
  const finish = (out: RawLine[], last: Buffer): void => {
    if (overflow) {
      out.push({ line: ++line, tooLong: true });
      return;
    }
    push(out, (parts.length === 0 ? last : Buffer.concat([...parts, last])).toString('utf8'));
  };
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    const out: RawLine[] = [];
    const lastNl = buf.lastIndexOf(10);
    let start = 0;
    if (lastNl !== -1) {
      // The line begun in earlier chunks ends at the first newline.
      const nl = buf.indexOf(10);
      if (!overflow && partLen + nl > maxLine) overflow = true;
      finish(out, buf.subarray(0, nl));
      parts = [];
      partLen = 0;
      overflow = false;
      start = nl + 1;
      if (start <= lastNl) {
        if (lastNl - start <= maxLine) {
          // No line here can be too long: one decode and one split for the whole run of lines.
          for (const text of buf.toString('utf8', start, lastNl).split('\n')) push(out, text);
        } else {
          for (let nl2 = buf.indexOf(10, start); nl2 !== -1 && nl2 <= lastNl; nl2 = buf.indexOf(10, start)) {
            if (nl2 - start > maxLine) out.push({ line: ++line, tooLong: true });
            else push(out, buf.toString('utf8', start, nl2));
            start = nl2 + 1;
          }
        }
      }
      start = lastNl + 1;
    }
    if (start < buf.length && !overflow) {
      const rest = buf.subarray(start);
      partLen += rest.length;
      if (partLen > maxLine) {
        overflow = true;
        parts = [];
      } else {
        // Copy: the rest of a large chunk must not pin the whole chunk in memory.
        parts.push(Buffer.from(rest));
      }
    }
    if (out.length > 0) yield out;
  }
  if (partLen > 0 || overflow) {
    const out: RawLine[] = [];
    finish(out, Buffer.alloc(0));
    yield out;
  }
}

/**
 * A line-per-seed reader: each non-blank line, trimmed, through `parse` (null skips it); a line longer than
 * maxLine bytes is a problem, and reading goes on. Yields non-empty arrays, in file order.
 */
export async function* readLines(
  stream: Readable,
  source: string,
  maxLine: number,
  parse: (text: string, line: number) => SeedLine | SeedProblem | null,
): AsyncGenerator<Array<SeedLine | SeedProblem>> {
  for await (const lines of splitLines(stream, maxLine)) {
    const out: Array<SeedLine | SeedProblem> = [];
    for (const l of lines) {
      if ('tooLong' in l) {
        out.push({ source, line: l.line, reason: `line longer than ${maxLine} bytes` });
        continue;
      }
      const text = l.text.trim();
      if (text === '') continue;
      const r = parse(text, l.line);
      if (r) out.push(r);
    }
    if (out.length > 0) yield out;
  }
}
