/**
 * Turns what GitHub shows (a check run, the checklist comment, a protection-rule answer)
 * into short terminal lines: the words people read, without markdown or hidden markers.
 */
import type { CheckRunRecord, ProtectionAnswer } from "../../test/stand-in/records.js";

const useColour = process.stdout.isTTY === true && !process.env.NO_COLOR;
const paint = (code: number) => (text: string) =>
  useColour ? `\u001b[${code}m${text}\u001b[0m` : text;
export const bold = paint(1);
export const dim = paint(2);
export const red = paint(31);
export const green = paint(32);
export const yellow = paint(33);

/** Markdown → plain text: no emphasis, links, code ticks or HTML comments. */
export function plain(markdown: string): string {
  return markdown
    .replace(/<!--.*?-->/g, "")
    .replace(/<\/?sub>/g, "")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\*\*|`/g, "")
    .replace(/\\([\\`*_[\]{}()#+\-.!|])/g, "$1")
    .trim();
}

function conclusionWord(run: CheckRunRecord): string {
  if (run.status !== "completed") return yellow(run.status.replace("_", " "));
  const word = run.conclusion ?? "none";
  return word === "success" ? green(word) : word === "failure" ? red(word) : yellow(word);
}

/** The check run as a developer scans it: status, title, then one line per gate. */
export function checkRunLines(run: CheckRunRecord): string[] {
  const rows = (run.output.summary ?? "")
    .split("\n")
    .filter((line) => line.startsWith("|") && !/^\|\s*(Gate|---)/.test(line))
    .map((line) =>
      line
        .split("|")
        .slice(1, -1)
        .map((cell) => plain(cell)),
    );
  // A gate cell may carry the gate's description after a line break: the name is enough.
  const gateName = (cell: string) => cell.split(/<br\s*\/?>/)[0]?.trim() ?? cell;
  const width = Math.max(0, ...rows.map((cells) => gateName(cells[0] ?? "").length));
  return [
    `check run ${bold("release-policy")}: ${conclusionWord(run)} — ${run.output.title ?? ""}`,
    ...rows.flatMap(([gate = "", status = "", why = "", how = ""]) => [
      `  ${gateName(gate).padEnd(width)}  ${status.padEnd(10)}  ${why}`,
      ...(how === "—" || how === ""
        ? []
        : [dim(`  ${"".padEnd(width)}  ${"".padEnd(10)}  → ${how}`)]),
    ]),
  ];
}

/** The checklist comment's boxes and notes, as the pull request page shows them. */
export function checklistLines(body: string): string[] {
  const lines = body.split("\n");
  const boxes = lines.filter((line) => /^\s*- \[[ xX]\]/.test(line)).map((line) => plain(line));
  const notesAt = lines.findIndex((line) => line.trim() === "**Notes**");
  const notes =
    notesAt < 0
      ? []
      : lines
          .slice(notesAt + 1)
          .filter((line) => line.startsWith("- "))
          .map((line) => `  note: ${plain(line.slice(2))}`);
  return ["checklist comment:", ...boxes.map((box) => `  ${box}`), ...notes];
}

/** One answer the app gave a waiting deployment job. */
export function answerLines(answer: ProtectionAnswer): string[] {
  const state =
    answer.state === "approved"
      ? green("approved")
      : answer.state === "rejected"
        ? red("rejected")
        : yellow("status comment (job keeps waiting)");
  const comment = plain(answer.comment ?? "")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => `  ${line}`);
  return [`protection rule for ${bold(answer.environmentName)}: ${state}`, ...comment];
}
