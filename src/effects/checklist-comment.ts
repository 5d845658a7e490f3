import { createOnce, SEND_ONCE } from "../github/create.js";
import { isNotFound } from "../github/errors.js";
import type { Octokit } from "../github/types.js";
import type { RepoRef } from "../facts/types.js";
import type { Store } from "../store/store.js";
import type { ChecklistState } from "../checklist/state.js";
import { CHECKLIST_MARKER } from "../report/checklist-comment.js";

/** The app's checklist comment on one pull request, as last seen. */
export interface ChecklistComment {
  id: number;
  /** The body as GitHub shows it now. */
  body: string;
  /**
   * A state judged from an edit but not yet written back: it outranks the body, whose boxes
   * a person has just changed. Notes explain undone ticks until the next edit.
   */
  state?: ChecklistState;
  notes?: string[];
}

/** Comments are remembered so that an evaluation needs no read when nothing was edited. */
const COMMENT_TTL_MS = 60 * 60 * 1000;

type CommentData = Awaited<ReturnType<Octokit["rest"]["issues"]["listComments"]>>["data"][number];

/**
 * Finds, creates and updates the single checklist comment the app owns on a pull request.
 * Only a comment the app itself wrote counts: a user who pastes the marker into their own
 * comment cannot make it the checklist.
 */
export class ChecklistComments {
  constructor(
    private readonly store: Store,
    private readonly appId: number,
  ) {}

  async find(octokit: Octokit, repo: RepoRef, number: number): Promise<ChecklistComment | null> {
    const cached = await this.recall(repo, number);
    if (cached) return cached;
    const ours = await this.#list(octokit, repo, number);
    if (!ours) return null;
    const found = { id: ours.id, body: ours.body ?? "" };
    await this.remember(repo, number, found);
    return found;
  }

  /** The app's checklist comment as GitHub lists it now. */
  async #list(octokit: Octokit, repo: RepoRef, number: number): Promise<CommentData | undefined> {
    const comments = await octokit.paginate(octokit.rest.issues.listComments, {
      owner: repo.owner,
      repo: repo.repo,
      issue_number: number,
      per_page: 100,
    });
    return comments.find((comment) => this.isOurs(comment));
  }

  /** The comment as the app last wrote or judged it, if it still remembers; no request. */
  async recall(repo: RepoRef, number: number): Promise<ChecklistComment | null> {
    const cached = await this.store.get(this.#key(repo, number));
    return cached ? (JSON.parse(cached) as ChecklistComment) : null;
  }

  isOurs(comment: Pick<CommentData, "body" | "performed_via_github_app">): boolean {
    return (
      comment.performed_via_github_app?.id === this.appId &&
      (comment.body ?? "").includes(CHECKLIST_MARKER)
    );
  }

  /** Writes the body only when it differs from what the comment shows. */
  async upsert(
    octokit: Octokit,
    repo: RepoRef,
    number: number,
    existing: ChecklistComment | null,
    body: string,
  ): Promise<"created" | "updated" | "unchanged"> {
    const at = { owner: repo.owner, repo: repo.repo };
    const notes = existing?.notes ? { notes: existing.notes } : {};
    if (existing?.body === body) {
      if (existing.state) await this.remember(repo, number, { id: existing.id, body, ...notes });
      return "unchanged";
    }
    if (existing && (await this.#update(octokit, repo, existing.id, body))) {
      await this.remember(repo, number, { id: existing.id, body, ...notes });
      return "updated";
    }
    const id = await createOnce(
      async () => {
        const { data } = await octokit.rest.issues.createComment({
          ...at,
          issue_number: number,
          body,
          ...SEND_ONCE,
        });
        return data.id;
      },
      // A comment of the app's that a lost answer hid: the one people would tick.
      async () => (await this.#list(octokit, repo, number))?.id,
    );
    await this.remember(repo, number, { id, body, ...notes });
    return "created";
  }

  /**
   * False when the comment is gone: someone deleted it while the app still remembered it.
   * The body carries the signed ticks, so a new comment takes its place with nothing lost.
   */
  async #update(octokit: Octokit, repo: RepoRef, id: number, body: string): Promise<boolean> {
    try {
      await octokit.rest.issues.updateComment({
        owner: repo.owner,
        repo: repo.repo,
        comment_id: id,
        body,
      });
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async remember(repo: RepoRef, number: number, comment: ChecklistComment): Promise<void> {
    await this.store.set(this.#key(repo, number), JSON.stringify(comment), COMMENT_TTL_MS);
  }

  #key(repo: RepoRef, number: number): string {
    return `checklist-comment:${repo.owner}/${repo.repo}#${number}`.toLowerCase();
  }
}
