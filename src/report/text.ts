// The result tree as plain text for a terminal: what `release-policy explain` prints. The
// same ordering, title and conclusion as the check run, so both tell one story.
import type { Evaluation, GateResult, GateStatus } from "../model/result.js";
import { byUrgency, effectiveConclusion, needsAction, renderTitle } from "./check-run.js";

const MARK: Record<GateStatus, string> = {
  pass: "PASS",
  fail: "FAIL",
  pending: "WAIT",
  skipped: "SKIP",
  error: "ERROR",
};

const CONCLUSION: Record<Evaluation["conclusion"], string> = {
  success: "success: the change may merge",
  failure: "failure: the change is blocked",
  pending: "pending: waiting on people or checks",
};

export function renderText(evaluation: Evaluation): string {
  if (evaluation.problems.length > 0) {
    return [
      "Policy is invalid: no gate was evaluated.",
      ...evaluation.problems.map(
        (p) => `  ${p.file}:${p.line}:${p.column}: ${p.path}: ${p.message}`,
      ),
      "",
    ].join("\n");
  }
  const conclusion = effectiveConclusion(evaluation);
  const lines = [
    `${renderTitle(conclusion, evaluation.gates)} (${CONCLUSION[conclusion]})`,
    ...(evaluation.advisory && conclusion !== "success"
      ? ["Mode: advisory: the check is neutral and blocks nothing"]
      : []),
    `Change type: ${evaluation.changeType ?? "none (the policy defines no change types)"}`,
    `Evaluated for: ${evaluation.evaluatedAt}`,
    "",
    ...byUrgency(evaluation.gates).flatMap(renderGate),
  ];
  return `${lines.join("\n")}\n`;
}

/** One gate as rows: its mark and title, why, how to fix it, and its details. */
export function renderGate(gate: GateResult): string[] {
  const title = gate.description ? `${gate.id} (${gate.description})` : gate.id;
  return [
    `${MARK[gate.status].padEnd(5)} ${title}`,
    `      why: ${gate.reason}`,
    ...(needsAction(gate.status) && gate.fix !== undefined ? [`      fix: ${gate.fix}`] : []),
    ...(gate.details ?? []).map((line) => `      - ${line}`),
  ];
}
