/** JSON Lines seeds: one object per line with a `url` field; blank lines are skipped. */
import type { Readable } from 'node:stream';
import { splitLines } from './lines.js';
import type { SeedLine, SeedProblem } from './types.js';

export async function* readJsonl(
  stream: Readable,
  source: string,
  maxLine: number,
): AsyncGenerator<SeedLine | SeedProblem> {
  for await (const l of splitLines(stream, maxLine)) {
    if ('tooLong' in l) {
      yield { source, line: l.line, reason: `line longer than ${maxLine} bytes` };
      continue;
    }
    const text = l.text.trim();
    if (text === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      yield { source, line: l.line, reason: 'invalid JSON' };
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      yield { source, line: l.line, reason: 'not a JSON object' };
      continue;
    }
    const url = (value as Record<string, unknown>).url;
    if (typeof url !== 'string' || url.trim() === '') {
      yield { source, line: l.line, reason: 'missing "url" field' };
      continue;
    }
    yield { url: url.trim(), source, line: l.line };
  }
}
