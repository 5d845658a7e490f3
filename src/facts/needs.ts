// What the facts gatherers are asked to fetch: the contract between the requirement kinds,
// which say what they need to be judged, and the gatherers, which make no request beyond it.
import type { Principals } from "../model/principals.js";
import type { ChangeRecordNeed } from "./change-records.js";

/** The changelog read for a release's notes when no gate names another. */
export const DEFAULT_CHANGELOG = "CHANGELOG.md";

/** What one kind asks the facts gatherers to fetch. src/requirements/registry.ts merges
 * every gate's asks; the gatherers in this folder fetch exactly that. */
export interface Needs {
  /** Teams as written in the policy: "org/slug" or a bare slug of the repository's owner. */
  teams: string[];
  /** Repository permissions of reviewers (approvals by permission). */
  permissions: boolean;
  /** Who pushed the head commit (approvals excluding the pusher). */
  pusher: boolean;
  /** The pull request's reviews. */
  reviews: boolean;
  /** Authors and committers of the change's commits. */
  committers: boolean;
  /** The paths a pull request changes. */
  changedFiles: boolean;
  /** Checklist items, once per text (the checklist comment shows one box per text). */
  checklistItems: { text: string; by?: Principals }[];
  /** Check runs and commit statuses to read. */
  checkNames: string[];
  /**
   * What a deployment ships: every commit since the environment's last successful deployment
   * and the merged pull requests that brought them. One fact, read once, shared by every gate
   * that judges the changes a deployment ships (compliant_changes, change_record).
   */
  range: boolean;
  /** Each shipped pull request's release-policy verdict (compliant_changes). */
  verdicts: boolean;
  /** Whoever started or re-ran the deploying workflow. */
  deployers: boolean;
  /** A release's notes: the GitHub release's body, else a changelog section. */
  notes: boolean;
  /** Change records to look up: the references each gate's pattern finds, in its system. */
  changeRecords: ChangeRecordNeed[];
  /** The changelog a gate names for the notes; CHANGELOG.md when none does. */
  changelog?: string;
}
