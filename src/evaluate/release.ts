// Judges a release (a tag) against the policy's release gates and tag rules, and reads where
// its deployments stand. Pure: facts and clock in, one result tree out.
import type { ReleaseFacts } from "../facts/release.js";
import type { ReleasedPull } from "../facts/release-changes.js";
import { compilePattern } from "../model/regex.js";
import { conclude } from "../model/outcome.js";
import type { Evaluation, GateResult } from "../model/result.js";
import type { Gate, Policy } from "../policy/schema.js";
import type { ReleaseDeployment } from "../facts/release-state.js";
import { evaluateTagRules } from "../requirements/tag-rules.js";
import { selectChangeType } from "./change-type.js";
import { headOf, judgeGate, toResult } from "./gate.js";
import { gatesOf } from "./stages.js";
import { sameName } from "../model/names.js";

export const TAG_RULES_GATE_ID = "tag-rules";
export const RELEASE_GATE_ID = "release";

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
  return gatesOf(policy, "release");
}

/** Releases get a record when the policy has release rules or release gates. */
export function governsReleases(policy: Policy): boolean {
  return policy.releases !== undefined || releaseGates(policy).length > 0;
}

export function evaluateRelease(policy: Policy, facts: ReleaseFacts, now: Date): ReleaseEvaluation {
  const ctx = { now, defaults: policy.defaults, directChangeType: selectChangeType(policy, []) };
  const tagRules = headOf(TAG_RULES_GATE_ID, "release", "tag name, branch and signature");
  const gates: GateResult[] = [
    toResult(tagRules, evaluateTagRules(policy.releases?.tags, facts)),
    ...releaseGates(policy).map(
      ([id, gate]) => judgeGate(id, gate, { stage: "release", facts }, null, ctx).result,
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
  for (const [, gate] of gatesOf(policy, "pull_request")) {
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
  const finals = last.map((env) => latest.find((d) => sameName(d.environment, env)));
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
  const base = {
    id: RELEASE_GATE_ID,
    stage: "release",
    description: `release ${evaluation.tag}`,
    children: evaluation.gates,
  };
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

/**
 * Whether the record should be open or closed, and why. Without environments to follow, the
 * app never decides: a record someone closed by hand stays closed.
 */
export function recordState(
  evaluation: ReleaseEvaluation,
  facts: ReleaseFacts,
  current: "open" | "closed" = "open",
): { state: "open" | "closed"; reason?: "completed" | "not_planned" } {
  if (facts.deleted) return { state: "closed", reason: "not_planned" };
  if (evaluation.progress.kind === "completed") return { state: "closed", reason: "completed" };
  if (evaluation.progress.kind === "untracked") return { state: current };
  return { state: "open" };
}
