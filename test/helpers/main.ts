/**
 * Runs the CLI inside the test process (no Node start-up, no module loading per call): the same `main()` that
 * bin/metacrawl.js calls, with its output captured. For checks of a command's output and exit code where the
 * process itself (its launcher, signals, exit) is not what is tested; keep one real spawn per file for that.
 */
import { PassThrough } from 'node:stream';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

export interface MainResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `env` is set on process.env for the duration of the call (undefined deletes) and restored after it, so
 * calls with an env must not run concurrently with each other.
 */
export async function runMain(
  args: string[],
  opts: { env?: Record<string, string | undefined>; input?: string } = {},
): Promise<MainResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => {
    out += d;
  });
  stderr.on('data', (d) => {
    err += d;
  });
  stdin.end(opts.input ?? '');
  const saved = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    saved.set(k, process.env[k]);
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    const io: CliIO = { stdout, stderr, stdin, stopSignal: new AbortController().signal };
    const code = await main(['node', 'metacrawl', ...args], io);
    // Chunks written last reach the 'data' listeners on a later tick.
    await new Promise((r) => setImmediate(r));
    return { code, stdout: out, stderr: err };
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
