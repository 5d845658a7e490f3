// The result tree. One Evaluation renders every output: the check run, the checklist
// comment, the protection-rule answer and the CLI.

export type GateStatus =
  /** The gate holds. */
  | "pass"
  /** The gate does not hold and someone must change the change (author or policy). */
  | "fail"
  /** The gate waits on people or time (a review, a tick, a running check, a window). */
  | "pending"
  /** The gate does not apply to this change (its when/unless said so). */
  | "skipped"
  /** The gate could not be judged (a missing fact, an API failure): never a pass. */
  | "error";

export interface GateResult {
  id: string;
  stage: string;
  description?: string;
  status: GateStatus;
  /** Why, in one sentence a developer understands. */
  reason: string;
  /** How to satisfy it, when it does not hold. */
  fix?: string;
  /** Supporting lines: who approved, which checks, who ticked what. */
  details?: string[];
  /**
   * Whom its texts name on purpose, as handles ("alice", "org/team"): the people the policy
   * asks to act. Reports keep these mentions live; any other mention in its texts (a title,
   * a freeze reason, a change record quoted) is shown without notifying anyone.
   */
  mentions?: string[];
  /**
   * The rows this one stands for: a release's gates, under the release gate of a deployment
   * of its tagged commit.
   */
  children?: GateResult[];
}

export type Conclusion = "success" | "failure" | "pending";

export interface PolicyProblem {
  file: string;
  line: number;
  column: number;
  /** Key path, e.g. "gates.cab.require.approvals.count". */
  path: string;
  message: string;
}

export interface Evaluation {
  conclusion: Conclusion;
  /** Change type chosen by labels; null when the policy defines none. */
  changeType: string | null;
  gates: GateResult[];
  /** Policy errors, when the policy itself could not be used (the conclusion is failure). */
  problems: PolicyProblem[];
  /** ISO 8601 time the evaluation was made for. */
  evaluatedAt: string;
  /**
   * The policy's mode is advisory: `conclusion` is still what enforcing would conclude, and
   * each output reports it without blocking (a neutral check, an approval that says what
   * would have blocked).
   */
  advisory?: true;
}
