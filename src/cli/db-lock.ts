/**
 * One writing process per database: `crawl` and `store` hold `<db>.lock` while they run. The file names its
 * holder (pid, command); a second process refuses at once with one line saying who holds it. A holder that died
 * without removing it (SIGKILL, a crash) is noticed by its pid being gone — or reused by another process, which
 * the start time recorded beside the pid tells apart — and the lock is taken over.
 */
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export interface DbLockHolder {
  pid: number;
  /** The process's start time (Linux: /proc/<pid>/stat field 22), so a reused pid is not taken for the holder. */
  start: string | null;
  command: string;
  since: string;
}

export interface DbLock {
  readonly path: string;
  release(): void;
}

/** The database is held by another live process (the message names it). */
export class DbInUseError extends Error {
  constructor(
    readonly db: string,
    readonly holder: DbLockHolder,
  ) {
    super(
      `database ${db} is in use by pid ${holder.pid} (${holder.command}) since ${holder.since}: ` +
        'wait for it to finish, or use another --db',
    );
  }
}

/** Paths this process holds, so a second lock of the same database in one process is refused too. */
const held = new Set<string>();

export function lockPath(db: string): string {
  return `${resolve(db)}.lock`;
}

/**
 * Takes the lock of `db` for this process, or throws DbInUseError. Creates nothing when it refuses. The lock is
 * released by release() and, as a backstop, when the process exits.
 */
export function lockDatabase(db: string): DbLock {
  if (db === ':memory:') return { path: db, release: () => {} };
  const path = lockPath(db);
  const me: DbLockHolder = {
    pid: process.pid,
    start: startTime(process.pid),
    command: describeCommand(process.argv),
    since: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    if (create(db, path, me)) return hold(path);
    const holder = readHolder(path);
    if (holder && (held.has(path) || (holder.pid !== process.pid && alive(holder))))
      throw new DbInUseError(db, holder);
    takeOver(path, holder);
  }
  throw new Error(`cannot lock database ${db}: ${path} keeps changing`);
}

/** Creates the lock file with its content in one step (a link of a finished file), false if it exists. */
function create(db: string, path: string, me: DbLockHolder): boolean {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify(me)}\n`);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? `its folder ${dirname(path)} does not exist` : e.message;
    throw new Error(`cannot open database ${db}: ${why}`);
  }
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return false;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Removes a stale lock. It is first moved aside, so that of two processes taking over at once only one removes
 * it; a lock found aside that is not the stale one (another process's fresh lock) is put back.
 */
function takeOver(path: string, stale: DbLockHolder | null): void {
  const aside = `${path}.${process.pid}.stale`;
  try {
    renameSync(path, aside);
  } catch {
    return; // already gone
  }
  const moved = readHolder(aside);
  if (moved && (!stale || moved.pid !== stale.pid || moved.since !== stale.since)) {
    try {
      linkSync(aside, path);
    } catch {}
  }
  rmSync(aside, { force: true });
}

function hold(path: string): DbLock {
  held.add(path);
  const release = () => {
    if (!held.delete(path)) return;
    process.off('exit', release);
    // Only our own lock: never a lock another process took over meanwhile.
    if (readHolder(path)?.pid === process.pid) rmSync(path, { force: true });
  };
  process.on('exit', release);
  return { path, release };
}

export function readHolder(path: string): DbLockHolder | null {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as Partial<DbLockHolder>;
    if (!Number.isInteger(v.pid)) return null;
    return {
      pid: v.pid as number,
      start: v.start ?? null,
      command: String(v.command ?? '?'),
      since: String(v.since ?? '?'),
    };
  } catch {
    return null;
  }
}

function alive(h: DbLockHolder): boolean {
  try {
    process.kill(h.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = startTime(h.pid);
  return h.start === null || now === null || now === h.start;
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks after boot); null where there is no /proc. */
function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** `metacrawl crawl a.txt --db x.db`, with passwords in Redis URLs hidden. */
function describeCommand(argv: string[]): string {
  const args = argv.slice(2).map((a) => a.replace(/(\/\/[^:@/]*:)[^@/]*@/, '$1***@'));
  return ['metacrawl', ...args].join(' ');
}
