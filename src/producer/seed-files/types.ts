/** What the seed file readers yield: a URL as found (before normalization), or a problem with its place. */
import type { Readable } from 'node:stream';

/** A URL as found in a seed source, before normalization. */
export interface SeedLine {
  url: string;
  source: string;
  line: number;
}

export interface SeedProblem {
  source: string;
  line: number;
  reason: string;
}

export type SeedFormat = 'txt' | 'csv' | 'jsonl';

/**
 * One format's reader: a decoded byte stream in, seeds and problems out in file order, in non-empty arrays
 * (one promise per array, not per seed); never stops for one bad line.
 */
export type SeedReader = (
  stream: Readable,
  source: string,
  maxLine: number,
) => AsyncGenerator<Array<SeedLine | SeedProblem>>;
