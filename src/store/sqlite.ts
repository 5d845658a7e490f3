// The default store: one SQLite file on local disk, so holds, recorded approvals and claims
// survive a restart and a crash of the process with no server to run. Several processes may
// open the same file (a rolling restart overlaps two); several hosts need Redis instead.
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { storeOperation, type Clock, type Store } from "./store.js";

/** Expired rows are deleted this often; reads ignore them meanwhile. */
export const PURGE_INTERVAL_MS = 60 * 1000;

/**
 * How long a write waits for another process holding the file's write lock. Writes are
 * short, so this is only reached when something is wrong; like Redis' command timeout, it
 * fails the webhook rather than let it hang past GitHub's 10 s.
 */
export const BUSY_TIMEOUT_MS = 5_000;

/**
 * The schema, one step per version: MIGRATIONS[n] takes a file from version n to n + 1
 * (`PRAGMA user_version` holds the version). Append steps; never edit a released one.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE entries (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    expires INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX entries_by_expiry ON entries (expires);
  CREATE TABLE sets (
    key TEXT PRIMARY KEY,
    expires INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX sets_by_expiry ON sets (expires);
  -- The rowid grows with every insertion, so ordering by it lists members first-added first
  -- (a member removed and added again comes last).
  CREATE TABLE set_members (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    member TEXT NOT NULL,
    UNIQUE (key, member)
  );
  `,
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** The state file cannot be used; the message names the file and what to do. */
export class StateFileError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StateFileError";
  }
}

export interface SqliteStoreOptions {
  clock?: Clock;
  /** Delete expired rows this often (an unref'd timer); 0 turns the timer off. */
  purgeIntervalMs?: number;
}

export class SqliteStore implements Store {
  readonly #db: Database.Database;
  readonly #clock: Clock;
  readonly #purgeTimer: NodeJS.Timeout | undefined;
  readonly #sql: Statements;

  /** Opens (creating if need be) and migrates the file; throws a StateFileError if it can't. */
  constructor(
    readonly path: string,
    options: SqliteStoreOptions = {},
  ) {
    this.#clock = options.clock ?? (() => new Date());
    this.#db = open(path);
    try {
      this.#sql = prepareStatements(this.#db);
    } catch (error) {
      this.#db.close();
      throw error;
    }
    const purgeIntervalMs = options.purgeIntervalMs ?? PURGE_INTERVAL_MS;
    if (purgeIntervalMs > 0) {
      this.#purgeTimer = setInterval(() => {
        try {
          this.purgeExpired();
        } catch {
          // The file was busy past the timeout: reads skip expired rows anyway, and the next
          // purge deletes them. A throw here would end the process.
        }
      }, purgeIntervalMs);
      this.#purgeTimer.unref();
    }
  }

  async get(key: string): Promise<string | null> {
    const row = await storeOperation("read", () => this.#sql.get.get(key, this.#now()));
    return row?.value ?? null;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await storeOperation("write", () => this.#sql.put.run(key, value, this.#now() + ttlMs));
  }

  async delete(key: string): Promise<void> {
    await storeOperation("delete", () => this.#sql.deleteKey(key));
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    const now = this.#now();
    // One statement, so one writer at a time across processes: it inserts, or takes over
    // an expired claim, or changes nothing because a live one exists.
    const claimed = await storeOperation("claim", () => this.#sql.claim.run(key, now + ttlMs, now));
    return claimed.changes === 1;
  }

  async addToSet(key: string, member: string, ttlMs: number): Promise<void> {
    await storeOperation("write", () => this.#sql.addToSet(key, member, this.#now(), ttlMs));
  }

  async removeFromSet(key: string, member: string): Promise<void> {
    await storeOperation("delete", () => this.#sql.removeMember.run(key, member));
  }

  async members(key: string): Promise<string[]> {
    const rows = await storeOperation("read", () => this.#sql.members.all(key, this.#now()));
    return rows.map((row) => row.member);
  }

  /** Deletes every expired value, claim and set; returns how many rows went. */
  purgeExpired(): number {
    if (!this.#db.open) return 0;
    return this.#sql.purge(this.#now());
  }

  /** Stops the purge timer and closes the file (the WAL is checkpointed into it). */
  close(): void {
    clearInterval(this.#purgeTimer);
    if (this.#db.open) this.#db.close();
  }

  #now(): number {
    return this.#clock().getTime();
  }
}

type Statements = ReturnType<typeof prepareStatements>;

function prepareStatements(db: Database.Database) {
  const get = db.prepare<[string, number], { value: string }>(
    "SELECT value FROM entries WHERE key = ? AND expires > ?",
  );
  const put = db.prepare<[string, string, number]>(
    `INSERT INTO entries (key, value, expires) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires`,
  );
  const claim = db.prepare<[string, number, number]>(
    `INSERT INTO entries (key, value, expires) VALUES (?, '1', ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires
     WHERE entries.expires <= ?`,
  );
  const deleteValue = db.prepare<[string]>("DELETE FROM entries WHERE key = ?");
  const deleteSet = db.prepare<[string]>("DELETE FROM sets WHERE key = ?");
  const deleteMembers = db.prepare<[string]>("DELETE FROM set_members WHERE key = ?");
  const setExpiry = db.prepare<[string], { expires: number }>(
    "SELECT expires FROM sets WHERE key = ?",
  );
  const putSet = db.prepare<[string, number]>(
    `INSERT INTO sets (key, expires) VALUES (?, ?)
     ON CONFLICT (key) DO UPDATE SET expires = excluded.expires`,
  );
  const addMember = db.prepare<[string, string]>(
    "INSERT INTO set_members (key, member) VALUES (?, ?) ON CONFLICT (key, member) DO NOTHING",
  );
  const removeMember = db.prepare<[string, string]>(
    "DELETE FROM set_members WHERE key = ? AND member = ?",
  );
  const members = db.prepare<[string, number], { member: string }>(
    `SELECT m.member FROM set_members m JOIN sets s ON s.key = m.key
     WHERE m.key = ? AND s.expires > ? ORDER BY m.id`,
  );
  const purgeValues = db.prepare<[number]>("DELETE FROM entries WHERE expires <= ?");
  const purgeMembers = db.prepare<[number]>(
    "DELETE FROM set_members WHERE key IN (SELECT key FROM sets WHERE expires <= ?)",
  );
  const purgeSets = db.prepare<[number]>("DELETE FROM sets WHERE expires <= ?");

  // Read-modify-write steps run as IMMEDIATE transactions: they take the write lock before
  // reading, so another process cannot change the rows in between (and a deferred
  // transaction's upgrade to a writer could fail with SQLITE_BUSY instead of waiting).
  return {
    get,
    put,
    claim,
    removeMember,
    members,
    deleteKey: db.transaction((key: string) => {
      deleteValue.run(key);
      deleteSet.run(key);
      deleteMembers.run(key);
    }).immediate,
    addToSet: db.transaction((key: string, member: string, now: number, ttlMs: number) => {
      // An expired set is gone as a whole: its old members must not come back.
      const expires = setExpiry.get(key)?.expires;
      if (expires !== undefined && expires <= now) deleteMembers.run(key);
      putSet.run(key, now + ttlMs);
      addMember.run(key, member);
    }).immediate,
    purge: db.transaction(
      (now: number) =>
        purgeValues.run(now).changes + purgeMembers.run(now).changes + purgeSets.run(now).changes,
    ).immediate,
  };
}

/**
 * Opens the file in WAL mode and brings its schema up to date. WAL lets readers and one
 * writer work at once, across processes. synchronous=NORMAL: in WAL mode a commit has been
 * written to the operating system before it returns, so it survives the process being
 * killed (SIGKILL, out of memory, a crash); only an operating-system crash or power loss can
 * undo the last commits. FULL would add an fsync to every write, on the event loop (this
 * driver is synchronous), for state that GitHub's own record can rebuild.
 */
function open(path: string): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw cannotOpen(path, error);
  }
  try {
    const mode = db.pragma("journal_mode = WAL", { simple: true });
    if (mode !== "wal") {
      throw new StateFileError(
        `state file ${path}: SQLite could not use a write-ahead log (journal mode "${String(mode)}"): put DATA_DIR on a local filesystem`,
      );
    }
    db.pragma("synchronous = NORMAL");
    // A damaged page would otherwise surface later, as a failed webhook; this reads every
    // page once, which for a file of this size takes milliseconds.
    const check = db.pragma("quick_check(1)", { simple: true });
    if (check !== "ok") throw new StateFileError(corrupt(path, String(check)));
    migrate(db, path);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof StateFileError) throw error;
    throw cannotOpen(path, error);
  }
}

function migrate(db: Database.Database, path: string): void {
  const version = (): number => Number(db.pragma("user_version", { simple: true }));
  const check = (found: number): void => {
    if (found > SCHEMA_VERSION) {
      throw new StateFileError(
        `state file ${path} has schema version ${found}, written by a newer release of the app (this one knows up to ${SCHEMA_VERSION}): run that release or newer, or start this one with an empty DATA_DIR`,
      );
    }
  };
  check(version());
  if (version() === SCHEMA_VERSION) return;
  // IMMEDIATE: two processes starting at once on a new file migrate it once, one after the
  // other; the second finds the work done.
  db.transaction(() => {
    const from = version();
    check(from);
    for (const step of MIGRATIONS.slice(from)) db.exec(step);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

/** The one-line reason a file cannot be used, and the fix, from SQLite's or the OS's error. */
function cannotOpen(path: string, error: unknown): StateFileError {
  const { code, message } = error as { code?: unknown; message?: unknown };
  // Read, not `instanceof Error`: the driver's errors may come from another realm (jest).
  const reason = typeof message === "string" ? message : String(error);
  const options = { cause: error };
  if (code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT") {
    return new StateFileError(corrupt(path, reason), options);
  }
  if (!existsSync(dirname(path))) {
    return new StateFileError(
      `state file ${path}: the directory ${dirname(path)} does not exist: create it, or set DATA_DIR to a directory that exists`,
      options,
    );
  }
  if (
    code === "SQLITE_CANTOPEN" ||
    code === "SQLITE_READONLY" ||
    code === "SQLITE_PERM" ||
    code === "SQLITE_IOERR"
  ) {
    return new StateFileError(
      `state file ${path} cannot be opened for writing (${reason}): make ${dirname(path)} and the files in it writable by uid ${process.getuid?.() ?? "?"}, or set DATA_DIR to a writable directory`,
      options,
    );
  }
  return new StateFileError(`state file ${path} cannot be used: ${reason}`, options);
}

function corrupt(path: string, reason: string): string {
  // quick_check's report runs over many lines: the first problem, on the one line, is enough.
  const first = reason
    .replace(/\*\*\* in database \w+ \*\*\*/, "")
    .trim()
    .split("\n")[0];
  return `state file ${path} is not a usable database (${first}): move it aside (restore a backup into its place if there is one) and start again`;
}
