import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readSeeds } from '../../../src/producer/seed-files/read.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const LINES = 1_000_000;
const dir = mkdtempSync(join(tmpdir(), 'metacrawl-seeds-mem-'));
const path = join(dir, 'million.txt');

beforeAll(async () => {
  const out = createWriteStream(path);
  const block: string[] = [];
  for (let i = 1; i <= LINES; i++) {
    block.push(`https://host-${i % 5000}.example.com/some/fairly/long/path/page-${i}?ref=seed`);
    if (block.length === 10_000) {
      if (!out.write(`${block.join('\n')}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
      block.length = 0;
    }
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function used(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

it('streams a 1,000,000-line seed file with flat memory', async () => {
  // The file is bigger than the allowed growth, so reading it whole would fail this test.
  expect(statSync(path).size).toBeGreaterThan(60 * 1024 * 1024);
  gc();
  const base = used();
  // What stays alive, sampled after a full GC at ten points of the read: garbage not yet collected is not
  // counted (how much there is depends on GC timing and on what ran before in the process: up to 87 MB was
  // seen in a full suite, where this read alone peaks at ~15 MB). Reading the file whole would keep it alive as
  // a Buffer and a string through the read, twice its size and more, at every sample.
  let retained = 0;
  let count = 0;
  let lastLine = 0;
  for await (const item of readSeeds(path)) {
    if ('reason' in item) throw new Error(`unexpected problem: ${item.reason}`);
    count++;
    lastLine = item.line;
    if (count % (LINES / 10) === 0) {
      gc();
      retained = Math.max(retained, used() - base);
    }
  }
  expect(count).toBe(LINES);
  expect(lastLine).toBe(LINES);
  expect(retained).toBeLessThan(10 * 1024 * 1024);
});
