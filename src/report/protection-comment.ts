// Renders a deployment evaluation as the protection rule's comment (shown on the waiting job)
// and as the commit status `release-policy/<environment>`. GitHub caps the comment at 1024
// characters, so each unmet gate gets one line (what is wrong, how to fix it) cut to fit.
import { enforcedDecision, type Decision } from "../evaluate/decision.js";
import type { DeploymentEvaluation } from "../evaluate/deployment.js";
import type { GateResult, GateStatus } from "../model/result.js";
import { clipText, handleSet, unmention } from "./mentions.js";

export const MAX_COMMENT_CHARS = 1024;
/** Longest sign-off line: two of them leave most of the comment to the gates. */
const MAX_SIGN_OFF_CHARS = 240;
/** GitHub's limit on a commit status description. */
export const MAX_STATUS_DESCRIPTION = 140;

const MARK: Record<GateStatus, string> = {
  pass: "✅",
  fail: "❌",
  pending: "⏳",
  skipped: "⏭",
  error: "⚠️",
};

const HEADLINE: Record<Decision, string> = {
  approved: "Release Policy approved",
  rejected: "Release Policy rejected",
  waiting: "Release Policy is holding",
};

/** What an advisory approval says instead of the tally, when enforcing would not approve. */
const WOULD: Record<Decision, string> = {
  approved: "would be approved",
  rejected: "would be rejected",
  waiting: "would be held",
};

/** One line of text that mentions nobody but `keep` (the people a gate asks to act). */
const oneLine = (text: string, keep: readonly string[] = []): string =>
  unmention(text.replace(/\s+/g, " ").trim(), handleSet(keep));

function gateLine(gate: GateResult): string {
  const fix = gate.fix ? ` → ${oneLine(gate.fix, gate.mentions)}` : "";
  return `${MARK[gate.status]} ${oneLine(gate.id)}: ${oneLine(gate.reason, gate.mentions)}${fix}`;
}

/** Cuts to `max` characters; a cut never turns a mention into one of someone else. */
const cut = clipText;

export interface CommentOptions {
  /** Where the full record can be read (the pull request, the release record). */
  link?: string;
  /** Said instead of gate lines when there are none (no policy, no gates, an error). */
  note?: string;
}

/**
 * How many gates hold, in words that cannot be read backwards: a gate is never "open" here,
 * since an open window is one that lets a deployment through.
 */
export function tally(decision: Decision, applicable: number, unmet: number): string {
  const gates = applicable === 1 ? "gate" : "gates";
  if (decision === "rejected") return `blocked by ${unmet} of ${applicable} ${gates}`;
  const passing = `${applicable - unmet} of ${applicable} ${gates} ${applicable === 1 ? "passes" : "pass"}`;
  return decision === "waiting" ? `${passing} · waiting on ${unmet}` : passing;
}

/**
 * "Release Policy is holding production: 2 of 3 gates pass · waiting on 1." (or "…rejected
 * production: blocked by 1 of 3 gates.", "…approved production: 3 of 3 gates pass.", or in
 * advisory mode "…approved production (advisory mode; would be held): 2 of 3 gates pass ·
 * waiting on 1.") then
 * one line per unmet gate, then the link. Passing gates are summarised by count; unmet ones are never dropped
 * silently: when they do not fit, the last line says how many more there are.
 */
export function renderProtectionComment(
  evaluation: DeploymentEvaluation,
  decision: Decision,
  options: CommentOptions = {},
): string {
  const applicable = evaluation.gates.filter((g) => g.status !== "skipped");
  const unmet = applicable.filter((g) => g.status !== "pass");
  const enforced = enforcedDecision(evaluation);
  // "…approved production (advisory mode; would be rejected): blocked by 1 of 3 gates."
  const advisory = evaluation.advisory === true && enforced !== "approved";
  const mode = advisory ? ` (advisory mode; ${WOULD[enforced]})` : "";
  const counted = tally(advisory ? enforced : decision, applicable.length, unmet.length);
  const head = `${HEADLINE[decision]} ${oneLine(evaluation.environment)}${mode}: ${counted}${
    evaluation.changeType && decision !== "waiting"
      ? ` (${oneLine(evaluation.changeType)} change)`
      : ""
  }.`;
  // Who signed off, and how, is kept whole at the end: a person checking whether their
  // sign-off counted must find it, whatever else is cut.
  const signOffs = (evaluation.signOffs ?? []).map((line) =>
    cut(oneLine(line), MAX_SIGN_OFF_CHARS),
  );
  const tail = [...signOffs, ...(options.link ? [`Details: ${options.link}`] : [])].join("\n");
  const note = options.note ? [oneLine(options.note)] : [];
  return fitLines(head, [...note, ...unmet.map(gateLine)], tail);
}

/** Head, as many body lines as fit (each cut to a fair share), tail; ≤ MAX_COMMENT_CHARS. */
export function fitLines(head: string, body: string[], tail: string): string {
  const budget = MAX_COMMENT_CHARS - [...head].length - [...tail].length - 2;
  const lines: string[] = [];
  let used = 0;
  for (const [index, line] of body.entries()) {
    const left = body.length - index;
    const reserve = left > 1 ? 24 : 0; // room for "… and N more unmet gates"
    const share = Math.max(80, Math.floor((budget - used - reserve) / left));
    const text = cut(line, share);
    if (used + [...text].length + 1 > budget - reserve) {
      lines.push(`… and ${left} more unmet gate${left > 1 ? "s" : ""}`);
      break;
    }
    lines.push(text);
    used += [...text].length + 1;
  }
  const all = [head, ...lines, ...(tail ? [tail] : [])].join("\n");
  return cut(all, MAX_COMMENT_CHARS);
}

/** A comment that stands alone (no evaluation): no policy, an invalid one, an error. */
export function renderNotice(
  decision: Decision,
  environment: string,
  lines: string[],
  link?: string,
): string {
  const head = `${HEADLINE[decision]} ${oneLine(environment)}.`;
  return fitLines(
    head,
    lines.map((line) => oneLine(line)),
    link ? `Details: ${link}` : "",
  );
}

/** The commit status for the decision: state and a description within GitHub's limit. */
export function renderCommitStatus(
  decision: Decision,
  environment: string,
  gates: readonly GateResult[],
  advisory = false,
): { state: "pending" | "success" | "failure"; description: string } {
  const unmet = gates.filter((g) => g.status !== "pass" && g.status !== "skipped");
  const ids = unmet.map((g) => g.id).join(", ");
  const state =
    decision === "approved" ? "success" : decision === "rejected" ? "failure" : "pending";
  const approved =
    advisory && ids !== ""
      ? `approved for ${environment} (advisory; unmet: ${ids})`
      : `approved for ${environment}`;
  const summary =
    decision === "approved"
      ? approved
      : `${decision === "rejected" ? "rejected" : "waiting"} for ${environment}: ${ids || "see the deployment"}`;
  return { state, description: cut(summary, MAX_STATUS_DESCRIPTION) };
}
