/** Runs `metacrawl crawl` in-process (crawlCommand, the real producer + worker + store writer) and reads the rows. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { crawlCommand } from '../../src/cli/crawl.js';
import { type CrawlSettings, DEFAULTS } from '../../src/config.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';

export interface Row {
  url: string;
  depth: number;
  discovered_from: string | null;
  lastmod: string | null;
  status: number | null;
  error: string | null;
}

export interface CrawlRun {
  rows: Row[];
  stdout: string;
  stderr: string;
  prefix: string;
  code: number;
}

export interface RunOptions {
  seeds: string[];
  settings?: Partial<CrawlSettings>;
  /** Extra seed sources (files) besides the seed URLs. */
  sources?: string[];
  sitemaps?: string[];
  sitemapsFromRobots?: boolean;
  /** --queue-window: ready jobs kept in the queue (the rest waits in the frontier). */
  queueWindow?: number;
}

const dir = mkdtempSync(join(tmpdir(), 'mc-discovery-'));
let n = 0;

export async function runCrawl(o: RunOptions): Promise<CrawlRun> {
  const id = `run${++n}-${process.pid}`;
  const seedFile = join(dir, `${id}.txt`);
  writeFileSync(seedFile, `${o.seeds.join('\n')}\n`);
  const db = join(dir, `${id}.db`);
  const prefix = testPrefix();
  let stdout = '';
  let stderr = '';
  const out = new PassThrough();
  const err = new PassThrough();
  out.on('data', (d) => {
    stdout += d;
  });
  err.on('data', (d) => {
    stderr += d;
  });
  const code = await crawlCommand(
    {
      seeds: [...(o.seeds.length > 0 ? [seedFile] : []), ...(o.sources ?? [])],
      db,
      redisUrl: testRedisUrl(),
      prefix,
      crawl: 'graph',
      fetch: { ...DEFAULTS.fetch, allowPrivate: true, timeoutMs: 5000, concurrency: 16 },
      settings: { ...DEFAULTS.crawl, hostRate: Number.POSITIVE_INFINITY, hostConcurrency: 8, ...o.settings },
      progress: false,
      logLevel: 'silent',
      sitemaps: o.sitemaps,
      sitemapsFromRobots: o.sitemapsFromRobots,
      queueWindow: o.queueWindow,
    },
    { stdout: out, stderr: err, stdin: Readable.from([]), stopSignal: new AbortController().signal },
  );
  const conn = new Database(db, { readonly: true });
  try {
    const rows = conn
      .prepare('SELECT url, depth, discovered_from, lastmod, status, error FROM pages ORDER BY url')
      .all() as Row[];
    return { rows, stdout, stderr, prefix, code };
  } finally {
    conn.close();
  }
}
