/** Plain-text seeds: one URL per line; blank lines and `#` comments are skipped. */
import type { Readable } from 'node:stream';
import { readLines } from './lines.js';
import type { SeedLine, SeedProblem } from './types.js';

export function readTxt(
  stream: Readable,
  source: string,
  maxLine: number,
): AsyncGenerator<Array<SeedLine | SeedProblem>> {
  return readLines(stream, source, maxLine, (url, line) =>
    url.startsWith('#') ? null : { url, source, line },
  );
}
