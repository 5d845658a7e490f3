// Reading a user-named file for a command: bounded in size before it is read, with the
// reason in words when it cannot be read.
import { open } from "node:fs/promises";
import { resolve } from "node:path";

export type FileRead = { text: string } | { oversize: number } | { error: string };

const REASONS: Record<string, string> = {
  ENOENT: "no such file",
  EACCES: "permission denied",
  EISDIR: "it is a directory",
};

/** Reads `path` (relative to cwd) as UTF-8, refusing a file over maxBytes before reading it. */
export async function readBoundedFile(
  path: string,
  cwd: string,
  maxBytes: number,
): Promise<FileRead> {
  try {
    const handle = await open(resolve(cwd, path), "r");
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) return { error: "it is not a regular file" };
      if (stat.size > maxBytes) return { oversize: stat.size };
      return { text: await handle.readFile("utf8") };
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    return { error: REASONS[code] ?? (error instanceof Error ? error.message : String(error)) };
  }
}
