/** Plain-text seeds: one URL per line; blank lines and `#` comments are skipped. */
import type { Readable } from 'node:stream';
import { splitLines } from './lines.js';
import type { SeedLine, SeedProblem } from './types.js';

export async function* readTxt(
  stream: Readable,
  source: string,
  maxLine: number,
): AsyncGenerator<SeedLine | SeedProblem> {
  for await (const l of splitLines(stream, maxLine)) {
    if ('tooLong' in l) {
      yield { source, line: l.line, reason: `line longer than ${maxLine} bytes` };
      continue;
    }
    const url = l.text.trim();
    if (url === '' || url.startsWith('#')) continue;
    yield { url, source, line: l.line };
  }
}
