/**
 * A usage error is the error (with commander's did-you-mean) and one line pointing to --help, never the whole help.
 * Most checks run the CLI's main() in this process (same parsing and messages, no process start); one real
 * process per kind of check shows that the exit code and output reach the shell unchanged.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { runMain } from '../helpers/main.js';

const COMMANDS = [
  'crawl',
  'submit',
  'worker',
  'store',
  'status',
  'query',
  'inspect',
  'pause',
  'resume',
  'cancel',
  'config',
  'serve',
];

function lines(s: string): string[] {
  return s.trim().split('\n');
}

describe('usage errors', () => {
  it('an unknown option on every command: the error and one line naming its --help, exit 2', {
    timeout: 120_000,
  }, async () => {
    // Commands with a required --crawl get one, or commander reports it missing first.
    const needsCrawl = ['submit', 'pause', 'resume', 'cancel'];
    const args = (c: string) => [c, ...(needsCrawl.includes(c) ? ['--crawl', 'x'] : []), '--bogus'];
    const results = [];
    for (const c of COMMANDS) results.push(await runMain(args(c)));
    // The real process: same lines, exit code 2.
    const real = await runCli(args('crawl'));
    expect({ code: real.code, stdout: real.stdout, stderr: real.stderr }).toEqual(results[0]);
    results.forEach((r, i) => {
      const cmd = COMMANDS[i];
      expect(r.code, `${cmd}: ${r.stderr}`).toBe(2);
      expect(lines(r.stderr), cmd).toEqual([
        "error: unknown option '--bogus'",
        `(run 'metacrawl ${cmd} --help' for its options)`,
      ]);
      expect(r.stdout).toBe('');
    });
  });

  it("keeps commander's did-you-mean for a misspelt option and command", async () => {
    const opt = await runMain(['crawl', 'seeds.txt', '--concurency', '3']);
    expect(opt.code).toBe(2);
    expect(lines(opt.stderr)).toEqual([
      "error: unknown option '--concurency'",
      '(Did you mean --concurrency?)',
      "(run 'metacrawl crawl --help' for its options)",
    ]);
    const cmd = await runCli(['crawll', 'seeds.txt']);
    expect(cmd.code).toBe(2);
    expect(lines(cmd.stderr)).toEqual([
      "error: unknown command 'crawll'",
      '(Did you mean crawl?)',
      "(run 'metacrawl --help' for the commands)",
    ]);
  });

  it('a missing argument is short too', async () => {
    const r = await runMain(['query']);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual([
      "error: missing required argument 'sql'",
      "(run 'metacrawl query --help' for its options)",
    ]);
  });

  it('a hidden test hook with a bad value is refused, naming it, before anything starts', async () => {
    for (const hook of ['METACRAWL_PROGRESS_INTERVAL_MS', 'METACRAWL_LOCK_MS']) {
      // The real process for the first: the hook is read from its environment.
      const run = hook === 'METACRAWL_LOCK_MS' ? runMain : runCli;
      const r = await run(['crawl', 'seeds.txt'], { env: { [hook]: 'soon' } });
      expect(r.code, r.stderr).toBe(2);
      expect(lines(r.stderr)).toEqual([`metacrawl: ${hook} must be a positive integer (got "soon")`]);
    }
  });

  it('--help itself still prints the whole help', async () => {
    const r = await runMain(['crawl', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: metacrawl crawl');
    expect(r.stdout).toContain('--concurrency');
  });
});
