/** JSON Lines seeds: one object per line with a `url` field; blank lines are skipped. */
import type { Readable } from 'node:stream';
import { readLines } from './lines.js';
import type { SeedLine, SeedProblem } from './types.js';

export function readJsonl(
  stream: Readable,
  source: string,
  maxLine: number,
): AsyncGenerator<Array<SeedLine | SeedProblem>> {
  return readLines(stream, source, maxLine, (text, line) => {
    const problem = (reason: string): SeedProblem => ({ source, line, reason });
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return problem('invalid JSON');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return problem('not a JSON object');
    const url = (value as Record<string, unknown>).url;
    if (typeof url !== 'string' || url.trim() === '') return problem('missing "url" field');
    return { url: url.trim(), source, line };
  });
}
