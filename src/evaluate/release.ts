// Judges a release (a tag) against the policy's release gates and tag rules, and reads where
// its deployments stand. Pure: facts and clock in, one result tree out.
import type { ReleaseFacts } from "../facts/release.js";
import type { ReleasedPull } from "../facts/release-changes.js";
import type { Gate, Policy } from "../policy/schema.js";
import { compilePattern } from "../model/regex.js";
import type { ReleaseDeployment } from "../report/release-state.js";
import { selectChangeType } from "./change-type.js";
import { combineOutcomes, conclude, type Outcome } from "../model/outcome.js";
import { evaluateChecklist } from "./gates/checklist.js";
import { evaluateReleaseChanges } from "./gates/release-changes.js";
import { evaluateReleaseNotes } from "./gates/release-notes.js";
import { evaluateSignoffs } from "./gates/signoffs.js";
import { evaluateTagRules } from "./gates/tag-rules.js";
import { pullRequestGates } from "./needs.js";
import type { Evaluation, GateResult } from "../model/result.js";

export const TAG_RULES_GATE_ID = "tag-rules";
export const RELEASE_GATE_ID = "release";
const DEFAULT_CHANGELOG = "CHANGELOG.md";

/** One included pull request, as the record lists it. */
export interface IncludedChange {
  pull: ReleasedPull;
  changeType: string | null;
  /** The change record reference found in its title or body. */
  changeRecord?: string;
}

/** Where the release's deployments stand against the promotion order. */
export type DeploymentProgress =
  /** Every last environment's latest deployment succeeded. */
  | { kind: "completed"; environments: string[]; at: string }
  /** The latest deployment to some environment failed. */
  | { kind: "failed"; failures: ReleaseDeployment[] }
  | { kind: "in_progress" }
  /** The policy names no environments: the record is closed by hand. */
  | { kind: "untracked" };

export interface ReleaseEvaluation extends Evaluation {
  tag: string;
  sha?: string;
  changes: IncludedChange[];
  progress: DeploymentProgress;
}

export function releaseGates(policy: Policy): [string, Gate][] {
  return Object.entries(policy.gates ?? {}).filter(([, g]) => g.stage === "release");
}

/** Releases get a record when the policy has release rules or release gates. */
export function governsReleases(policy: Policy): boolean {
  return policy.releases !== undefined || releaseGates(policy).length > 0;
}

export function evaluateRelease(policy: Policy, facts: ReleaseFacts, now: Date): ReleaseEvaluation {
  const gates: GateResult[] = [
    toResult(
      TAG_RULES_GATE_ID,
      "tag name, branch and signature",
      evaluateTagRules(policy.releases?.tags, facts),
    ),
    ...releaseGates(policy).map(([id, gate]) =>
      toResult(id, gate.description, combineOutcomes(requirementOutcomes(gate, policy, facts))),
    ),
  ];
  return {
    conclusion: conclude(gates),
    changeType: null,
    gates,
    problems: [],
    evaluatedAt: now.toISOString(),
    tag: facts.tag.name,
    ...(facts.tag.sha ? { sha: facts.tag.sha } : {}),
    changes: (facts.changes?.pulls ?? []).map((pull) => includedChange(policy, pull)),
    progress: deploymentProgress(policy, facts.deployments),
  };
}

function requirementOutcomes(gate: Gate, policy: Policy, facts: ReleaseFacts): Outcome[] {
  const r = gate.require;
  const outcomes: Outcome[] = [];
  if (r.release_notes !== undefined) {
    const changelog = r.release_notes === true ? undefined : r.release_notes.changelog;
    outcomes.push(evaluateReleaseNotes(facts.notes, changelog ?? DEFAULT_CHANGELOG));
  }
  if (r.checklist) outcomes.push(evaluateChecklist(r.checklist, facts));
  if (r.signoffs) outcomes.push(evaluateSignoffs(r.signoffs, facts));
  if (r.compliant_changes !== undefined) {
    outcomes.push(
      evaluateReleaseChanges(r.compliant_changes, facts.changes, selectChangeType(policy, [])),
    );
  }
  if (outcomes.length > 0) return outcomes;
  return [
    {
      status: "error",
      reason: "the gate requires nothing a release can be judged by",
      fix: "Give the gate release_notes, checklist, signoffs or compliant_changes under `require`, or remove it",
      details: [],
    },
  ];
}

function toResult(id: string, description: string | undefined, outcome: Outcome): GateResult {
  return {
    id,
    stage: "release",
    ...(description ? { description } : {}),
    status: outcome.status,
    reason: outcome.reason,
    ...(outcome.fix ? { fix: outcome.fix } : {}),
    ...(outcome.details.length > 0 ? { details: outcome.details } : {}),
  };
}

function includedChange(policy: Policy, pull: ReleasedPull): IncludedChange {
  const changeRecord = changeRecordOf(policy, pull);
  return {
    pull,
    changeType: selectChangeType(policy, pull.labels),
    ...(changeRecord ? { changeRecord } : {}),
  };
}

/** The first text a pull-request `pattern` gate matches in the title, then the body. */
export function changeRecordOf(
  policy: Policy,
  pull: Pick<ReleasedPull, "title" | "body">,
): string | undefined {
  for (const [, gate] of pullRequestGates(policy)) {
    const spec = gate.require.pattern;
    if (spec === undefined) continue;
    const source = typeof spec === "string" ? spec : spec.regex;
    let re;
    try {
      re = compilePattern(source);
    } catch {
      continue;
    }
    for (const text of [pull.title, pull.body]) {
      const m = re.matcher(text.slice(0, 65_536));
      if (m.find()) return m.group() ?? undefined;
    }
  }
  return undefined;
}

/** Environments no other environment follows: where a release ends up. */
export function lastEnvironments(policy: Policy): string[] {
  const envs = Object.entries(policy.environments ?? {});
  const followed = new Set(envs.flatMap(([, e]) => (e.after ? [e.after.toLowerCase()] : [])));
  return envs.map(([name]) => name).filter((name) => !followed.has(name.toLowerCase()));
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/**
 * Completed when the latest deployment to every last environment succeeded; failed when the
 * latest deployment to any environment failed (and the release is not completed).
 */
export function deploymentProgress(
  policy: Policy,
  deployments: readonly ReleaseDeployment[],
): DeploymentProgress {
  const last = lastEnvironments(policy);
  if (last.length === 0) return { kind: "untracked" };
  const latest = latestByEnvironment(deployments);
  const finals = last.map((env) => latest.find((d) => same(d.environment, env)));
  if (finals.every((d) => d?.state === "success")) {
    const at =
      finals
        .map((d) => d?.at ?? "")
        .sort()
        .at(-1) ?? "";
    return { kind: "completed", environments: last, at };
  }
  const failures = latest.filter((d) => d.state === "failure" || d.state === "error");
  return failures.length > 0 ? { kind: "failed", failures } : { kind: "in_progress" };
}

/** Each environment's most recently reported deployment. */
function latestByEnvironment(deployments: readonly ReleaseDeployment[]): ReleaseDeployment[] {
  const byEnv = new Map<string, ReleaseDeployment>();
  for (const d of deployments) {
    const key = d.environment.toLowerCase();
    const seen = byEnv.get(key);
    if (!seen || Date.parse(d.at) >= Date.parse(seen.at)) byEnv.set(key, d);
  }
  return [...byEnv.values()];
}

/**
 * The release's verdict as one gate of a deployment of its commit: the deployment waits
 * while the release waits, and is refused while the release fails.
 */
export function releaseGateResult(evaluation: ReleaseEvaluation, recordUrl?: string): GateResult {
  const open = evaluation.gates.filter((g) => g.status !== "pass" && g.status !== "skipped");
  const where = recordUrl ? ` on the release record ${recordUrl}` : " on the release record";
  const base = { id: RELEASE_GATE_ID, stage: "release", description: `release ${evaluation.tag}` };
  if (evaluation.conclusion === "success") {
    return {
      ...base,
      status: "pass",
      reason: `release ${evaluation.tag}: every release gate holds`,
    };
  }
  const status = open.some((g) => g.status === "error")
    ? "error"
    : open.some((g) => g.status === "fail")
      ? "fail"
      : "pending";
  return {
    ...base,
    status,
    reason: `release ${evaluation.tag}: ${open.map((g) => `${g.id} ${g.reason}`).join("; ")}`,
    fix: `Satisfy the release gates${where}`,
    details: open.map((g) => `${g.id}: ${g.status}`),
  };
}

/** A deployment evaluation with the release's gate added, and its conclusion recomputed. */
export function withGate<E extends Evaluation>(evaluation: E, gate: GateResult | null): E {
  if (gate === null) return evaluation;
  const gates = [...evaluation.gates, gate];
  return { ...evaluation, gates, conclusion: conclude(gates) };
}
