// What the pipelines report about each decision they make, for the service's metrics. The
// pipelines depend on this narrow interface only; the server entry passes one backed by
// Prometheus, everything else (tests, the CLI) the no-op.

export type DecisionStage = "pull_request" | "deployment";

/** One gate's status within a decision. */
export interface GateOutcome {
  id: string;
  status: string;
}

export interface DecisionMetrics {
  /** One decision: its outcome (a conclusion or a deployment answer) and each gate's status. */
  decided(stage: DecisionStage, outcome: string, gates: readonly GateOutcome[]): void;
}

export const NO_DECISION_METRICS: DecisionMetrics = { decided: () => undefined };
