/**
 * Read-only connections that leave the directory as they found it. Reading a WAL database creates its
 * `-wal` and `-shm` files, and only a read-write connection may delete them on close; so after a read-only
 * connection closes, while the WAL holds nothing (no writer has uncheckpointed pages), a read-write
 * connection that never writes is opened and closed, and SQLite itself removes both files if (and only if)
 * no other connection still uses them. A WAL with content is left alone: reading never rewrites the file.
 */
import { existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { type Db, type OpenDbOptions, openDb } from './db.js';

export function openReadOnlyDb(path: string, opts: Omit<OpenDbOptions, 'readonly'> = {}): Db {
  return openDb(path, { ...opts, readonly: true });
}

function walIsEmpty(path: string): boolean {
  try {
    return statSync(`${path}-wal`).size === 0;
  } catch {
    return true;
  }
}

/** Closes a read-only connection; the side files go too when nothing else uses them and the WAL is empty. */
export function closeReadOnlyDb(db: Db): void {
  const path = db.name;
  if (db.open) db.close();
  if (path === ':memory:' || !(existsSync(`${path}-wal`) || existsSync(`${path}-shm`))) return;
  if (!walIsEmpty(path)) return;
  try {
    const rw = new Database(path, { fileMustExist: true });
    try {
      // Opening the WAL needs a read; the close that follows then deletes both files when it is the last.
      rw.prepare('SELECT 1 FROM sqlite_master LIMIT 1').get();
    } finally {
      rw.close();
    }
  } catch {
    // A read-only directory or file: the files stay, as SQLite left them.
  }
}
