/** Runs the real CLI (bin/metacrawl.js → dist/) as a child process. `npm test` builds dist first. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { testPrefix, testRedisUrl } from './redis.js';

export const BIN = fileURLToPath(new URL('../../bin/metacrawl.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function cleanEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true' };
  // Never inherit a Redis from the developer's shell: tests pass --redis explicitly or use the private default.
  delete env.REDIS_URL;
  delete env.METACRAWL_DB;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export function startCli(
  args: string[],
  opts: { env?: Record<string, string | undefined>; cwd?: string; input?: string } = {},
): ChildProcess & { result: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: cleanEnv(opts.env ?? {}),
    cwd: opts.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  if (opts.input !== undefined) child.stdin?.end(opts.input);
  else child.stdin?.end();
  const result = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return Object.assign(child, { result });
}

export function runCli(
  args: string[],
  opts: { env?: Record<string, string | undefined>; cwd?: string; input?: string } = {},
): Promise<CliResult> {
  return startCli(args, opts).result;
}

/**
 * The flags every test crawl against the test Redis repeats: its name and database, a key prefix (a fresh one
 * unless given), local addresses allowed, no progress line; `more` after them.
 */
export function crawlArgs(o: { crawl: string; db: string; prefix?: string }, ...more: string[]): string[] {
  return [
    '--crawl',
    o.crawl,
    '--db',
    o.db,
    '--redis',
    testRedisUrl(),
    '--prefix',
    o.prefix ?? testPrefix(),
    '--allow-private',
    '--no-progress',
    ...more,
  ];
}
