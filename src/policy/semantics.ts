// Checks the schema cannot express: names that must refer to something, values that must be
// usable (regexes, globs, logins), and settings that would silently never hold or never
// apply. Each problem points at the key that is wrong.
import type { PolicyProblem } from "../model/result.js";
import type { PathSegment, PolicyLocator } from "./problems.js";
import { parseDuration } from "../model/time/duration.js";
import { globError } from "../model/glob.js";
import { patternError } from "../model/regex.js";
import { durationPattern } from "./schema.js";
import type { Condition, Gate, Policy } from "./schema.js";
import type { SemanticContext, Stage } from "../requirements/kind.js";
import {
  describeKindsByStage,
  givenKinds,
  STAGE_KINDS,
  type Requirement,
} from "../requirements/registry.js";
import { POLICY_PATH } from "./types.js";

export interface SemanticOptions {
  /**
   * The file extends a base policy that is not at hand, so change types and environments it
   * names may be defined there: unknown names are not reported.
   */
  partial?: boolean;
}

/** GitHub holds a deployment for a protection rule at most 30 days: a longer soak never ends. */
export const MAX_SOAK_MS = 30 * 24 * 3600 * 1000;

export function checkSemantics(
  policy: Policy,
  at: PolicyLocator,
  options: SemanticOptions = {},
): PolicyProblem[] {
  const ctx: Context = { policy, at, partial: options.partial ?? false, problems: [] };
  checkExtends(ctx);
  checkChangeTypes(ctx);
  checkEnvironments(ctx);
  checkReviewEnvironments(ctx);
  for (const [id, gate] of Object.entries(policy.gates ?? {})) checkGate(ctx, id, gate);
  checkReleases(ctx);
  return ctx.problems;
}

interface Context {
  policy: Policy;
  at: PolicyLocator;
  partial: boolean;
  problems: PolicyProblem[];
}

function report(ctx: Context, path: PathSegment[], message: string, target?: "key"): void {
  ctx.problems.push(ctx.at.problem(path, message, target));
}

/** "line 7", or "owner/repo:path line 7" when the other key is in another file. */
function where(ctx: Context, other: PathSegment[], from: PathSegment[]): string {
  const { line } = ctx.at.position(other, "key");
  const file = ctx.at.fileOf(other);
  return file === ctx.at.fileOf(from) ? `line ${line}` : `${file} line ${line}`;
}

const quoted = (names: readonly string[]): string => names.map((n) => `"${n}"`).join(", ");

// ---------------------------------------------------------------------------------------
// _extends

export interface ExtendsTarget {
  owner: string;
  repo: string;
  path: string;
}

const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * Reads `_extends`: "repo" (same owner), "owner/repo", either optionally followed by
 * ":path" (default .github/release-policy.yml). Returns the reason when it cannot be read.
 */
export function parseExtends(value: string, owner: string): ExtendsTarget | string {
  const colon = value.indexOf(":");
  const repoPart = colon < 0 ? value : value.slice(0, colon);
  const path = colon < 0 ? POLICY_PATH : value.slice(colon + 1);
  const parts = repoPart.split("/");
  const [first, second] = parts;
  const target =
    parts.length === 1 ? { owner, repo: first ?? "" } : { owner: first ?? "", repo: second ?? "" };
  if (parts.length > 2 || !OWNER.test(target.owner) || !REPO.test(target.repo)) {
    return `expected "repo", "owner/repo" or either with ":path", got ${JSON.stringify(value)}`;
  }
  const segments = path.split("/");
  if (path === "" || path.startsWith("/") || segments.some((s) => s === ".." || s === "")) {
    return `expected a path inside the repository after ":", got ${JSON.stringify(path)}`;
  }
  return { ...target, path };
}

function checkExtends(ctx: Context): void {
  const value = ctx.policy._extends;
  if (value === undefined) return;
  // The owner is unknown here; any valid login stands in to check the form.
  const target = parseExtends(value, "owner");
  if (typeof target === "string") report(ctx, ["_extends"], target);
}

// ---------------------------------------------------------------------------------------
// change_types

function checkChangeTypes(ctx: Context): void {
  const types = Object.entries(ctx.policy.change_types ?? {});
  const defaults = types.filter(([, t]) => t.default === true).map(([name]) => name);
  const [firstDefault, ...extraDefaults] = defaults;
  for (const name of extraDefaults) {
    const path = ["change_types", name, "default"];
    const first = ["change_types", firstDefault ?? "", "default"];
    report(
      ctx,
      path,
      `only one change type may be the default, and "${firstDefault}" already is (${where(ctx, first, path)})`,
    );
  }
  const owners = new Map<string, { type: string; path: PathSegment[] }>();
  for (const [name, type] of types) {
    if (!type.default && (type.labels ?? []).length === 0) {
      report(
        ctx,
        ["change_types", name],
        `change type "${name}" can never be chosen: give it labels, or make it the default`,
        "key",
      );
    }
    (type.labels ?? []).forEach((label, index) => {
      const path = ["change_types", name, "labels", index];
      const owner = owners.get(label.toLowerCase());
      if (!owner) owners.set(label.toLowerCase(), { type: name, path });
      else if (owner.type !== name) {
        report(
          ctx,
          path,
          `label "${label}" already selects change type "${owner.type}" (${where(ctx, owner.path, path)}); a label selects at most one change type`,
        );
      }
    });
  }
}

/** A post-implementation review opens on a deployment to a defined environment. */
function checkReviewEnvironments(ctx: Context): void {
  if (ctx.partial) return;
  const defined = Object.keys(ctx.policy.environments ?? {});
  for (const [name, type] of Object.entries(ctx.policy.change_types ?? {})) {
    const review = type.post_implementation_review;
    if (review === undefined) continue;
    const path = ["change_types", name, "post_implementation_review"];
    const environment = review === true ? undefined : review.environment;
    if (environment === undefined) {
      if (defined.length === 0) {
        report(
          ctx,
          path,
          "a post-implementation review needs an environment: add environments, or name one here",
        );
      }
    } else if (!defined.some((d) => d.toLowerCase() === environment.toLowerCase())) {
      const known =
        defined.length > 0
          ? `defined: ${quoted(defined)}`
          : "the policy defines none: add it under environments";
      report(ctx, [...path, "environment"], `unknown environment "${environment}"; ${known}`);
    }
  }
}

// ---------------------------------------------------------------------------------------
// environments

function checkEnvironments(ctx: Context): void {
  const environments = ctx.policy.environments ?? {};
  const names = Object.keys(environments);
  const byLowerName = new Map<string, string>();
  for (const [name, env] of Object.entries(environments)) {
    const twin = byLowerName.get(name.toLowerCase());
    if (twin !== undefined) {
      report(
        ctx,
        ["environments", name],
        `environment "${name}" is the same GitHub environment as "${twin}" (names ignore case)`,
        "key",
      );
    }
    byLowerName.set(name.toLowerCase(), name);
    checkAfter(ctx, name, env.after, names);
    checkSoak(ctx, name, env.soak, env.after);
  }
  reportCycles(ctx);
}

function checkAfter(ctx: Context, name: string, after: string | undefined, names: string[]): void {
  if (after === undefined) return;
  const path = ["environments", name, "after"];
  if (after === name) report(ctx, path, `environment "${name}" cannot come after itself`);
  else if (!names.includes(after) && !ctx.partial) {
    report(ctx, path, `unknown environment "${after}"; defined: ${quoted(names)}`);
  }
}

function checkSoak(ctx: Context, name: string, soak: string | undefined, after?: string): void {
  if (soak === undefined) return;
  const path = ["environments", name, "soak"];
  if (after === undefined) {
    report(ctx, path, `soak needs "after": it is the time spent in the previous environment`);
  }
  // The schema has already refused a malformed soak; parse only what it let through.
  const ms = durationPattern.test(soak) ? parseDuration(soak) : undefined;
  if (ms !== undefined && ms > MAX_SOAK_MS) {
    report(
      ctx,
      path,
      `soak ${soak} is longer than 30d, the longest GitHub holds a deployment waiting for approval`,
    );
  }
}

/** Each promotion cycle (a → b → a) once, at the first environment of it in file order. */
function reportCycles(ctx: Context): void {
  const environments = ctx.policy.environments ?? {};
  const reported = new Set<string>();
  for (const start of Object.keys(environments)) {
    const chain: string[] = [];
    let current: string | undefined = start;
    while (
      current !== undefined &&
      !chain.includes(current) &&
      Object.hasOwn(environments, current)
    ) {
      chain.push(current);
      current = environments[current]?.after;
    }
    if (current !== start || chain.length < 2 || chain.some((n) => reported.has(n))) continue;
    chain.forEach((n) => reported.add(n));
    report(
      ctx,
      ["environments", start, "after"],
      `environments form a cycle: ${[...chain, start].join(" → ")}; promotion order must have a first environment`,
    );
  }
}

// ---------------------------------------------------------------------------------------
// gates

/**
 * Rows the app adds to every result itself: a gate of the same id would be confused with
 * them in the check run and in logs.
 */
export const RESERVED_GATE_IDS = ["change-type", "policy-file", "release-policy", "tag-rules"];

function checkGate(ctx: Context, id: string, gate: Gate): void {
  const base: PathSegment[] = ["gates", id];
  if (RESERVED_GATE_IDS.includes(id)) {
    report(
      ctx,
      base,
      `"${id}" is a name the app uses for its own rows: choose another gate id`,
      "key",
    );
  }
  if (gate.when) checkCondition(ctx, [...base, "when"], gate.when);
  if (gate.unless) checkCondition(ctx, [...base, "unless"], gate.unless);
  checkRequirement(ctx, [...base, "require"], gate.require);
  checkStage(ctx, base, gate);
}

// ---------------------------------------------------------------------------------------
// stages: which keys a gate of each stage may use

/** A deployment is judged by the pull request that brought its commit: labels and change type. */
const DEPLOYMENT_CONDITION_KEYS = ["labels", "change_types"];

function checkStage(ctx: Context, base: PathSegment[], gate: Gate): void {
  const deployment = gate.stage === "deployment";
  const own = STAGE_KINDS[gate.stage];
  for (const { key: kind } of givenKinds(gate.require)) {
    if (own.includes(kind)) continue;
    const home = (Object.keys(STAGE_KINDS) as Stage[]).find((stage) =>
      STAGE_KINDS[stage].includes(kind),
    );
    report(
      ctx,
      [...base, "require", kind],
      `"${kind}" cannot be required at stage ${gate.stage}: a ${gate.stage} gate may require ${own.join(", ")}; move "${kind}" to a gate with stage: ${home ?? "pull_request"}`,
      "key",
    );
  }
  if (gate.stage === "release") {
    checkReleaseStage(ctx, base, gate);
    return;
  }
  if (!deployment) {
    if (gate.environments) {
      report(
        ctx,
        [...base, "environments"],
        `environments applies to deployment gates only; this gate's stage is ${gate.stage}`,
        "key",
      );
    }
    return;
  }
  for (const key of ["when", "unless"] as const) {
    for (const name of Object.keys(gate[key] ?? {})) {
      if (DEPLOYMENT_CONDITION_KEYS.includes(name)) continue;
      report(
        ctx,
        [...base, key, name],
        `"${name}" cannot be judged for a deployment; deployment gates may use ${DEPLOYMENT_CONDITION_KEYS.join(" or ")} (of the pull request that brought the deployed commit)`,
        "key",
      );
    }
  }
  checkGateEnvironments(ctx, base, gate.environments);
}

/** A release is judged as a whole: no single pull request's labels or paths decide for it. */
function checkReleaseStage(ctx: Context, base: PathSegment[], gate: Gate): void {
  for (const key of ["when", "unless", "environments"] as const) {
    if (gate[key] === undefined) continue;
    report(
      ctx,
      [...base, key],
      `${key} cannot be used on a release gate: a release gate applies to every release`,
      "key",
    );
  }
}

function checkReleases(ctx: Context): void {
  const tags = ctx.policy.releases?.tags;
  if (!tags) return;
  const path = ["releases", "tags"];
  if (tags.pattern !== undefined) {
    const error = patternError(tags.pattern);
    if (error) report(ctx, [...path, "pattern"], error);
  }
  tags.branches?.forEach((glob, index) => {
    const error = globError(glob);
    if (error) report(ctx, [...path, "branches", index], error);
  });
}

function checkGateEnvironments(ctx: Context, base: PathSegment[], names?: string[]): void {
  if (!names || ctx.partial) return;
  const defined = Object.keys(ctx.policy.environments ?? {});
  names.forEach((name, index) => {
    if (defined.some((d) => d.toLowerCase() === name.toLowerCase())) return;
    const known =
      defined.length > 0
        ? `defined: ${quoted(defined)}`
        : "the policy defines none: add it under environments";
    report(ctx, [...base, "environments", index], `unknown environment "${name}"; ${known}`);
  });
}

const CONDITION_KEYS = "labels, change_types, base_branches, paths or draft";

function checkCondition(ctx: Context, path: PathSegment[], condition: Condition): void {
  if (Object.keys(condition).length === 0) {
    report(ctx, path, `an empty condition names nothing: remove it, or give ${CONDITION_KEYS}`);
  }
  const defined = Object.keys(ctx.policy.change_types ?? {});
  condition.change_types?.forEach((name, index) => {
    if (defined.includes(name) || ctx.partial) return;
    const known = defined.length > 0 ? `defined: ${quoted(defined)}` : "the policy defines none";
    report(ctx, [...path, "change_types", index], `unknown change type "${name}"; ${known}`);
  });
  for (const key of ["base_branches", "paths"] as const) {
    condition[key]?.forEach((glob, index) => {
      const error = globError(glob);
      if (error) report(ctx, [...path, key, index], error);
    });
  }
}

function checkRequirement(ctx: Context, path: PathSegment[], require: Requirement): void {
  if (Object.keys(require).length === 0) {
    report(ctx, path, `the gate requires nothing: give at least one of ${describeKindsByStage()}`);
  }
  const at = semanticContext(ctx);
  for (const { key, kind, spec } of givenKinds(require)) kind.check?.(spec, [...path, key], at);
}

/** What a requirement kind's own checks may see of the policy and report to. */
function semanticContext(ctx: Context): SemanticContext {
  return {
    report: (path, message, target) => report(ctx, [...path], message, target),
    where: (other, from) => where(ctx, [...other], [...from]),
    changeTypes: Object.keys(ctx.policy.change_types ?? {}),
    partial: ctx.partial,
  };
}
