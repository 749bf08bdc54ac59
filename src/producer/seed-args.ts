/**
 * What a seed argument is: `-` (standard input), an existing file, or an http(s) URL that is itself a seed
 * (what people try first). Checked before a crawl starts anything, so a typo costs no database or Redis.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { ConfigError } from '../config.js';

export type SeedArg = { kind: 'stdin' } | { kind: 'file'; path: string } | { kind: 'url'; url: string };

/** An argument that parses as an http(s) URL and is not an existing file is a seed URL. */
export function seedArg(arg: string): SeedArg {
  if (arg === '-') return { kind: 'stdin' };
  if (isHttpUrl(arg) && !exists(arg)) return { kind: 'url', url: arg };
  return { kind: 'file', path: arg };
}

/** Throws a ConfigError (bad usage) for the first argument that is no seed: a missing, unreadable or directory path. */
export function checkSeedArgs(args: readonly string[]): void {
  for (const arg of args) {
    const a = seedArg(arg);
    if (a.kind !== 'file') continue;
    let isDir: boolean;
    try {
      isDir = statSync(a.path).isDirectory();
    } catch {
      throw new ConfigError(
        `seed file not found: ${a.path} (a seed argument is a file of URLs, '-' for standard input, or an http(s) URL such as https://example.com/)`,
      );
    }
    if (isDir) throw new ConfigError(`seed path is a directory: ${a.path} (give the seed files in it)`);
    try {
      accessSync(a.path, constants.R_OK);
    } catch {
      throw new ConfigError(`seed file not readable: ${a.path}`);
    }
  }
}

/** The warning for a crawl or submit that found no URL at all in its seeds (it still succeeds, with nothing to do). */
export function noSeedsWarning(args: readonly string[], sitemaps: readonly string[] = []): string {
  const where = [...args.map((a) => (a === '-' ? 'standard input' : a)), ...sitemaps].join(', ');
  return `warning: no seed URLs in ${where}: nothing to crawl`;
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
