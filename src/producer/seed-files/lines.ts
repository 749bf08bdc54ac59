/** The line reader of the txt and jsonl formats: bounded memory, whatever the line lengths. */
import type { Readable } from 'node:stream';
import type { SeedLine, SeedProblem } from './types.js';

export type RawLine = { line: number; text: string } | { line: number; tooLong: true };

/**
 * Splits a byte stream on `\n` (a trailing `\r` is dropped) without ever holding more than one line.
 * Splitting bytes at 0x0A never cuts a UTF-8 character.
 */
export async function* splitLines(stream: Readable, maxLine: number): AsyncGenerator<RawLine> {
  let parts: Buffer[] = [];
  let partLen = 0;
  let overflow = false;
  let line = 0;
  const finish = (last: Buffer): RawLine => {
    line++;
    if (overflow) return { line, tooLong: true };
    const buf = parts.length === 0 ? last : Buffer.concat([...parts, last]);
    let text = buf.toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (line === 1 && text.startsWith('\uFEFF')) text = text.slice(1);
    return { line, text };
  };
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      const piece = buf.subarray(start, nl);
      if (!overflow && partLen + piece.length > maxLine) overflow = true;
      yield finish(piece);
      parts = [];
      partLen = 0;
      overflow = false;
      start = nl + 1;
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
  }
  if (partLen > 0 || overflow) yield finish(Buffer.alloc(0));
}

/**
 * A line-per-seed reader: each non-blank line, trimmed, through `parse` (null skips it); a line longer than
 * maxLine bytes is a problem, and reading goes on.
 */
export async function* readLines(
  stream: Readable,
  source: string,
  maxLine: number,
  parse: (text: string, line: number) => SeedLine | SeedProblem | null,
): AsyncGenerator<SeedLine | SeedProblem> {
  for await (const l of splitLines(stream, maxLine)) {
    if ('tooLong' in l) {
      yield { source, line: l.line, reason: `line longer than ${maxLine} bytes` };
      continue;
    }
    const text = l.text.trim();
    if (text === '') continue;
    const r = parse(text, l.line);
    if (r) yield r;
  }
}
