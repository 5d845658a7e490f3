// How statuses rank and combine: one requirement's outcome into a gate's, every gate's into
// the evaluation's conclusion. The ranking is the fail-closed order: an error (could not
// judge) outranks a fail, which outranks waiting, which outranks passing.
import type { Conclusion, GateResult, GateStatus } from "./result.js";

/** What a requirement kind, or a whole gate, decides about an applicable gate. */
export type JudgedStatus = Exclude<GateStatus, "skipped">;

export interface Outcome {
  status: JudgedStatus;
  reason: string;
  fix?: string;
  details: string[];
}

const rank: Record<JudgedStatus, number> = { pass: 0, pending: 1, fail: 2, error: 3 };

export function worstStatus(statuses: readonly JudgedStatus[]): JudgedStatus {
  return statuses.reduce<JudgedStatus>((worst, s) => (rank[s] > rank[worst] ? s : worst), "pass");
}

/**
 * Several requirement kinds in one gate must all hold. The gate takes the worst status; its
 * reason and fix speak of the kinds that do not hold (all reasons when every kind passes),
 * and its details list every kind's details.
 */
export function combineOutcomes(outcomes: readonly Outcome[]): Outcome {
  const status = worstStatus(outcomes.map((o) => o.status));
  const open = outcomes.filter((o) => o.status !== "pass");
  const told = open.length > 0 ? open : outcomes;
  const fixes = open.flatMap((o) => (o.fix ? [o.fix] : []));
  return {
    status,
    reason: told.map((o) => o.reason).join("; "),
    ...(fixes.length > 0 ? { fix: fixes.join(". ") } : {}),
    details: outcomes.flatMap((o) => o.details),
  };
}

/** failure if any gate fails or errors, pending if any waits, else success (skipped gates count for nothing). */
export function conclude(gates: readonly GateResult[]): Conclusion {
  const statuses = gates.flatMap((g) => (g.status === "skipped" ? [] : [g.status]));
  const worst = worstStatus(statuses);
  if (worst === "fail" || worst === "error") return "failure";
  return worst === "pending" ? "pending" : "success";
}
