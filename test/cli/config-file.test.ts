/**
 * A --config file: unknown keys are an error naming the file and key (with a did-you-mean); bad values name the key.
 * The value checks run the CLI's main() in this process (same parsing and messages, no process start per case);
 * the first checks run the real process.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { runMain } from '../helpers/main.js';

const dir = mkdtempSync(join(tmpdir(), 'mc-config-file-'));

function configFile(name: string, data: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(data));
  return path;
}

describe('metacrawl --config <file>', () => {
  it('refuses an unknown key, naming the file and the key it probably meant, exit 2', async () => {
    const file = configFile('typo.json', { concurency: 3 });
    const r = await runCli(['config', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`--config ${file}: unknown key "concurency" (did you mean "concurrency"?)`);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('names every bad key: a kebab-case flag, a command-line-only flag, a key with no likely meaning', async () => {
    const file = configFile('several.json', { 'host-rate': '1/s', workers: 2, colour: 'blue', depth: 1 });
    const r = await runMain(['config', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown key "host-rate" (did you mean "hostRate"?)');
    expect(r.stderr).toContain(
      '"workers" cannot be set in a config file (pass --workers on the command line)',
    );
    expect(r.stderr).toMatch(/unknown key "colour";/);
    expect(r.stderr).not.toContain('"depth"');
  });

  it('refuses it before a crawl starts anything: no database, no private Redis', async () => {
    const file = configFile('crawl-typo.json', { hostRat: '1/s' });
    const seeds = join(dir, 'seeds.txt');
    writeFileSync(seeds, 'https://example.com/\n');
    const db = join(dir, 'never.db');
    const r = await runCli(['crawl', seeds, '--config', file, '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown key "hostRat" (did you mean "hostRate"?)');
    expect(r.stderr).not.toContain('crawl name');
    expect(existsSync(db)).toBe(false);
    expect(existsSync(`${db}.redis`)).toBe(false);
  });

  it('names the key, not the flag, for a bad value in the file', async () => {
    const cases: [unknown, string][] = [
      [{ concurrency: 'zero' }, '"concurrency" in FILE must be a positive integer (got "zero")'],
      [{ hostRate: 'fast' }, '"hostRate" in FILE must be a rate like'],
      [{ ignoreRobots: 'false' }, '"ignoreRobots" in FILE must be true or false (got "false")'],
      [{ priority: 12 }, '"priority" in FILE must be an integer from 1 (first) to 9'],
      [{ crawl: 'a b' }, '"crawl" in FILE must be 1-100 characters'],
      [{ redis: 'localhost:6379' }, '"redis" in FILE must be a redis://'],
      [{ hosts: { 'example.com': { rate: 'x' } } }, '"hosts" in FILE: "example.com".rate'],
    ];
    const files = cases.map(([data], i) => configFile(`bad-${i}.json`, data));
    const results = [];
    for (const file of files) results.push(await runMain(['config', '--config', file]));
    results.forEach((r, i) => {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(cases[i][1].replace('FILE', files[i]));
      expect(r.stderr).not.toMatch(/(^|\s)--(concurrency|host-rate|ignore-robots|priority|crawl|redis)\b/);
    });
  });

  it('names the environment variable for a bad value from the environment, the flag for a bad flag', async () => {
    const env = await runMain(['config'], { env: { METACRAWL_CONCURRENCY: 'many' } });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('METACRAWL_CONCURRENCY must be a positive integer (got "many")');
    const flag = await runMain(['config', '--concurrency', 'many']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--concurrency must be a positive integer (got "many")');
  });

  it('still takes a file of known keys', async () => {
    const file = configFile('good.json', {
      concurrency: 3,
      hostRate: '5/s',
      ignoreRobots: true,
      hosts: { 'Example.com': { rate: '1/s' } },
    });
    const r = await runMain(['config', '--config', file]);
    expect(r.code, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout);
    expect(c.fetch.concurrency).toBe(3);
    expect(c.settings.hostRate).toBe(5);
    expect(c.settings.ignoreRobots).toBe(true);
    expect(c.settings.overrides).toEqual({ 'example.com': { rate: '1/s' } });
  });
});
