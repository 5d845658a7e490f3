// Change records (ServiceNow change requests, Jira Service Management issues) as facts: what
// the change_record kind is judged on, and how references are found in a change's texts. The
// gatherers look up exactly the references found here; the kind judges the records they read.
import { compilePattern, MAX_PATTERN_INPUT } from "../model/regex.js";

export const CHANGE_SYSTEMS = ["servicenow", "jira"] as const;
export type ChangeSystem = (typeof CHANGE_SYSTEMS)[number];

export const SYSTEM_NAMES: Record<ChangeSystem, string> = {
  servicenow: "ServiceNow",
  jira: "Jira Service Management",
};

/** One reference's lookup in its change system. */
export interface ChangeRecordFact {
  system: ChangeSystem;
  /** As written in the pull request or deployment ("CHG0012345", "OPS-42"). */
  reference: string;
  /** False when the system answered that no such record exists. */
  found: boolean;
  number: string;
  title: string;
  /** The state (ServiceNow) or status (Jira) name as the system displays it. */
  state: string;
  /** ServiceNow's approval ("approved", "requested", "rejected", "not yet requested"). */
  approval?: string;
  /** ISO instants of the planned implementation window, when the record has one. */
  plannedStart?: string;
  plannedEnd?: string;
  url: string;
  /** ServiceNow's sys_id: what a work note is written to (Jira's issues go by `number`). */
  sysId?: string;
  /** Why the lookup could not be made (unreachable, timeout, 401, 429…): never a pass. */
  error?: string;
  /**
   * The error may pass by itself (no answer, a timeout, 429, 5xx): the gate waits and asks
   * again rather than fail. Absent for a refusal or a setting a person must fix.
   */
  passing?: boolean;
  /** ISO instant: the system asked the app not to ask again before it (`retry-after`). */
  askAgainAt?: string;
}

/** What a change_record gate asks the gatherers to look up. */
export interface ChangeRecordNeed {
  system: ChangeSystem;
  /** RE2 expression whose matches are the references. */
  pattern: string;
  in: ChangeReferenceField[];
  /** Jira custom field ids holding the planned start and end. */
  windowFields?: { start: string; end: string };
}

export type ChangeReferenceField = "title" | "body" | "branch" | "labels";

/** The texts references are searched in; a deployment has the deployed pull requests' titles,
 * bodies, branches and labels and the deployed ref, a pull request all four. */
export type ReferenceTexts = Partial<Record<ChangeReferenceField, readonly string[]>>;

/** Every distinct match of `pattern` in the chosen texts, in order of appearance. */
export function findReferences(
  pattern: string,
  fields: readonly ChangeReferenceField[],
  texts: ReferenceTexts,
): string[] {
  const re = compilePattern(pattern);
  const found: string[] = [];
  for (const field of fields) {
    for (const text of texts[field] ?? []) {
      const matcher = re.matcher(text.slice(0, MAX_PATTERN_INPUT));
      while (matcher.find()) {
        const match = matcher.group();
        if (match && !found.includes(match)) found.push(match);
      }
    }
  }
  return found;
}

/**
 * One holder of references a gate judges on its own: a pull request, or at a deployment each
 * pull request it ships and (for commits no pull request brought) the deployed ref.
 */
export interface ReferenceSubject {
  /** "#7", or the deployed ref for direct pushes. */
  name: string;
  texts: ReferenceTexts;
}

/**
 * Distinct references a gate looks up, at a pull request or a deployment: each is one request
 * to the change system on every look, so a change referencing more fails closed instead. Each
 * is judged: none is left unexamined.
 */
export const MAX_REFERENCES = 20;

/** Each subject's references, every one, in the subjects' order. */
export function referencesBySubject(
  pattern: string,
  fields: readonly ChangeReferenceField[],
  subjects: readonly ReferenceSubject[],
): { subject: ReferenceSubject; references: string[] }[] {
  return subjects.map((subject) => ({
    subject,
    references: findReferences(pattern, fields, subject.texts),
  }));
}

/** Every distinct reference of the subjects: what is looked up, unless there are too many. */
export function distinctReferences(bySubject: readonly { references: string[] }[]): string[] {
  return [...new Set(bySubject.flatMap((s) => s.references))];
}
