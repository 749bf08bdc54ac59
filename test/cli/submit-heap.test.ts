/**
 * `submit` bounds V8's heap (bin/metacrawl.js): its young generation stays at two 1 MB semi-spaces however many
 * seeds stream through, where V8's default grows it to 2 × 16 MB (most of submit's peak RSS above its live heap).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';

const dir = mkdtempSync(join(tmpdir(), 'mc-submit-heap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Samples the new space while the command runs and prints its largest size (MB) at exit.
const PROBE = `import v8 from 'node:v8';
let max = 0;
const sample = () => {
  const s = v8.getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');
  if (s && s.space_size > max) max = s.space_size;
};
setInterval(sample, 5).unref();
process.on('exit', () => { sample(); process.stderr.write('NEW_SPACE_MB ' + max / 1048576 + '\\n'); });
`;

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', join(dir, 'probe.mjs'), BIN, ...args], {
    env: { ...process.env, CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('submit', () => {
  it("keeps V8's young generation at 1 MB semi-spaces through 30,000 seeds", async () => {
    writeFileSync(join(dir, 'probe.mjs'), PROBE);
    const lines: string[] = [];
    for (let i = 0; i < 30_000; i++) lines.push(`https://h${i % 300}.example/a/${i}?q=${i % 7}`);
    writeFileSync(join(dir, 'seeds.txt'), `${lines.join('\n')}\n`);
    const r = await run([
      'submit',
      join(dir, 'seeds.txt'),
      '--crawl',
      'heap',
      '--redis',
      testRedisUrl(),
      '--prefix',
      testPrefix(),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('30000 URLs submitted');
    const mb = Number(/NEW_SPACE_MB ([\d.]+)/.exec(r.stderr)?.[1]);
    expect(mb).toBeGreaterThan(0);
    expect(mb).toBeLessThanOrEqual(2);
  }, 60_000);
});
