/**
 * `crawl_archives` (migration `*_archive_dirs.sql`): the archive directories a crawl's pages were written to, as
 * the records say, so `reextract` can find a crawl's archive without being told.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';

export class ArchiveDirs {
  /** `crawlId dir` pairs this writer recorded: one INSERT per pair and writer, not per page. */
  private readonly seen = new Set<string>();
  private readonly insert: Statement;

  constructor(db: Db) {
    this.insert = db.prepare(
      'INSERT INTO crawl_archives (crawl_id, dir, first_seen) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    );
  }

  note(crawlId: number, dir: string | undefined, at: string): void {
    if (!dir) return;
    const key = `${crawlId} ${dir}`;
    if (this.seen.has(key)) return;
    this.insert.run(crawlId, dir, at);
    this.seen.add(key);
  }

  /** A batch rolled back: what it recorded is gone. */
  clear(): void {
    this.seen.clear();
  }
}

/** The archive directories recorded for a crawl, oldest first. */
export function archiveDirsOf(db: Db, crawlId: number): string[] {
  return db
    .prepare('SELECT dir FROM crawl_archives WHERE crawl_id = ? ORDER BY first_seen, dir')
    .pluck()
    .all(crawlId) as string[];
}
