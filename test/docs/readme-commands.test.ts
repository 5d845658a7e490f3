// Every command the README shows in a ```sh block runs, as written, in a fresh copy of the
// repository after `npm ci`: the files git knows (no dist/, nothing built), with this
// checkout's node_modules. A line may end in `# exits N` when N is the documented outcome;
// otherwise it must exit 0.
//
// Not run: a line starting with `npm ci` (`npm ci && npm start`, `npm ci && npm test`):
// `npm ci` has already run here and would replace the node_modules others are using,
// `npm start` runs a server until stopped, and `npm test` is the suite this test is part
// of. `npm run demo` is shown inline, not as a command block: test/docs/demo.test.ts runs it,
// and tools/demo.ts checks each step of its story itself.
import { execFile, execFileSync } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { codeBlocks, ROOT } from "./markdown.js";

const NOT_RUN = /^npm ci\b/;

interface Command {
  line: number;
  command: string;
  exits: number;
}

function readmeCommands(): Command[] {
  return codeBlocks("README.md")
    .filter((block) => block.lang === "sh")
    .flatMap((block) =>
      block.text.split("\n").flatMap((text, index) => {
        const command = text.trim();
        if (command === "" || command.startsWith("#") || NOT_RUN.test(command)) return [];
        const exits = /#\s*exits (\d+)\s*$/.exec(command)?.[1];
        return [
          { line: block.line + index, command, exits: exits === undefined ? 0 : Number(exits) },
        ];
      }),
    );
}

const commands = readmeCommands();
let clone: string;

/** The repository as a fresh clone has it: tracked and new, not ignored, files only. */
async function freshCopy(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "release-policy-readme-"));
  const files = execFileSync(
    "git",
    ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    {
      cwd: ROOT,
      encoding: "utf8",
    },
  )
    .split("\0")
    .filter((file) => file !== "");
  for (const file of files) {
    const from = join(ROOT, file);
    const exists = await stat(from).then(
      (s) => s.isFile(),
      () => false,
    );
    if (!exists) continue; // deleted in the working tree, not yet committed
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await copyFile(from, join(dir, file));
  }
  await symlink(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

function sh(
  command: string,
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("sh", ["-c", command], { cwd, timeout: 180_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  clone = await freshCopy();
}, 60_000);

afterAll(async () => {
  if (clone) await rm(clone, { recursive: true, force: true });
});

describe("the README's commands", () => {
  it("are found, and include the command line's", () => {
    expect(commands.map((c) => c.command)).toEqual(
      expect.arrayContaining([
        "npm run build",
        "npm run -s release-policy -- --version",
        expect.stringMatching(/^npm run -s release-policy -- validate /),
        expect.stringMatching(/^npm run -s release-policy -- explain /),
      ]),
    );
  });

  it("run as written, in order, in a fresh copy", async () => {
    const { version } = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as {
      version: string;
    };
    for (const { line, command, exits } of commands) {
      const result = await sh(command, clone);
      const seen = `README.md:${line}: ${command}\nexit ${result.code}\n${result.stdout}${result.stderr}`;
      expect({ seen, code: result.code }).toEqual({ seen, code: exits });
      if (command.endsWith("--version")) expect(result.stdout).toBe(`release-policy ${version}\n`);
      if (/ validate /.test(command))
        expect(result.stdout).toMatch(/^OK .*\.github\/release-policy\.yml: \d+ gates$/m);
    }
  }, 240_000);
});
