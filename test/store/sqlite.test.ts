// SqliteStore, the default store: the shared contract, times to live under an injected
// clock, what survives a process killed with SIGKILL, atomicity between processes on one
// file, schema versions, and the start-up errors for files it cannot use.
import { afterAll, describe, expect, test } from "@jest/globals";
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface, type Interface } from "node:readline";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { SCHEMA_VERSION, SqliteStore, StateFileError } from "../../src/store/sqlite.js";
import { storeContract, storeExpiryContract, type TestClock } from "./contract.js";

const MINUTE = 60_000;
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CHILD = fileURLToPath(new URL("./sqlite-child.ts", import.meta.url));

const dir = mkdtempSync(join(tmpdir(), "release-policy-sqlite-"));
const opened: SqliteStore[] = [];
let files = 0;

afterAll(() => {
  for (const store of opened) store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A path no store has used yet. */
function newPath(): string {
  return join(dir, `state-${++files}.db`);
}

function openStore(path = newPath(), clock?: TestClock): SqliteStore {
  const store = new SqliteStore(path, clock ? { clock: () => clock.now } : {});
  opened.push(store);
  return store;
}

storeContract("SqliteStore", () => openStore());
storeExpiryContract("SqliteStore", (clock) => openStore(newPath(), clock));

/** Another process with a store over `path` (sqlite-child.ts), driven line by line. */
interface Child {
  process: ChildProcess;
  send(command: unknown[]): Promise<unknown>;
  exited: Promise<NodeJS.Signals | null>;
}

async function startChild(path: string): Promise<Child> {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, path], {
    cwd: ROOT,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let errors = "";
  child.stderr?.on("data", (chunk: Buffer) => (errors += chunk.toString("utf8")));
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once("exit", (_code, signal) => resolve(signal)),
  );
  const lines: Interface = createInterface({ input: child.stdout! });
  const pending: ((line: string) => void)[] = [];
  const ended = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`child exited with ${code}: ${errors}`))),
  );
  ended.catch(() => undefined);
  lines.on("line", (line) => pending.shift()?.(line));
  const next = () => Promise.race([new Promise<string>((r) => pending.push(r)), ended]);
  expect(await next()).toBe("open");
  return {
    process: child,
    exited,
    async send(command) {
      const answer = next();
      child.stdin!.write(`${JSON.stringify(command)}\n`);
      return JSON.parse(await answer) as unknown;
    },
  };
}

describe("SqliteStore on disk", () => {
  test("what one store wrote, a store opened later on the same file reads", async () => {
    const path = newPath();
    const first = openStore(path);
    await first.set("hold:1", '{"run":1}', MINUTE);
    await first.claim("delivery:1", MINUTE);
    for (const m of ["b", "a"]) await first.addToSet("holds:index", m, MINUTE);
    first.close();
    const second = openStore(path);
    expect(await second.get("hold:1")).toBe('{"run":1}');
    expect(await second.claim("delivery:1", MINUTE)).toBe(false);
    expect(await second.members("holds:index")).toEqual(["b", "a"]);
  });

  test("a process killed with SIGKILL right after its writes loses none of them", async () => {
    const path = newPath();
    const child = await startChild(path);
    expect(await child.send(["claim", "deploy-decided:run-7", MINUTE])).toBe(true);
    await child.send(["set", "hold:run-7", '{"recheckAt":"2026-11-26T10:00:00Z"}', MINUTE]);
    await child.send(["add", "holds:index", "hold:run-7", MINUTE]);
    await child.send(["add", "holds:index", "hold:run-8", MINUTE]);
    child.process.kill("SIGKILL");
    expect(await child.exited).toBe("SIGKILL");
    const store = openStore(path);
    expect(await store.claim("deploy-decided:run-7", MINUTE)).toBe(false);
    expect(await store.get("hold:run-7")).toBe('{"recheckAt":"2026-11-26T10:00:00Z"}');
    expect(await store.members("holds:index")).toEqual(["hold:run-7", "hold:run-8"]);
  });

  test("two stores on one file: exactly one claim wins, every addition is kept", async () => {
    const path = newPath();
    const [one, two] = [openStore(path), openStore(path)];
    const claims = await Promise.all([one, two, one, two].map((s) => s.claim("decided", MINUTE)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    await Promise.all([
      one.addToSet("index", "a", MINUTE),
      two.addToSet("index", "b", MINUTE),
      two.addToSet("index", "a", MINUTE),
    ]);
    expect(await two.members("index")).toEqual(["a", "b"]);
    expect(await one.members("index")).toEqual(["a", "b"]);
  });

  test("three processes claiming the same 200 keys at once: each key is won exactly once", async () => {
    const path = newPath();
    openStore(path); // create and migrate it first, as the server does at start-up
    const children = await Promise.all([startChild(path), startChild(path), startChild(path)]);
    try {
      const won = (await Promise.all(
        children.map((child) => child.send(["claims", "delivery:", 200, MINUTE])),
      )) as string[][];
      const all = won.flat();
      expect(all).toHaveLength(200);
      expect(new Set(all).size).toBe(200);
      await Promise.all(children.map((child, i) => child.send(["add", "index", `p${i}`, MINUTE])));
      expect([...(await openStore(path).members("index"))].sort()).toEqual(["p0", "p1", "p2"]);
    } finally {
      for (const child of children) child.process.kill("SIGKILL");
      await Promise.all(children.map((child) => child.exited));
    }
  });

  test("expired rows are purged from the file, live ones kept", async () => {
    const clock = { now: new Date("2026-11-26T10:00:00Z") };
    const path = newPath();
    const store = openStore(path, clock);
    await store.set("short", "v", 1000);
    await store.claim("claim", 1000);
    await store.addToSet("set", "a", 1000);
    await store.set("long", "v", MINUTE);
    await store.addToSet("kept", "a", MINUTE);
    expect(store.purgeExpired()).toBe(0);
    clock.now = new Date(clock.now.getTime() + 1000);
    expect(store.purgeExpired()).toBe(4); // two values, one set and its one member
    const raw = new Database(path, { readonly: true });
    const count = (table: string) =>
      (raw.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect([count("entries"), count("sets"), count("set_members")]).toEqual([1, 1, 1]);
    raw.close();
    expect(await store.get("long")).toBe("v");
    expect(await store.members("kept")).toEqual(["a"]);
  });

  test("deleting a key removes a value or a set of that name", async () => {
    const store = openStore();
    await store.addToSet("s", "a", MINUTE);
    await store.delete("s");
    expect(await store.members("s")).toEqual([]);
    await store.addToSet("s", "b", MINUTE);
    expect(await store.members("s")).toEqual(["b"]);
  });
});

describe("the online backup docs/deploy.md shows", () => {
  test("copies a consistent file while a store keeps writing to it", async () => {
    const docs = readFileSync(join(ROOT, "docs/deploy.md"), "utf8");
    const script = /node -e \\\n\s*'([^']+)'/.exec(docs)?.[1];
    expect(script).toContain(".backup(");
    const path = newPath();
    const backup = join(dir, "backup.db");
    const store = openStore(path);
    for (let i = 0; i < 50; i++) await store.addToSet("holds:index", `hold-${i}`, MINUTE);
    const child = spawn(
      process.execPath,
      [
        "-e",
        (script ?? "").replace("/data/release-policy.db", path).replace("/data/backup.db", backup),
      ],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    // Writes go on while the copy is taken; the copy holds a prefix of them, in order.
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    let writes = 50;
    let done = false;
    void exited.then(() => (done = true));
    while (!done) {
      await store.addToSet("holds:index", `hold-${writes++}`, MINUTE);
      // The store answers at once: yield to I/O, or the child's exit is never seen.
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect([await exited, output.trim()]).toEqual([0, "done"]);
    expect(writes).toBeGreaterThan(50); // the store did write while the copy ran
    const members = await openStore(backup).members("holds:index");
    expect(members.length).toBeGreaterThanOrEqual(50);
    expect(members).toEqual(members.map((_, i) => `hold-${i}`));
  });
});

describe("SqliteStore schema and start-up errors", () => {
  test("a new file gets the current schema version, in WAL mode", () => {
    const path = newPath();
    openStore(path);
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
    raw.close();
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(1);
  });

  test("an empty SQLite file (version 0) is migrated; a current one is opened as it is", async () => {
    const path = newPath();
    new Database(path).close();
    const store = openStore(path);
    await store.set("k", "v", MINUTE);
    store.close();
    expect(await openStore(path).get("k")).toBe("v");
  });

  test("a file from a newer schema version stops start-up, saying so", () => {
    const path = newPath();
    const raw = new Database(path);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    const open = () => new SqliteStore(path);
    expect(open).toThrow(StateFileError);
    expect(open).toThrow(
      `state file ${path} has schema version ${SCHEMA_VERSION + 1}, written by a newer release of the app (this one knows up to ${SCHEMA_VERSION}): run that release or newer, or start this one with an empty DATA_DIR`,
    );
  });

  test("a file that is not a database stops start-up with the path and the fix", () => {
    const path = newPath();
    writeFileSync(path, "not a database, but long enough to look like a file header\n".repeat(20));
    expect(() => new SqliteStore(path)).toThrow(
      `state file ${path} is not a usable database (file is not a database): move it aside (restore a backup into its place if there is one) and start again`,
    );
  });

  test("a database whose pages are damaged stops start-up", async () => {
    const path = newPath();
    const store = openStore(path);
    for (let i = 0; i < 200; i++) await store.set(`k${i}`, "x".repeat(200), MINUTE);
    store.close();
    // Overwrite the second page (an index or table page) with garbage.
    const raw = new Database(path);
    const pageSize = Number(raw.pragma("page_size", { simple: true }));
    raw.close();
    const { openSync, writeSync, closeSync } = await import("node:fs");
    const fd = openSync(path, "r+");
    writeSync(fd, Buffer.alloc(pageSize, 0xab), 0, pageSize, pageSize);
    closeSync(fd);
    expect(() => new SqliteStore(path)).toThrow(
      new RegExp(
        `^state file ${path} is not a usable database \\(Tree \\d+ page \\d+: [^\\n]+\\): move it aside[^\\n]+$`,
      ),
    );
  });

  // Root may write anywhere a mode bit forbids, so as root the test uses /proc, where
  // nobody can create a file; anyone else gets a directory made read-only here.
  const asRoot = process.getuid?.() === 0;
  test(`a directory it cannot write stops start-up (${asRoot ? "/proc, as root" : "mode 0555"})`, () => {
    let where = "/proc";
    if (!asRoot) {
      where = join(dir, "read-only");
      mkdirSync(where);
      chmodSync(where, 0o555);
    }
    const path = join(where, "release-policy.db");
    try {
      expect(() => new SqliteStore(path)).toThrow(
        new RegExp(
          `^state file ${path} cannot be opened for writing \\(.+\\): make ${where} and the files in it writable by uid \\d+, or set DATA_DIR to a writable directory$`,
        ),
      );
    } finally {
      if (!asRoot) chmodSync(where, 0o755);
    }
  });

  test("a missing directory is named", () => {
    const path = join(dir, "missing", "release-policy.db");
    expect(() => new SqliteStore(path)).toThrow(
      `state file ${path}: the directory ${join(dir, "missing")} does not exist`,
    );
  });
});
