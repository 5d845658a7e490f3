// The server's state file, as an operator meets it: created in DATA_DIR and logged at
// start-up, and a file the server cannot use stops it with a line that names the file.
import { jest } from "@jest/globals";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { start, type StandIn } from "../stand-in/server.js";
import { newDataDir, startServer } from "./server-process.js";

jest.setTimeout(90_000);

const SECRET = "e2e-state-file-secret";

let gh: StandIn;
const dirs: string[] = [];

beforeAll(async () => {
  gh = await start({ app: { id: 5151 } });
});

afterAll(async () => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  await gh?.close();
});

function dataDir(): string {
  const dir = newDataDir();
  dirs.push(dir);
  return dir;
}

test("the server creates its state file in DATA_DIR and says where it is", async () => {
  const dir = join(dataDir(), "nested");
  const server = await startServer({ standIn: gh, secret: SECRET, dataDir: dir, logLevel: "info" });
  try {
    const path = join(dir, "release-policy.db");
    expect(existsSync(path)).toBe(true);
    expect(server.output()).toContain(`state is kept in ${path}`);
  } finally {
    await server.stop();
  }
  // A clean stop closed the file: SQLite folded its write-ahead log back into it.
  expect(existsSync(join(dir, "release-policy.db"))).toBe(true);
  expect(existsSync(join(dir, "release-policy.db-wal"))).toBe(false);
});

test("a state file that is not a database stops start-up, naming the file and the fix", async () => {
  const dir = dataDir();
  const path = join(dir, "release-policy.db");
  writeFileSync(path, "not a database ".repeat(100));
  const started = startServer({ standIn: gh, secret: SECRET, dataDir: dir });
  await expect(started).rejects.toThrow(/server exited with 1/);
  await expect(started).rejects.toThrow(
    `state file ${path} is not a usable database (file is not a database): move it aside`,
  );
});
