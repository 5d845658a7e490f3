// change_record: the change a pull request or deployment brings must be backed by a change
// record in ServiceNow or Jira Service Management that is approved, in a state that counts, and
// (at deployment) inside its planned window. A deployment is judged on every pull request it
// ships since the environment's last successful deployment, each on its own references.
// References are found in the change's texts with an RE2 pattern; src/facts/change-records.ts
// looks each up, and this module judges what it read.
import { z } from "zod";
import {
  CHANGE_SYSTEMS,
  distinctReferences,
  MAX_REFERENCES,
  referencesBySubject,
  SYSTEM_NAMES,
  type ChangeRecordFact,
  type ChangeReferenceField,
  type ReferenceSubject,
} from "../facts/change-records.js";
import { MAX_SHIPPED_PULLS, shippedSubjects, type DeploymentFacts } from "../facts/deployment.js";
import { combineOutcomes } from "../model/outcome.js";
import { patternError, PatternError } from "../model/regex.js";
import { orList } from "../model/words.js";
import { defineKind, wrongStage, type KindOutcome, type Subject } from "./kind.js";

export const changeRecordSchema = z
  .strictObject({
    system: z
      .enum(CHANGE_SYSTEMS)
      .describe("Where change records live: `servicenow` (change requests) or `jira` (issues)."),
    pattern: z
      .string()
      .min(1)
      .max(1000)
      .describe(
        'RE2 expression a reference matches, e.g. "CHG[0-9]{7}" (ServiceNow) or "OPS-[0-9]+" (Jira). Each match is looked up.',
      ),
    in: z
      .array(z.enum(["title", "body", "branch", "labels"]))
      .min(1)
      .optional()
      .describe(
        "Where references are searched. Default: title, body and branch. At deployment, each pull request the deployment ships (since the environment's last successful deployment) is searched on its own and must reference a record that counts; the deployed ref is searched for commits pushed directly.",
      ),
    states: z
      .array(z.string().min(1).max(100))
      .min(1)
      .max(20)
      .optional()
      .describe(
        "The states (ServiceNow) or status names (Jira) in which a record counts, compared without regard to case. Default for ServiceNow: Scheduled and Implement; required for Jira.",
      ),
    require_approval: z
      .boolean()
      .optional()
      .describe(
        "Whether the ServiceNow change's approval must be `approved`. Default: true for ServiceNow; Jira approval is expressed by `states`.",
      ),
    window: z
      .boolean()
      .optional()
      .describe(
        "Whether a deployment must fall inside the record's planned start and end: before the start it waits (re-checked at the start), after the end it fails. Default: true. Pull requests are not held to it.",
      ),
    window_fields: z
      .strictObject({
        start: z.string().min(1).max(100).describe("Custom field id of the planned start."),
        end: z.string().min(1).max(100).describe("Custom field id of the planned end."),
      })
      .optional()
      .describe(
        "Jira only: the custom fields (e.g. `customfield_10032`) holding the planned start and end.",
      ),
    work_note: z
      .boolean()
      .optional()
      .describe(
        "After a deployment this gate approved succeeds or fails, add one work note (ServiceNow) or internal comment (Jira) to each change record it approved: the deployment, commit range, approvers and outcome. Default: false. Pull requests get no note.",
      ),
  })
  .describe(
    "A change record in ServiceNow or Jira Service Management, referenced from the change, must be approved and in a state that counts; a deployment must also be inside its planned window.",
  );

export type ChangeRecordRequirement = z.infer<typeof changeRecordSchema>;

const DEFAULT_IN: ChangeReferenceField[] = ["title", "body", "branch"];
const DEFAULT_STATES: Record<ChangeRecordRequirement["system"], string[]> = {
  servicenow: ["Scheduled", "Implement"],
  jira: [],
};
/** States and approvals after which a record can never count again. */
const FINAL = new Set(["rejected", "declined", "canceled", "cancelled", "closed", "failed"]);

export function statesOf(spec: ChangeRecordRequirement): string[] {
  return spec.states ?? DEFAULT_STATES[spec.system];
}

export function fieldsOf(spec: ChangeRecordRequirement): ChangeReferenceField[] {
  return [...new Set(spec.in ?? DEFAULT_IN)];
}

/**
 * Whose references are judged, each on its own: the pull request; at a deployment every pull
 * request it ships (and the deployed ref for direct pushes). Null at a stage it does not judge.
 */
function subjectsOf(subject: Subject): ReferenceSubject[] | null {
  if (subject.stage === "pull_request") {
    const f = subject.facts;
    const texts = { title: [f.title], body: [f.body], branch: [f.headRef], labels: f.labels };
    return [{ name: `#${f.number}`, texts }];
  }
  if (subject.stage === "deployment") {
    const f = subject.facts;
    return shippedSubjects(f.ref, f.pulls, f.range);
  }
  return null;
}

/**
 * The records a deployment's gate judged, as it read them: what a passing gate approved (the
 * work note is written to these). Records that were not found or not read are left out.
 */
export function judgedRecords(
  spec: ChangeRecordRequirement,
  facts: DeploymentFacts,
): ChangeRecordFact[] {
  let references: string[];
  try {
    const subjects = shippedSubjects(facts.ref, facts.pulls, facts.range);
    references = distinctReferences(referencesBySubject(spec.pattern, fieldsOf(spec), subjects));
  } catch (error) {
    if (error instanceof PatternError) return [];
    throw error;
  }
  return references.flatMap((reference) => {
    const fact = facts.changeRecords?.find(
      (r) => r.system === spec.system && r.reference === reference,
    );
    return fact && fact.found && fact.error === undefined ? [fact] : [];
  });
}

interface Judging {
  spec: ChangeRecordRequirement;
  now: Date;
  /** "production" at deployment; null on a pull request. */
  environment: string | null;
  records: ChangeRecordFact[] | undefined;
}

export function evaluateChangeRecord(
  spec: ChangeRecordRequirement,
  subject: Subject,
  now: Date,
): KindOutcome {
  const subjects = subjectsOf(subject);
  if (subjects === null) return wrongStage("change_record", subject);
  const tooMuch = subject.stage === "deployment" ? beyondBounds(subject.facts) : null;
  if (tooMuch) return tooMuch;
  let bySubject;
  try {
    bySubject = referencesBySubject(spec.pattern, fieldsOf(spec), subjects);
  } catch (error) {
    if (!(error instanceof PatternError)) throw error;
    return {
      status: "error",
      reason: error.message,
      fix: "Correct the pattern in the policy file",
      details: [],
    };
  }
  const tooMany = beyondReferences(subject.stage, distinctReferences(bySubject).length);
  if (tooMany) return tooMany;
  const judging: Judging = {
    spec,
    now,
    environment: subject.stage === "deployment" ? subject.facts.environment : null,
    records: subject.stage === "release" ? undefined : subject.facts.changeRecords,
  };
  if (subject.stage === "pull_request") {
    return judgeSubject(bySubject[0]?.references ?? [], "the", judging);
  }
  // Every shipped pull request is judged on its own references: one approved change does not
  // speak for another pull request shipped with it.
  return withRecheck(
    bySubject.map(({ subject: s, references }) =>
      named(s.name, judgeSubject(references, "its", judging)),
    ),
  );
}

/** A deployment that ships more than the app judges fails closed, looking nothing up. */
function beyondBounds(facts: DeploymentFacts): KindOutcome | null {
  const exceeded = facts.range?.exceeded;
  if (exceeded) {
    return {
      status: "fail",
      reason: `the deployment ships ${exceeded.count} commits to ${facts.environment}; the app checks the change records of at most ${exceeded.limit}`,
      fix: `Deploy an earlier commit first, so that each deployment ships at most ${exceeded.limit} first-parent commits`,
      details: [],
    };
  }
  if (facts.pulls.length > MAX_SHIPPED_PULLS) {
    return {
      status: "fail",
      reason: `the deployment ships ${facts.pulls.length} pull requests to ${facts.environment}; the app checks the change records of at most ${MAX_SHIPPED_PULLS}`,
      fix: `Deploy an earlier commit first, so that each deployment ships at most ${MAX_SHIPPED_PULLS} pull requests`,
      details: [],
    };
  }
  return null;
}

/**
 * A change referencing more records than the app looks up fails closed, at either stage: every
 * reference is judged or none is, so a record past the bound never passes unexamined.
 */
function beyondReferences(stage: Subject["stage"], distinct: number): KindOutcome | null {
  if (distinct <= MAX_REFERENCES) return null;
  const fix =
    stage === "deployment"
      ? `Deploy an earlier commit first, so that each deployment ships changes referencing at most ${MAX_REFERENCES} change records`
      : `Reference at most ${MAX_REFERENCES} change records in the pull request (split it, or drop references that are not its own)`;
  const what =
    stage === "deployment"
      ? "the deployment ships changes referencing"
      : "the pull request references";
  return {
    status: "fail",
    reason: `${what} ${distinct} change records; the app looks up and judges at most ${MAX_REFERENCES}`,
    fix,
    details: [],
  };
}

/** "#7: CHG0000001 is not yet approved": the outcome of one shipped pull request, named. */
function named(name: string, outcome: KindOutcome): KindOutcome {
  return {
    ...outcome,
    reason: `${name}: ${outcome.reason}`,
    ...(outcome.fix !== undefined ? { fix: `${name}: ${outcome.fix}` } : {}),
    details: outcome.details.map((d) => `${name}: ${d}`),
  };
}

/** One subject's references, each judged: every one must pass. */
function judgeSubject(references: string[], whose: string, j: Judging): KindOutcome {
  const system = SYSTEM_NAMES[j.spec.system];
  const shown = `/${j.spec.pattern}/`;
  const where = orList(fieldsOf(j.spec).map((f) => (f === "branch" ? "branch name" : f)));
  if (references.length === 0) {
    return {
      status: "fail",
      reason: `no ${system} change record reference matching ${shown} in ${whose} ${where}`,
      fix: `Put the change record's number (matching ${shown}) in ${whose} ${where}`,
      details: [],
    };
  }
  const records = j.records;
  if (records === undefined) {
    // Only a gatherer that was not asked leaves them out: never judge without them.
    return {
      status: "error",
      reason: `the ${system} change records were not read`,
      fix: "Report this to the app's maintainers",
      details: [],
    };
  }
  return withRecheck(
    references.map((reference) => {
      const fact = records.find((r) => r.system === j.spec.system && r.reference === reference);
      return fact
        ? judgeRecord(fact, j)
        : {
            status: "error" as const,
            reason: `${reference} was not looked up in ${system}`,
            fix: "Report this to the app's maintainers",
            details: [],
          };
    }),
  );
}

/** The outcomes combined; waiting for the latest window start only when every wait is one. */
function withRecheck(outcomes: KindOutcome[]): KindOutcome {
  const recheck = outcomes.flatMap((o) =>
    o.status === "pending" && "recheckAt" in o && o.recheckAt !== undefined ? [o.recheckAt] : [],
  );
  const combined = combineOutcomes(outcomes);
  const everyWaitsForTime =
    recheck.length === outcomes.filter((o) => o.status === "pending").length;
  return combined.status === "pending" && everyWaitsForTime && recheck.length > 0
    ? { ...combined, recheckAt: Math.max(...recheck) }
    : combined;
}

/**
 * One record as the gate judges it on a pull request (its state and approval; no window):
 * what `release-policy doctor --change` reports.
 */
export function judgeChangeRecord(
  spec: ChangeRecordRequirement,
  fact: ChangeRecordFact,
  now: Date,
): KindOutcome {
  return judgeRecord(fact, { spec, now, environment: null, records: [fact] });
}

function judgeRecord(fact: ChangeRecordFact, j: Judging): KindOutcome {
  const system = SYSTEM_NAMES[fact.system];
  const name = fact.found ? `${fact.number} "${fact.title}"` : fact.reference;
  const details = [`${name}: ${fact.url}`];
  if (fact.error !== undefined && fact.passing) {
    // Fail closed without failing: an outage of the change system holds the deployment (and
    // keeps the pull request's check in progress) until a later look gets an answer. A system
    // that asked the app to wait is looked at again no sooner than it asked.
    const askAgainAt = instant(fact.askAgainAt);
    return {
      status: "pending",
      reason: `${fact.reference} could not be looked up in ${system}: ${fact.error}; asked again ${askAgainAt === null ? "on the next look" : "once that time has come"}`,
      fix: `Nothing to change: the app asks ${system} again${askAgainAt === null ? " (comment `/recheck` to ask now)" : ""}`,
      details,
      ...(askAgainAt !== null ? { recheckAt: askAgainAt } : {}),
    };
  }
  if (fact.error !== undefined) {
    return {
      status: "error",
      reason: `${fact.reference} could not be looked up in ${system}: ${fact.error}`,
      fix: `Nothing to change in the pull request: the app's ${system} settings or its account's access need fixing (docs/deploy.md); then comment \`/recheck\`, or re-run the deployment job`,
      details,
    };
  }
  if (!fact.found) {
    return {
      status: "fail",
      reason: `${fact.reference} does not exist in ${system}`,
      fix: `Reference an existing ${system} change record`,
      details,
    };
  }
  const states = statesOf(j.spec);
  const state = fact.state.toLowerCase();
  const approval = fact.approval?.toLowerCase();
  const approvalText = fact.approval === undefined ? "" : `, approval ${fact.approval}`;
  if (FINAL.has(state) || approval === "rejected") {
    return {
      status: "fail",
      reason: `${name} is ${fact.state}${approvalText}: it can no longer authorize a change`,
      fix: `Raise a new ${system} change record and reference it`,
      details,
    };
  }
  const needsWho = j.environment ?? "this gate";
  if (!states.some((s) => s.toLowerCase() === state)) {
    return {
      status: "pending",
      reason: `${fact.number} is in state ${fact.state}; ${needsWho} needs ${orList(states)}`,
      fix: `Move ${fact.number} to ${orList(states)} in ${system}; the check follows on its next look`,
      details,
    };
  }
  const requireApproval = j.spec.require_approval ?? j.spec.system === "servicenow";
  if (requireApproval && approval !== "approved") {
    return {
      status: "pending",
      reason: `${fact.number} is not yet approved (approval: ${fact.approval ?? "none"})`,
      fix: `Have ${fact.number} approved in ${system}`,
      details,
    };
  }
  let windowText = "";
  if (j.environment !== null && (j.spec.window ?? true)) {
    const start = instant(fact.plannedStart);
    const end = instant(fact.plannedEnd);
    if (start === null || end === null) {
      return {
        status: "fail",
        reason: `${fact.number} has no planned start and end, so the deployment cannot be placed in its window`,
        fix: `Set the planned start and end of ${fact.number} in ${system}`,
        details,
      };
    }
    const window = `${fact.plannedStart} to ${fact.plannedEnd}`;
    const now = j.now.getTime();
    if (now < start) {
      return {
        status: "pending",
        reason: `${fact.number}'s window opens at ${fact.plannedStart} (planned ${window})`,
        fix: "Nothing to do: the deployment proceeds when the planned window opens",
        details,
        recheckAt: start,
      };
    }
    if (now > end) {
      return {
        status: "fail",
        reason: `${fact.number}'s planned window ended at ${fact.plannedEnd}`,
        fix: `Extend the planned end of ${fact.number} in ${system}, or raise a new change record`,
        details,
      };
    }
    windowText = `, inside its window ${window}`;
  }
  return {
    status: "pass",
    reason: `${name} is ${fact.state}${approvalText}${windowText} (${fact.url})`,
    details,
  };
}

function instant(iso: string | undefined): number | null {
  if (iso === undefined) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

export const changeRecord = defineKind({
  key: "change_record",
  stages: ["pull_request", "deployment"],
  schema: changeRecordSchema,
  // A record changes outside GitHub: a pending pull request is watched and a held deployment
  // kept, both looked at again periodically (src/holds/pull-watch.ts, the hold's re-check),
  // besides the pull request's own events.
  events: ["pull_request.edited", "pull_request.labeled", "pull_request.unlabeled"],
  check(spec, path, at) {
    const error = patternError(spec.pattern);
    if (error) at.report([...path, "pattern"], error);
    if (spec.system === "jira" && spec.states === undefined) {
      at.report(
        path,
        'a Jira change_record needs `states`: the status names that count, e.g. ["Approved"]',
      );
    }
    if (spec.system !== "jira" && spec.window_fields !== undefined) {
      at.report([...path, "window_fields"], "`window_fields` applies to Jira only", "key");
    }
  },
  // At a deployment, what it ships: every pull request since the environment's last successful
  // deployment (the range compliant_changes reads too, read once for both).
  needs: (spec) => ({
    range: true,
    changeRecords: [
      {
        system: spec.system,
        pattern: spec.pattern,
        in: fieldsOf(spec),
        ...(spec.window_fields ? { windowFields: spec.window_fields } : {}),
      },
    ],
  }),
  evaluate: (spec, subject, ctx) => evaluateChangeRecord(spec, subject, ctx.now),
});
