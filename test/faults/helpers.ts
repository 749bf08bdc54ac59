/** Shared bits of the fault-injection suite: temp dirs, seed files, rows from the database, waiting. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BIN, type CliResult } from '../helpers/cli.js';

const created: string[] = [];

export function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `mc-faults-${name}-`));
  created.push(dir);
  return dir;
}

/**
 * Call in afterAll: kills the CLI processes of this file still running (a test that failed or timed out
 * must not leave orphans behind) and removes its temp dirs.
 */
export function cleanup(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function seedFile(dir: string, name: string, urls: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${urls.join('\n')}\n`);
  return path;
}

export interface PageRow {
  url: string;
  final_url: string | null;
  status: number | null;
  error: string | null;
  error_detail: string | null;
  attempts: number;
  bytes: number | null;
  truncated: number;
  title: string | null;
  links_count: number | null;
  links_truncated: number | null;
  links_rows: number;
}

/** Every page row of a crawl (empty when the database or crawl does not exist yet). */
export function pageRows(dbPath: string, crawl: string): PageRow[] {
  let db: Database.Database;
  try {
    db = new Database(dbPath, { readonly: true, fileMustExist: true });
  } catch {
    return [];
  }
  try {
    return db
      .prepare(
        `SELECT p.url, p.final_url, p.status, p.error, p.error_detail, p.attempts, p.bytes, p.truncated,
           p.title, p.links_count, p.links_truncated,
           (SELECT count(*) FROM links l WHERE l.page_id = p.id) AS links_rows
         FROM pages p JOIN crawls c ON c.id = p.crawl_id WHERE c.name = ? ORDER BY p.url`,
      )
      .all(crawl) as PageRow[];
  } catch {
    return [];
  } finally {
    db.close();
  }
}

/** Rows of a crawl and how many distinct URLs they hold (exactly-one-row checks). */
export function rowCounts(dbPath: string, crawl: string): { rows: number; distinct: number } {
  const rows = pageRows(dbPath, crawl);
  return { rows: rows.length, distinct: new Set(rows.map((r) => r.url)).size };
}

export function byUrl(rows: PageRow[]): Map<string, PageRow> {
  return new Map(rows.map((r) => [r.url, r]));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a truthy value; throws with `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 20_000,
  stepMs = 50,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(stepMs);
  }
}

export type Cli = ChildProcess & { result: Promise<CliResult>; output: () => string };

const children = new Set<ChildProcess>();

/** Starts the real CLI with stdin left open (the caller writes and ends it); cleanup() kills leftovers. */
export function spawnCli(args: string[], env: Record<string, string> = {}, cwd?: string): Cli {
  const e: NodeJS.ProcessEnv = { ...process.env, CI: 'true', ...env };
  delete e.REDIS_URL;
  delete e.METACRAWL_DB;
  const child = spawn(process.execPath, [BIN, ...args], { env: e, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  children.add(child);
  const result = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => {
      children.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return Object.assign(child, { result, output: () => stdout + stderr });
}

/** Runs the real CLI to its end (stdin closed), like helpers/cli.ts, but tracked for cleanup(). */
export function runCli(
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string } = {},
): Promise<CliResult> {
  const child = spawnCli(args, opts.env, opts.cwd);
  child.stdin?.end();
  return child.result;
}

/** Fast BullMQ stall detection and retry backoff for the CLI processes of a test. */
export const FAST_ENV = {
  METACRAWL_LOCK_MS: '1500',
  METACRAWL_STALLED_MS: '500',
  METACRAWL_BACKOFF_MS: '50',
};

export function simplePage(title: string, body = ''): string {
  return `<!doctype html><html><head><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;
}
