/** One writing process per database: the lock file, its refusal, and taking over from a holder that died. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DbInUseError, lockDatabase, lockPath, readHolder } from '../../src/cli/db-lock.js';

const dir = mkdtempSync(join(tmpdir(), 'mc-dblock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The pid of a process that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid as number;
}

function writeLock(db: string, holder: Record<string, unknown>): void {
  writeFileSync(
    lockPath(db),
    JSON.stringify({ command: 'metacrawl crawl old.txt', since: 'then', ...holder }),
  );
}

describe('database lock', () => {
  it('names its holder, refuses a second holder, and is gone once released', () => {
    const db = join(dir, 'a.db');
    const lock = lockDatabase(db);
    const holder = readHolder(lockPath(db));
    expect(holder?.pid).toBe(process.pid);
    expect(holder?.command).toMatch(/^metacrawl\b/);
    let err: unknown;
    try {
      lockDatabase(db);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DbInUseError);
    expect((err as Error).message).toMatch(
      new RegExp(`^database .*a\\.db is in use by pid ${process.pid} \\(metacrawl.*\\) since .*: wait`),
    );
    lock.release();
    expect(existsSync(lockPath(db))).toBe(false);
    lockDatabase(db).release();
  });

  it('refuses while another live process holds it, and creates nothing', async () => {
    const db = join(dir, 'b.db');
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      writeLock(db, { pid: other.pid, start: null });
      const before = readdirSync(dir).sort();
      expect(() => lockDatabase(db)).toThrow(`in use by pid ${other.pid} (metacrawl crawl old.txt)`);
      expect(readdirSync(dir).sort()).toEqual(before);
      expect(readHolder(lockPath(db))?.pid).toBe(other.pid);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('takes over the lock of a holder that died (SIGKILL leaves the file behind)', () => {
    const db = join(dir, 'c.db');
    writeLock(db, { pid: deadPid(), start: null });
    const lock = lockDatabase(db);
    expect(readHolder(lockPath(db))?.pid).toBe(process.pid);
    lock.release();
    expect(readdirSync(dir).filter((f) => f.startsWith('c.db'))).toEqual([]);
  });

  it.runIf(existsSync('/proc/self/stat'))('takes over when the pid is alive but is another process', () => {
    const db = join(dir, 'd.db');
    // The parent is alive, but not the process that took the lock: its start time differs.
    writeLock(db, { pid: process.ppid, start: '1' });
    const lock = lockDatabase(db);
    expect(readHolder(lockPath(db))?.pid).toBe(process.pid);
    lock.release();
  });

  it('says when the database folder does not exist', () => {
    expect(() => lockDatabase(join(dir, 'nope', 'x.db'))).toThrow(
      /^cannot open database .*x\.db: its folder .*nope does not exist$/,
    );
  });

  it('never removes a lock another process took over meanwhile', () => {
    const db = join(dir, 'e.db');
    const lock = lockDatabase(db);
    writeLock(db, { pid: process.ppid, start: null });
    lock.release();
    expect(JSON.parse(readFileSync(lockPath(db), 'utf8')).pid).toBe(process.ppid);
    rmSync(lockPath(db));
  });
});
