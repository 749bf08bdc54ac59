/**
 * Opens the SQLite database: WAL, foreign keys, busy timeout, and the numbered migrations in
 * `migrations/NNN_name.sql`, applied in order and tracked with `PRAGMA user_version`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/** The page size of a new database. */
export const PAGE_SIZE = 16384;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Both `src/store/` and `dist/store/` sit two levels below the package root. */
const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));
const MIGRATION_FILE = /^(\d{3})_[\w-]+\.sql$/;

let cached: Migration[] | undefined;

/** The migrations shipped with this build, checked to be numbered 1..N without gaps. */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  if (dir === MIGRATIONS_DIR && cached) return cached;
  const files = readdirSync(dir)
    .filter((f) => MIGRATION_FILE.test(f))
    .sort();
  const migrations = files.map((name, i) => {
    const version = Number(MIGRATION_FILE.exec(name)![1]);
    if (version !== i + 1)
      throw new Error(`migrations: expected ${String(i + 1).padStart(3, '0')}_*.sql, found ${name}`);
    return { version, name, sql: readFileSync(`${dir}/${name}`, 'utf8') };
  });
  if (dir === MIGRATIONS_DIR) cached = migrations;
  return migrations;
}

/** The schema version this build writes (the number of the last migration). */
export function latestSchemaVersion(): number {
  return loadMigrations().length;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export interface OpenDbOptions {
  /** Open an existing database for reading only; migrations are not applied. */
  readonly?: boolean;
  busyTimeoutMs?: number;
  /** Told before each migration applied to a database that already has rows (a conversion may take minutes). */
  onMigration?: (message: string) => void;
}

/**
 * Opens (creating when needed) a metacrawl database and brings its schema up to date.
 * Read-only mode requires an existing metacrawl database and says so clearly otherwise.
 */
export function openDb(path: string, opts: OpenDbOptions = {}): Db {
  const readonly = opts.readonly === true;
  if (readonly && path !== ':memory:' && !existsSync(path)) {
    throw new Error(`database not found: ${path}`);
  }
  let db: Db;
  try {
    db = new Database(path, readonly ? { readonly: true, fileMustExist: true } : {});
  } catch (err) {
    throw new Error(`cannot open database ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
    db.pragma('foreign_keys = ON');
    if (readonly) {
      assertMetacrawlDb(db, path);
    } else {
      readVersion(db, path); // a clear error for a non-SQLite file, before any pragma touches it
      // A page row (~3 KB) fills two thirds of an 8 KB database page (two rows, 2 KB unused); 16 KB pages hold
      // five (~0.6 KB per page less on disk).
      // Only a new, empty file takes it: the page size is fixed once the first table exists.
      if (isEmpty(db)) db.pragma(`page_size = ${PAGE_SIZE}`);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // Multi-row INSERTs keep a statement journal: in memory it costs no syscalls (a 3x faster writer).
      db.pragma('temp_store = MEMORY');
      // 64 MiB page cache: the links(url) and meta(key) indexes take random inserts.
      db.pragma('cache_size = -65536');
      migrate(db, path, opts.onMigration);
    }
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function assertMetacrawlDb(db: Db, path: string): void {
  let version: number;
  let hasPages: boolean;
  try {
    version = schemaVersion(db);
    hasPages =
      db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'pages'").get() !== undefined;
  } catch (err) {
    throw new Error(`${path} is not a metacrawl database: ${(err as Error).message}`, { cause: err });
  }
  if (version === 0 || !hasPages)
    throw new Error(`${path} is not a metacrawl database (no metacrawl schema)`);
}

/** Applies every pending migration, each in its own IMMEDIATE transaction (safe against a racing opener). */
export function migrate(db: Db, path = db.name, onMigration?: (message: string) => void): void {
  const migrations = loadMigrations();
  const current = readVersion(db, path);
  if (current > migrations.length) {
    throw new Error(
      `${path} has schema version ${current}, newer than this metacrawl knows (${migrations.length}); upgrade metacrawl`,
    );
  }
  if (current > 0 && !hasTable(db, 'pages')) {
    throw new Error(`${path} is not a metacrawl database (user_version ${current} but no pages table)`);
  }
  if (current === 0 && hasUserTables(db)) {
    throw new Error(`${path} is not a metacrawl database (it has tables but no metacrawl schema version)`);
  }
  const hasRows = current > 0 && db.prepare('SELECT 1 FROM pages LIMIT 1').get() !== undefined;
  for (const m of migrations) {
    if (hasRows && m.version > current) onMigration?.(`upgrading ${path}: ${m.name}…`);
    const apply = db.transaction(() => {
      // Re-checked inside the write lock: another process may have migrated meanwhile.
      if (schemaVersion(db) >= m.version) return;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    });
    try {
      apply.immediate();
    } catch (err) {
      throw new Error(`migration ${m.name} failed on ${path}: ${(err as Error).message}`, { cause: err });
    }
  }
}

function readVersion(db: Db, path: string): number {
  try {
    return schemaVersion(db);
  } catch (err) {
    throw new Error(`${path} is not a SQLite database: ${(err as Error).message}`, { cause: err });
  }
}

function hasTable(db: Db, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

function isEmpty(db: Db): boolean {
  return db.prepare('SELECT count(*) FROM sqlite_master').pluck().get() === 0;
}

function hasUserTables(db: Db): boolean {
  return (
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").get() !==
    undefined
  );
}
