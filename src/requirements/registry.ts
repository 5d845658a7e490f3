// Every requirement kind, in the order a gate's results list them. The policy schema
// (`require`), the stage rules, the semantic checks, what the facts gatherers fetch, and the
// evaluator's dispatch are all read from this one list: adding a kind is one module in this
// folder and one line here.
import { z } from "zod";
import { orList } from "../model/words.js";
import { approvals } from "./approvals.js";
import { changeRecord } from "./change-record.js";
import { checklist } from "./checklist.js";
import { checks } from "./checks.js";
import { compliantChanges } from "./compliant-changes.js";
import { deploymentApproval } from "./deployment-approval.js";
import type { Needs } from "../facts/needs.js";
import type { ApprovalDefaults, RequirementKind, Stage } from "./kind.js";
import { STAGES } from "./kind.js";
import { labels } from "./labels.js";
import { maxChangedFiles } from "./max-changed-files.js";
import { pattern } from "./pattern.js";
import { releaseNotes } from "./release-notes.js";
import { signoffs } from "./signoffs.js";
import { window } from "./window.js";

export const KINDS = {
  pattern,
  labels,
  checks,
  approvals,
  release_notes: releaseNotes,
  checklist,
  signoffs,
  compliant_changes: compliantChanges,
  window,
  deployment_approval: deploymentApproval,
  max_changed_files: maxChangedFiles,
  change_record: changeRecord,
} as const;

type Kinds = typeof KINDS;
export type KindKey = keyof Kinds;

export const KIND_KEYS = Object.keys(KINDS) as KindKey[];

type RequirementShape = { [K in KindKey]: z.ZodOptional<Kinds[K]["schema"]> };

// Built from the list, then typed by it: zod cannot infer a shape assembled at run time,
// and the mapped type states exactly what the loop builds.
const shape = Object.fromEntries(
  KIND_KEYS.map((key) => [key, KINDS[key].schema.optional()]),
) as RequirementShape;

export const requirementSchema = z
  .strictObject(shape)
  .describe("What the gate requires. Several kinds in one gate must all hold.");

export type Requirement = z.infer<typeof requirementSchema>;

/** A kind with its setting's type forgotten, for code that handles every kind alike. */
export type AnyKind = RequirementKind<unknown>;

export function kindOf(key: KindKey): AnyKind {
  return KINDS[key] as AnyKind;
}

/** The kinds a gate of `stage` may require, in registry order. */
export function kindsFor(stage: Stage): KindKey[] {
  return KIND_KEYS.filter((key) => KINDS[key].stages.includes(stage));
}

/** Each stage's kinds: what the validator allows and what errors list. */
export const STAGE_KINDS: Record<Stage, KindKey[]> = Object.fromEntries(
  STAGES.map((stage) => [stage, kindsFor(stage)]),
) as Record<Stage, KindKey[]>;

/** The kinds a requirement gives, in registry order, each with its setting. */
export function givenKinds(require: Requirement): { key: KindKey; kind: AnyKind; spec: unknown }[] {
  return KIND_KEYS.flatMap((key) =>
    require[key] === undefined ? [] : [{ key, kind: kindOf(key), spec: require[key] }],
  );
}

/** "pattern, labels … (pull_request), …": every kind a `require` may hold, by stage. */
export function describeKindsByStage(): string {
  return STAGES.map((stage) => `${orList(STAGE_KINDS[stage])} (${stage})`).join(", ");
}

export const NO_NEEDS: Needs = {
  teams: [],
  permissions: false,
  pusher: false,
  reviews: false,
  committers: false,
  changedFiles: false,
  checklistItems: [],
  checkNames: [],
  range: false,
  verdicts: false,
  deployers: false,
  notes: false,
  changeRecords: [],
};

/** What judging these requirements needs fetched: the union of every kind's asks. */
export function needsOf(
  requirements: readonly Requirement[],
  defaults: ApprovalDefaults | undefined,
): Needs {
  const asks = requirements.flatMap((r) =>
    givenKinds(r).map(({ kind, spec }) => kind.needs?.(spec, defaults) ?? {}),
  );
  return asks.reduce<Needs>(mergeNeeds, NO_NEEDS);
}

function mergeNeeds(a: Needs, b: Partial<Needs>): Needs {
  return {
    teams: unique([...a.teams, ...(b.teams ?? [])]),
    permissions: a.permissions || (b.permissions ?? false),
    pusher: a.pusher || (b.pusher ?? false),
    reviews: a.reviews || (b.reviews ?? false),
    committers: a.committers || (b.committers ?? false),
    changedFiles: a.changedFiles || (b.changedFiles ?? false),
    checklistItems: [...a.checklistItems, ...(b.checklistItems ?? [])],
    checkNames: unique([...a.checkNames, ...(b.checkNames ?? [])]),
    range: a.range || (b.range ?? false),
    verdicts: a.verdicts || (b.verdicts ?? false),
    deployers: a.deployers || (b.deployers ?? false),
    notes: a.notes || (b.notes ?? false),
    changeRecords: [...a.changeRecords, ...(b.changeRecords ?? [])],
    // The first gate that names a changelog decides which file is read.
    ...((a.changelog ?? b.changelog) !== undefined
      ? { changelog: a.changelog ?? b.changelog }
      : {}),
  };
}

const unique = (xs: readonly string[]): string[] => [...new Set(xs)];
