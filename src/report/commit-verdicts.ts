// The commit's check run when it carries the verdicts of every pull request on the commit
// (model/commit-verdicts.ts): its status is the deciding pull request's, its summary lists
// each pull request with its verdict, then the gates of the one just judged.
import {
  deciding,
  verdictsBlock,
  type PullVerdict,
  type Verdict,
} from "../model/commit-verdicts.js";
import type { CheckRunOutput } from "./check-run.js";
import { GITHUB_TEXT_LIMIT, inline, table, truncateUtf8 } from "./markdown.js";

const VERDICT_LABEL: Record<Verdict, string> = {
  success: "✅ passes",
  neutral: "➖ neutral (advisory)",
  pending: "⏳ pending",
  failure: "❌ blocked",
};

/** One pull request's verdict, from the output its own evaluation renders. */
export function verdictOfOutput(output: CheckRunOutput): Verdict {
  return output.status === "completed" ? (output.conclusion ?? "failure") : "pending";
}

/**
 * The output for the commit: `own` is the output of pull request `number`, just judged;
 * `pulls` is the record with its entry in. Alone on the commit, it shows as before.
 */
export function commitOutput(
  own: CheckRunOutput,
  number: number,
  pulls: readonly PullVerdict[],
): CheckRunOutput {
  const block = `\n\n${verdictsBlock(pulls)}`;
  const room = GITHUB_TEXT_LIMIT - Buffer.byteLength(block, "utf8");
  if (pulls.length <= 1) return { ...own, summary: fitted(own.summary, room) + block };
  const decider = deciding(pulls);
  const self = pulls.find((p) => p.number === number);
  const heading = self ? `### ${pullName(self)}` : `### #${number}`;
  const table = pullsTable(pulls);
  const others = decider && decider.number !== number && decider.verdict !== verdictOfOutput(own);
  // The status and conclusion are set anew: a pending pull request's has no conclusion.
  const { title, summary, text, annotations } = own;
  return {
    ...(text === undefined ? {} : { text }),
    ...(annotations === undefined ? {} : { annotations }),
    ...(others && decider ? statusOf(decider) : statusOf({ verdict: verdictOfOutput(own) })),
    title: others && decider ? `${pullName(decider, false)}: ${decider.title}` : title,
    summary: fitted([table, heading, summary].join("\n\n"), room) + block,
  };
}

/**
 * The output after a pull request left the record (closed, or pushed to another commit),
 * without judging anyone again: the deciding entry's status, and the table.
 */
export function recordOutput(pulls: readonly PullVerdict[]): CheckRunOutput | undefined {
  const decider = deciding(pulls);
  if (!decider) return undefined;
  const block = `\n\n${verdictsBlock(pulls)}`;
  const room = GITHUB_TEXT_LIMIT - Buffer.byteLength(block, "utf8");
  const note =
    "Each pull request's gates are listed here again when it is next evaluated (or use Re-evaluate).";
  return {
    ...statusOf(decider),
    title: pulls.length > 1 ? `${pullName(decider, false)}: ${decider.title}` : decider.title,
    summary: fitted([pullsTable(pulls), note].join("\n\n"), room) + block,
  };
}

function statusOf(
  pull: Pick<PullVerdict, "verdict">,
): Pick<CheckRunOutput, "status" | "conclusion"> {
  return pull.verdict === "pending"
    ? { status: "in_progress" }
    : { status: "completed", conclusion: pull.verdict };
}

function pullName(pull: PullVerdict, markdown = true): string {
  return markdown
    ? `#${pull.number} into ${inline(pull.base)}`
    : `#${pull.number} into ${pull.base}`;
}

const PULLS_INTRO =
  "**Pull requests on this commit.** Each is judged under its own base branch; this check passes only when every open one passes.";

function pullsTable(pulls: readonly PullVerdict[]): string {
  const rows = pulls.map((p) => [
    `#${p.number}`,
    inline(p.base),
    p.merged ? `${VERDICT_LABEL[p.verdict]} (merged)` : VERDICT_LABEL[p.verdict],
    inline(p.title),
  ]);
  return [PULLS_INTRO, table(["Pull request", "Into", "Verdict", "Result"], rows)].join("\n\n");
}

function fitted(summary: string, room: number): string {
  return truncateUtf8(summary, room, "\n\n_Truncated: this output is longer than GitHub allows._");
}
