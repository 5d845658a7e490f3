// The labels a pull request was merged with: what chooses the change type of the deployments
// that ship it. Labels added or removed after the merge (`change: emergency` to escape a
// freeze) change nothing. The app notes them when it hears the merge (pull_request.closed, a
// signed webhook); without that note (a store lost, a merge the app did not hear) GitHub's own
// record decides: the pull request's label events up to its merge, read once and then kept.
import type { Octokit } from "../github/types.js";
import type { Store } from "../store/store.js";
import type { AssociatedPull } from "./deployed-range.js";
import type { RepoRef } from "./types.js";

/** Kept as long as a merged change may wait to be deployed; after that, read again. */
const MERGE_LABELS_TTL_MS = 180 * 24 * 60 * 60 * 1000;
const EVENTS_PER_PAGE = 100;
/** Pages of events read at most: a longer history up to the merge fails closed. */
export const MAX_EVENT_PAGES = 3;

export type MergeLabelsReader = (repo: RepoRef, pull: AssociatedPull) => Promise<string[]>;

/** One issue event as GitHub lists it, reduced to what label history needs. */
export interface LabelEvent {
  event: string;
  created_at: string;
  label?: { name: string } | null;
}

/** The merge commit names the merge: a pull request reopened and merged again is another. */
function keyOf(repo: RepoRef, number: number, mergeCommitSha: string | null): string {
  return `merge-labels:${repo.owner}/${repo.repo}#${number}@${mergeCommitSha ?? ""}`.toLowerCase();
}

/** Notes the labels of a pull request as its merge's webhook carried them. */
export async function noteMergeLabels(
  store: Store,
  repo: RepoRef,
  pull: { number: number; labels: readonly string[]; mergeCommitSha: string | null },
): Promise<void> {
  const key = keyOf(repo, pull.number, pull.mergeCommitSha);
  await store.set(key, JSON.stringify(pull.labels), MERGE_LABELS_TTL_MS);
}

/** The note if the app made one, else GitHub's label events up to the merge. */
export function mergeLabelsReader(octokit: Octokit, store: Store): MergeLabelsReader {
  return async (repo, pull) => {
    const key = keyOf(repo, pull.number, pull.mergeCommitSha);
    const noted = await store.get(key);
    if (noted) return JSON.parse(noted) as string[];
    const labels = await readMergeLabels(octokit, repo, pull);
    await store.set(key, JSON.stringify(labels), MERGE_LABELS_TTL_MS);
    return labels;
  };
}

export class LabelHistoryError extends Error {}

/** An event of any kind; only label events carry a label. */
function labelEventOf(e: { event: string; created_at: string }): LabelEvent {
  const label = "label" in e ? (e.label as { name?: unknown } | null) : null;
  return {
    event: e.event,
    created_at: e.created_at,
    ...(typeof label?.name === "string" ? { label: { name: label.name } } : {}),
  };
}

async function readMergeLabels(
  octokit: Octokit,
  repo: RepoRef,
  pull: AssociatedPull,
): Promise<string[]> {
  const events: LabelEvent[] = [];
  for (let page = 1; page <= MAX_EVENT_PAGES; page += 1) {
    const { data } = await octokit.rest.issues.listEvents({
      owner: repo.owner,
      repo: repo.repo,
      issue_number: pull.number,
      per_page: EVENTS_PER_PAGE,
      page,
    });
    events.push(...data.map(labelEventOf));
    const last = data.at(-1);
    // Oldest first: once a page ends after the merge, or is the last, the history is whole.
    if (data.length < EVENTS_PER_PAGE || (last && after(last.created_at, pull.mergedAt))) {
      return labelsAt(events, pull.mergedAt);
    }
  }
  throw new LabelHistoryError(
    `the labels #${pull.number} was merged with could not be read: more than ${MAX_EVENT_PAGES * EVENTS_PER_PAGE} events before its merge`,
  );
}

const after = (a: string, b: string): boolean => Date.parse(a) > Date.parse(b);

/**
 * The labels after every `labeled` and `unlabeled` event up to `instant` (ISO 8601), in the
 * order GitHub lists them (oldest first).
 */
export function labelsAt(events: readonly LabelEvent[], instant: string): string[] {
  const labels = new Set<string>();
  for (const e of events) {
    if (after(e.created_at, instant) || !e.label) continue;
    if (e.event === "labeled") labels.add(e.label.name);
    if (e.event === "unlabeled") labels.delete(e.label.name);
  }
  return [...labels];
}
