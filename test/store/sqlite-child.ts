// A separate process over a SqliteStore file, for the tests in sqlite.test.ts: it opens the
// file, says "open", and on each line of stdin runs one command and answers with one line.
// Commands are JSON: ["claim", key, ttlMs], ["set", key, value, ttlMs],
// ["add", key, member, ttlMs], ["claims", prefix, count, ttlMs] (claims count keys at once
// and answers the keys it won).
import { createInterface } from "node:readline";
import { SqliteStore } from "../../src/store/sqlite.js";

type Command =
  | ["claim", string, number]
  | ["set", string, string, number]
  | ["add", string, string, number]
  | ["claims", string, number, number];

const path = process.argv[2];
if (!path) throw new Error("usage: sqlite-child.ts <file>");
const store = new SqliteStore(path);
process.stdout.write("open\n");

async function run(command: Command): Promise<unknown> {
  switch (command[0]) {
    case "claim":
      return store.claim(command[1], command[2]);
    case "set":
      return store.set(command[1], command[2], command[3]);
    case "add":
      return store.addToSet(command[1], command[2], command[3]);
    case "claims": {
      const [, prefix, count, ttlMs] = command;
      const won: string[] = [];
      for (let i = 0; i < count; i++) {
        if (await store.claim(`${prefix}${i}`, ttlMs)) won.push(`${prefix}${i}`);
      }
      return won;
    }
  }
}

for await (const line of createInterface({ input: process.stdin })) {
  const result = await run(JSON.parse(line) as Command);
  process.stdout.write(`${JSON.stringify(result ?? null)}\n`);
}
