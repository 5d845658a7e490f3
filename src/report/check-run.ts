// Renders an Evaluation as the `release-policy` check run: the status developers and
// branch protection see. The summary is one table of gates; per-gate details go to `text`.
import type { Evaluation, GateResult, GateStatus, PolicyProblem } from "../model/result.js";
import { POLICY_PATH } from "../policy/types.js";
import {
  GITHUB_TEXT_LIMIT,
  inline,
  inlineMentioning,
  link,
  table,
  truncateUtf8,
  utcMinute,
} from "./markdown.js";

export interface CheckRunAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  /** Only when start_line === end_line (GitHub refuses columns across lines). */
  start_column?: number;
  end_column?: number;
  annotation_level: "notice" | "warning" | "failure";
  message: string;
  title?: string;
}

export interface CheckRunOutput {
  status: "completed" | "in_progress";
  conclusion?: "success" | "failure" | "neutral";
  title: string;
  summary: string;
  text?: string;
  annotations?: CheckRunAnnotation[];
}

export interface CheckRunAction {
  label: string;
  description: string;
  identifier: string;
}

export interface CheckRunOptions {
  /** Where the full result can be read; linked from the note when output is truncated. */
  detailsUrl?: string;
  /** Which policy file the evaluation used, e.g. "owner/repo:.github/release-policy.yml". */
  policyLocation?: string;
}

/** GitHub accepts at most 50 annotations per request. */
export const MAX_ANNOTATIONS = 50;
const MAX_ANNOTATION_TITLE = 255;

export const STATUS_LABEL: Record<GateStatus, string> = {
  pass: "✅ pass",
  fail: "❌ fail",
  pending: "⏳ pending",
  skipped: "⏭️ skipped",
  error: "⚠️ error",
};

// What needs someone's action comes first; the order within a status is the policy's.
const STATUS_ORDER: Record<GateStatus, number> = {
  fail: 0,
  error: 1,
  pending: 2,
  pass: 3,
  skipped: 4,
};

/** The check run for one evaluation. */
export function renderCheckRun(evaluation: Evaluation, opts: CheckRunOptions = {}): CheckRunOutput {
  if (evaluation.problems.length > 0) return renderInvalidPolicy(evaluation.problems, opts);
  const conclusion = effectiveConclusion(evaluation);
  const text = renderDetails(evaluation.gates);
  // Advisory: every unmet gate is still listed, but nothing is held back, not even a merge
  // waiting on a pending gate; the run is updated to success once the gates pass.
  const advisory = evaluation.advisory === true && conclusion !== "success";
  return {
    ...(advisory ? { status: "completed", conclusion: "neutral" } : statusFields(conclusion)),
    title: advisory
      ? advisoryTitle(conclusion, evaluation.gates)
      : renderTitle(conclusion, evaluation.gates),
    summary: fit(renderSummary(evaluation, opts, advisory), opts),
    ...(text === undefined ? {} : { text: fit(text, opts) }),
  };
}

/** The one button the check run offers. */
export function checkRunActions(): CheckRunAction[] {
  return [
    {
      label: "Re-evaluate",
      description: "Evaluate the release policy again",
      identifier: "reevaluate",
    },
  ];
}

/**
 * Annotations on the policy file, one per problem, first 50. Every problem must belong to
 * the file at `path` (repository-relative): the caller picks the problems of the file
 * the check run's commit holds, since a base policy in another repository cannot be
 * annotated here.
 */
export function renderAnnotations(problems: PolicyProblem[], path: string): CheckRunAnnotation[] {
  return problems.slice(0, MAX_ANNOTATIONS).map((problem) => {
    const line = Math.max(1, Math.trunc(problem.line));
    const column = Math.trunc(problem.column);
    return {
      path,
      start_line: line,
      end_line: line,
      ...(column >= 1 ? { start_column: column, end_column: column } : {}),
      annotation_level: "failure",
      message: problem.message,
      title: (problem.path === "" ? "Release policy" : problem.path).slice(0, MAX_ANNOTATION_TITLE),
    };
  });
}

/**
 * The conclusion to show. It is the evaluation's, made stricter if a gate disagrees: the
 * check must never turn green over a failing, broken or waiting gate.
 */
export function effectiveConclusion(evaluation: Evaluation): Evaluation["conclusion"] {
  const statuses = new Set(evaluation.gates.map((g) => g.status));
  if (evaluation.conclusion === "failure" || statuses.has("fail") || statuses.has("error")) {
    return "failure";
  }
  if (evaluation.conclusion === "pending" || statuses.has("pending")) return "pending";
  return "success";
}

function statusFields(
  conclusion: Evaluation["conclusion"],
): Pick<CheckRunOutput, "status" | "conclusion"> {
  return conclusion === "pending" ? { status: "in_progress" } : { status: "completed", conclusion };
}

function count(gates: readonly GateResult[], status: GateStatus): number {
  return gates.filter((g) => g.status === status).length;
}

function gates(n: number): string {
  return n === 1 ? "1 gate" : `${n} gates`;
}

/** "1 gate fails · 2 gates could not be evaluated" (empty when none does either). */
function failureParts(applicable: readonly GateResult[]): string {
  const failing = count(applicable, "fail");
  const broken = count(applicable, "error");
  return [
    ...(failing > 0 ? [`${gates(failing)} ${failing === 1 ? "fails" : "fail"}`] : []),
    ...(broken > 0 ? [`${gates(broken)} could not be evaluated`] : []),
  ].join(" · ");
}

export function renderTitle(
  conclusion: Evaluation["conclusion"],
  all: readonly GateResult[],
): string {
  const applicable = all.filter((g) => g.status !== "skipped");
  const passing = count(applicable, "pass");
  if (conclusion === "failure") {
    const parts = failureParts(applicable);
    return parts === "" ? "Blocked" : `Blocked: ${parts}`;
  }
  if (conclusion === "pending") {
    const verb = applicable.length === 1 ? "passes" : "pass";
    const waiting = count(applicable, "pending");
    return `${passing} of ${gates(applicable.length)} ${verb} · waiting on ${waiting}`;
  }
  if (applicable.length === 0) return "No gates apply to this change";
  return applicable.length === 1 ? "1 gate passes" : `All ${applicable.length} gates pass`;
}

/** The title of a check that would not pass if the policy were enforced. */
export function advisoryTitle(
  conclusion: Evaluation["conclusion"],
  all: readonly GateResult[],
): string {
  const applicable = all.filter((g) => g.status !== "skipped");
  if (conclusion === "failure") {
    const parts = failureParts(applicable);
    return `Advisory, not blocking: would block${parts === "" ? "" : ` (${parts})`}`;
  }
  return `Advisory, not blocking: ${renderTitle(conclusion, all)}`;
}

const ADVISORY_NOTE =
  "**Advisory mode:** the policy's `mode` is `advisory`, so this check is neutral and blocks nothing. Under `mode: enforce` the gates below that are not passing would block the merge.";

function renderSummary(evaluation: Evaluation, opts: CheckRunOptions, advisory: boolean): string {
  const changeType =
    evaluation.changeType === null
      ? "**Change type:** none (the policy defines no change types)"
      : `**Change type:** ${inline(evaluation.changeType)}`;
  const body =
    evaluation.gates.length === 0 ? "No gates to evaluate." : renderGateTable(evaluation.gates);
  return [
    ...(advisory ? [ADVISORY_NOTE] : []),
    changeType,
    body,
    renderFooter(evaluation.evaluatedAt, opts),
  ].join("\n\n");
}

/** Gates that need someone's action first; a stable sort keeps the policy's order within. */
export function byUrgency(all: readonly GateResult[]): GateResult[] {
  return [...all].sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status]);
}

function renderGateTable(all: readonly GateResult[]): string {
  const rows = byUrgency(all).map((gate) => [
    gateCell(gate),
    STATUS_LABEL[gate.status],
    inlineMentioning(gate.reason, gate.mentions),
    needsAction(gate.status) && gate.fix !== undefined
      ? inlineMentioning(gate.fix, gate.mentions)
      : "—",
  ]);
  return table(["Gate", "Status", "Why", "How to satisfy"], rows);
}

function gateCell(gate: GateResult): string {
  const id = `**${inline(gate.id)}**`;
  return gate.description === undefined || gate.description === ""
    ? id
    : `${id}<br>${inline(gate.description)}`;
}

export function needsAction(status: GateStatus): boolean {
  return status === "fail" || status === "pending" || status === "error";
}

function renderFooter(evaluatedAt: string, opts: CheckRunOptions): string {
  const policy = opts.policyLocation === undefined ? "" : ` under ${inline(opts.policyLocation)}`;
  return `<sub>Evaluated ${utcMinute(evaluatedAt)}${policy}.</sub>`;
}

/** Per-gate supporting lines (who approved, which checks, who ticked what), if any. */
function renderDetails(all: readonly GateResult[]): string | undefined {
  const sections = all
    .filter((gate) => gate.details !== undefined && gate.details.length > 0)
    .map((gate) =>
      [
        `### ${inline(gate.id)} · ${STATUS_LABEL[gate.status]}`,
        "",
        ...(gate.details ?? []).map((line) => `- ${inlineMentioning(line, gate.mentions)}`),
      ].join("\n"),
    );
  return sections.length === 0 ? undefined : sections.join("\n\n");
}

function renderInvalidPolicy(
  problems: readonly PolicyProblem[],
  opts: CheckRunOptions,
): CheckRunOutput {
  const lines = problems.map(
    (p) =>
      `- ${inline(`${p.file}:${p.line}:${p.column}`)} · ${
        p.path === "" ? "(top level)" : inline(p.path)
      } · ${inline(p.message)}`,
  );
  const summary = [
    "The release policy could not be used, so no gate was evaluated and this check fails.",
    `**Fix ${POLICY_PATH} on the default branch.** The policy is always read from there, so a pull request cannot change the rules it is judged by.`,
    lines.join("\n"),
  ].join("\n\n");
  return {
    status: "completed",
    conclusion: "failure",
    title: "Policy is invalid",
    summary: fit(summary, opts),
  };
}

/** Keeps a summary or text within GitHub's byte limit, saying so when it had to cut. */
function fit(markdown: string, opts: CheckRunOptions): string {
  const where =
    opts.detailsUrl === undefined ? "" : ` The full result: ${link("details", opts.detailsUrl)}.`;
  const note = `\n\n_Truncated: this output is longer than GitHub allows (${GITHUB_TEXT_LIMIT.toLocaleString("en-US")} bytes).${where}_`;
  return truncateUtf8(markdown, GITHUB_TEXT_LIMIT, note);
}
