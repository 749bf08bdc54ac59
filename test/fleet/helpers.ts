/** Shared bits of the fleet suite: a fleet of real processes, rows from the database, waiting. */

import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { type CliResult, startCli } from '../helpers/cli.js';

export function tempDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `mc-fleet-${name}-`));
}

export interface Row {
  url: string;
  error: string | null;
  status: number | null;
  attempts: number;
  fetched_at: string;
}

/** Every page row of a crawl (empty when the database or crawl does not exist yet). */
export function rows(dbPath: string, crawl: string): Row[] {
  let db: Database.Database;
  try {
    db = new Database(dbPath, { readonly: true, fileMustExist: true });
  } catch {
    return [];
  }
  try {
    return db
      .prepare(
        `SELECT p.url, p.error, p.status, p.attempts, p.fetched_at FROM pages p
         JOIN crawls c ON c.id = p.crawl_id WHERE c.name = ? ORDER BY p.url`,
      )
      .all(crawl) as Row[];
  } catch {
    return [];
  } finally {
    db.close();
  }
}

export function countRows(dbPath: string, crawl: string): number {
  return rows(dbPath, crawl).length;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `fn` is true; fails with `what` after `ms`. */
export async function waitFor(
  what: string,
  fn: () => boolean | Promise<boolean>,
  ms = 30_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export interface Fleet {
  db: string;
  common: string[];
  procs: Array<ChildProcess & { result: Promise<CliResult> }>;
  stop(): Promise<CliResult[]>;
}

/** `workers` worker processes and one store process on the test Redis, under their own prefix. */
export function startFleet(opts: {
  dir: string;
  redis: string;
  prefix: string;
  workers: number;
  workerArgs?: string[];
  storeArgs?: string[];
  env?: Record<string, string>;
}): Fleet {
  const db = join(opts.dir, 'fleet.db');
  const common = ['--redis', opts.redis, '--prefix', opts.prefix, '--log-level', 'warn'];
  const procs = [startCli(['store', '--db', db, ...common, ...(opts.storeArgs ?? [])], { env: opts.env })];
  for (let i = 0; i < opts.workers; i++)
    procs.push(
      startCli(['worker', '--allow-private', ...common, ...(opts.workerArgs ?? [])], { env: opts.env }),
    );
  return {
    db,
    common,
    procs,
    stop: async () => {
      for (const p of procs) if (p.exitCode === null) p.kill('SIGTERM');
      return Promise.all(procs.map((p) => p.result));
    },
  };
}

/** Runs the CLI inside this process (no Node start-up): for checks of output and exit codes. */
export async function runMain(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => {
    out += d;
  });
  stderr.on('data', (d) => {
    err += d;
  });
  const io: CliIO = { stdout, stderr, stdin: new PassThrough(), stopSignal: new AbortController().signal };
  const code = await main(['node', 'metacrawl', ...args], io);
  return { code, out, err };
}
