// The README's offline demo (`npm run demo`) runs as written: it builds the app, runs it as a
// real server against the local stand-ins, and checks every step of its story itself, so a
// change that breaks what developers and release managers are shown fails here.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { ROOT } from "./markdown.js";

const run = promisify(execFile);

test("npm run demo completes its story, every step as expected", async () => {
  const { stdout } = await run("npm", ["run", "demo"], {
    cwd: ROOT,
    timeout: 240_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  expect(stdout).toMatch(/Demo complete: every step as expected; \d+ API requests, all valid\./);
}, 260_000);
