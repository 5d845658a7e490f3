import { createOnce, SEND_ONCE } from "../github/create.js";
import { clientFetch, readThenWrite } from "../github/read-then-write.js";
import { isNotFound } from "../github/errors.js";
import type { Octokit } from "../github/types.js";
import type { RepoRef } from "../facts/types.js";
import type { Store } from "../store/store.js";
import {
  bodyDigest,
  encodeEdit,
  judgedChecklist,
  pendingEdits,
  type JudgedChecklist,
  type JudgedEdit,
  type PendingEdit,
} from "../checklist/ledger.js";
import type { Note } from "../checklist/edit.js";
import {
  encodeState,
  payloadDigest,
  type ChecklistItem,
  type ChecklistState,
} from "../checklist/state.js";
import { encodeStamp, parseStamp, stampOf, type WrittenStamp } from "../checklist/written.js";
import { CHECKLIST_MARKER } from "../report/checklist-comment.js";

/** The app's checklist comment on one pull request (or release record), as last seen. */
export interface ChecklistComment {
  id: number;
  /** The body the app last wrote; with `found`, the body GitHub showed when it was looked up. */
  body: string;
  /** Notes shown: undone ticks and why (see judgedChecklist for how long each stays). */
  notes?: Note[];
  /**
   * The body was read, not written, by the app: a person may have edited it since the app
   * last wrote, so its state block is trusted only when no judged edit brings a better one.
   */
  found?: true;
}

/** The comment with the edits judged since the app last wrote it. */
export interface ChecklistView {
  comment: ChecklistComment | null;
  /** Judged edits not written back yet, in the order they fold (see checklist/ledger.ts). */
  pending: PendingEdit[];
  /** What the app wrote last (checklist/written.ts): a found body is trusted only if it is that. */
  written?: WrittenStamp | null;
}

export type CommentWrite = "created" | "updated" | "unchanged" | "deferred" | "busy";

/** Renders the whole body for a judged state and its notes (see shownNotes). */
export type RenderChecklist = (state: ChecklistState, notes: readonly Note[]) => string;

/** The notes' texts, less those about items the comment no longer shows. */
export function shownNotes(items: readonly ChecklistItem[], notes: readonly Note[]): string[] {
  const texts = new Set(items.map((item) => item.text));
  return notes.filter((n) => n.item === undefined || texts.has(n.item)).map((n) => n.text);
}

/** Comments are remembered so that an evaluation needs no read when nothing was edited. */
const COMMENT_TTL_MS = 60 * 60 * 1000;
/**
 * What the app wrote last is kept as long as a pull request is likely to be ticked; each
 * write extends it. Without it, ticks read back from GitHub are not trusted.
 */
const STAMP_TTL_MS = 400 * 24 * 60 * 60 * 1000;
/** Judged edits wait this long for their write; each new one extends it. */
const LEDGER_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** One instance writes a comment at a time; a crashed writer's lease lapses after this. */
const WRITE_LEASE_MS = 30 * 1000;
/** Rounds a writer makes for instances that found it writing (each round re-reads). */
const MAX_WRITE_ROUNDS = 3;
/**
 * A person's edit the app has not judged yet is left alone this long: its webhook is on its
 * way and its own rewrite will follow. An edit older than this lost its webhook.
 */
export const UNJUDGED_EDIT_GRACE_MS = 10 * 60 * 1000;

export const LOST_EDIT_NOTE =
  "An edit of this checklist never reached the app, so its ticks could not be checked and were undone. Please tick them again.";

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
    const found = { id: ours.id, body: ours.body ?? "", found: true as const };
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
    write: { body: string; key: string },
  ): Promise<"created" | "updated" | "unchanged"> {
    const { body, key } = write;
    const at = { owner: repo.owner, repo: repo.repo };
    const notes = existing?.notes ? { notes: existing.notes } : {};
    if (existing?.body === body) return "unchanged";
    if (existing && (await this.#update(octokit, repo, existing.id, body))) {
      await this.#stamp(repo, number, existing.id, body, key);
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
    await this.#stamp(repo, number, id, body, key);
    await this.remember(repo, number, { id, body, ...notes });
    return "created";
  }

  /** What the app wrote last in the pull request's comment; no request. */
  async lastWritten(repo: RepoRef, number: number): Promise<WrittenStamp | null> {
    return parseStamp(await this.store.get(this.#stampKey(repo, number)));
  }

  async #stamp(repo: RepoRef, number: number, id: number, body: string, key: string) {
    const stamp = stampOf(id, body, key);
    if (stamp) await this.store.set(this.#stampKey(repo, number), encodeStamp(stamp), STAMP_TTL_MS);
  }

  /**
   * False when the comment is gone: someone deleted it while the app still remembered it.
   * The body carries the signed ticks, so a new comment takes its place with nothing lost.
   */
  async #update(
    octokit: Octokit,
    repo: RepoRef,
    id: number,
    body: string,
    fetch?: typeof globalThis.fetch,
  ): Promise<boolean> {
    try {
      await octokit.rest.issues.updateComment({
        owner: repo.owner,
        repo: repo.repo,
        comment_id: id,
        body,
        ...(fetch ? { request: { fetch } } : {}),
      });
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /** Keeps one judged edit until the comment is written with it: atomic, see ledger.ts. */
  async recordEdit(repo: RepoRef, number: number, edit: JudgedEdit): Promise<void> {
    await this.store.addToSet(this.#ledgerKey(repo, number), encodeEdit(edit), LEDGER_TTL_MS);
  }

  /** Edits judged and not written back yet, in the order they fold; no request. */
  async pending(repo: RepoRef, number: number): Promise<PendingEdit[]> {
    return pendingEdits(await this.store.members(this.#ledgerKey(repo, number)));
  }

  /** A pull request's comment (remembered, else listed) and the edits judged since. */
  async view(octokit: Octokit, repo: RepoRef, number: number): Promise<ChecklistView> {
    const [remembered, pending, written] = await Promise.all([
      this.recall(repo, number),
      this.pending(repo, number),
      this.lastWritten(repo, number),
    ]);
    if (remembered) return { comment: remembered, pending, written };
    // Forgotten, but an edit judged since names the comment and brings the state before it:
    // no listing needed (the write re-reads the comment anyway).
    const edited = pending.find((edit) => edit.base !== undefined);
    if (edited) {
      return { comment: { id: edited.comment, body: "", found: true }, pending, written };
    }
    return { comment: await this.find(octokit, repo, number), pending, written };
  }

  /** The same for a comment the caller has listed (a release record's comments are read anyway). */
  async viewListed(
    repo: RepoRef,
    number: number,
    listed: { id: number; body: string } | null,
  ): Promise<ChecklistView> {
    const [known, pending, written] = await Promise.all([
      this.recall(repo, number),
      this.pending(repo, number),
      this.lastWritten(repo, number),
    ]);
    const comment =
      listed === null
        ? null
        : known?.id === listed.id
          ? known
          : { id: listed.id, body: listed.body, found: true as const };
    return { comment, pending, written };
  }

  /**
   * Writes the checklist as judged (see judgedOf), one instance at a time: a store lease
   * serialises the read, the write and the removal of the edits written, across every
   * instance sharing the store (in one process the per-PR queue already does). An instance
   * that finds the lease taken asks the holder to go round once more, so its edits are
   * written by the holder rather than lost.
   */
  async write(
    octokit: Octokit,
    repo: RepoRef,
    number: number,
    input: { view: ChecklistView; key: string; render: RenderChecklist; now: Date },
  ): Promise<CommentWrite> {
    let view = input.view;
    // Nothing judged since the app wrote this very body: no lease, no read, no write.
    if (unchanged(view, input.key, input.render)) return "unchanged";
    let result: CommentWrite = "busy";
    for (let round = 0; round < MAX_WRITE_ROUNDS; round++) {
      if (!(await this.#lease(repo, number))) return result;
      try {
        // Read again under the lease: another instance may have written (and dropped the
        // edits it wrote) since this view was taken; a stale base would lose their ticks.
        view = {
          comment: (await this.recall(repo, number)) ?? view.comment,
          pending: await this.pending(repo, number),
          written: await this.lastWritten(repo, number),
        };
        result = await this.#writeOnce(octokit, repo, number, { ...input, view });
      } finally {
        // A write that outlived its lease may free another's: the store has no
        // compare-and-delete. The lease is many writes long; the cost is one more round.
        await this.store.delete(this.#leaseKey(repo, number));
      }
      if (!(await this.#wanted(repo, number))) return result;
    }
    return result;
  }

  /**
   * GitHub offers no conditional write, so a write that would change the comment reads it
   * first (one request), at the moment the write leaves, after the client's throttle has
   * spaced it from the writes before (github/read-then-write.ts): what it replaces is what
   * GitHub holds then, not what it held a second earlier. When the comment shows a body the
   * app neither wrote nor judged, a person's edit is on its way as a webhook: overwriting it
   * now would take their tick off the page before it is judged, so nothing is sent and the
   * write is left to that edit's own event, which folds it in and writes (the check is still
   * written from what is judged). Only an edit whose webhook never came (older than
   * UNJUDGED_EDIT_GRACE_MS) is overwritten, with a note. A save that lands within the read's
   * round trip is overwritten; its webhook, judged on the app's last write, puts its ticks
   * back with the next write. Every write carries the comment's id and the next version, and
   * is recorded as the last (checklist/written.ts).
   */
  async #writeOnce(
    octokit: Octokit,
    repo: RepoRef,
    number: number,
    input: { view: ChecklistView; key: string; render: RenderChecklist; now: Date },
  ): Promise<CommentWrite> {
    const { view, render, key } = input;
    if (unchanged(view, key, render)) return "unchanged";
    const judged = judgedOf(view, key);
    const version = nextVersion(view, judged.state, key);
    const existing = view.comment;
    // Decided by the read made as the write leaves (the fetch below), or gone: no comment.
    let decided: FreshWrite = { kind: "gone" };
    if (existing !== null) {
      const state = { ...judged.state, comment: existing.id, version };
      const lost = [...judged.notes, { text: LOST_EDIT_NOTE }];
      const plan: WritePlan = {
        same: render(judged.state, judged.notes),
        judged: { body: render(state, judged.notes), notes: judged.notes },
        lost: { body: render(state, lost), notes: lost },
        known: new Set([bodyDigest(existing.body), ...view.pending.map((edit) => edit.body)]),
        now: input.now,
      };
      const fetch = readThenWrite((current) => {
        decided = decideWrite(plan, current);
        return decided.kind === "write" ? { body: decided.write.body } : null;
      }, clientFetch(octokit));
      if (!(await this.#update(octokit, repo, existing.id, plan.judged.body, fetch))) {
        decided = { kind: "gone" };
      }
    }
    return this.#settleWrite(octokit, repo, number, { ...input, judged, version, decided });
  }

  /** Records what the write left on GitHub, or creates the comment when there is none. */
  async #settleWrite(
    octokit: Octokit,
    repo: RepoRef,
    number: number,
    input: {
      view: ChecklistView;
      key: string;
      render: RenderChecklist;
      judged: JudgedChecklist;
      version: number;
      decided: FreshWrite;
    },
  ): Promise<CommentWrite> {
    const { view, key, judged, decided } = input;
    const id = view.comment?.id;
    if (decided.kind === "deferred") return "deferred";
    if (decided.kind === "gone" || id === undefined) {
      // No comment yet, or someone deleted it: the body carries the signed ticks.
      // Its id is not known yet: the next write binds the state to it.
      const state = { ...judged.state, comment: 0, version: input.version };
      const first = input.render(state, judged.notes);
      const made = await this.upsert(octokit, repo, number, null, { body: first, key });
      await this.#settle(repo, number, { body: first, notes: judged.notes }, view.pending);
      return made;
    }
    const shown =
      decided.kind === "write" ? decided.write : { body: decided.body, notes: judged.notes };
    await this.#stamp(repo, number, id, shown.body, key);
    await this.#settle(repo, number, { id, ...shown }, view.pending);
    return decided.kind === "write" ? "updated" : "unchanged";
  }

  /** Remembers what the comment now shows and drops the edits it was written with. */
  async #settle(
    repo: RepoRef,
    number: number,
    shown: { id?: number; body?: string; notes: Note[] },
    written: readonly PendingEdit[],
  ): Promise<void> {
    const known = await this.recall(repo, number);
    const id = shown.id ?? known?.id;
    const body = shown.body ?? known?.body;
    if (id !== undefined && body !== undefined) {
      const notes = shown.notes.length > 0 ? { notes: shown.notes } : {};
      await this.remember(repo, number, { id, body, ...notes });
    }
    const ledger = this.#ledgerKey(repo, number);
    for (const edit of written) await this.store.removeFromSet(ledger, edit.member);
  }

  async #lease(repo: RepoRef, number: number): Promise<boolean> {
    const lease = this.#leaseKey(repo, number);
    if (await this.store.claim(lease, WRITE_LEASE_MS)) return true;
    // Ask the holder to go round again, then try once more: it looks for the request only
    // after releasing, so either it sees the request or this claim succeeds.
    await this.store.set(`${lease}:again`, "1", WRITE_LEASE_MS);
    return this.store.claim(lease, WRITE_LEASE_MS);
  }

  async #wanted(repo: RepoRef, number: number): Promise<boolean> {
    const again = `${this.#leaseKey(repo, number)}:again`;
    if ((await this.store.get(again)) === null) return false;
    await this.store.delete(again);
    return true;
  }

  async remember(repo: RepoRef, number: number, comment: ChecklistComment): Promise<void> {
    await this.store.set(this.#key(repo, number), JSON.stringify(comment), COMMENT_TTL_MS);
  }

  #key(repo: RepoRef, number: number): string {
    return `checklist-comment:${repo.owner}/${repo.repo}#${number}`.toLowerCase();
  }

  /** By repository id where known: a renamed repository keeps what the app wrote. */
  #stampKey(repo: RepoRef, number: number): string {
    const named = repo.id !== undefined ? `${repo.id}` : `${repo.owner}/${repo.repo}`;
    return `checklist-written:${named}#${number}`.toLowerCase();
  }

  #ledgerKey(repo: RepoRef, number: number): string {
    return `checklist-edits:${repo.owner}/${repo.repo}#${number}`.toLowerCase();
  }

  #leaseKey(repo: RepoRef, number: number): string {
    return `checklist-write:${repo.owner}/${repo.repo}#${number}`.toLowerCase();
  }
}

/** The bodies a write may send, decided between once the comment is read (decideWrite). */
interface WritePlan {
  /** The judged state as the comment already carries it: shown, nothing to write. */
  same: string;
  judged: { body: string; notes: Note[] };
  /** The same with a note that an edit never reached the app. */
  lost: { body: string; notes: Note[] };
  /** Digests of the bodies the app wrote or judged: anything else is a person's unjudged save. */
  known: ReadonlySet<string>;
  now: Date;
}

type FreshWrite =
  | { kind: "write"; write: { body: string; notes: Note[] } }
  | { kind: "same"; body: string }
  | { kind: "deferred" }
  | { kind: "gone" };

/** What to send, given the comment as GitHub holds it at the moment of the write. */
function decideWrite(plan: WritePlan, current: unknown): FreshWrite {
  const { body, updated_at: updatedAt } = (current ?? {}) as {
    body?: unknown;
    updated_at?: unknown;
  };
  const shown = typeof body === "string" ? body : "";
  // Already shown (a refused edit undone by someone else's write): nothing to send.
  if (shown === plan.same || shown === plan.judged.body) return { kind: "same", body: shown };
  if (plan.known.has(bodyDigest(shown))) return { kind: "write", write: plan.judged };
  const age = plan.now.getTime() - Date.parse(typeof updatedAt === "string" ? updatedAt : "");
  // An unreadable date is no proof that the edit's webhook was lost.
  if (!(age >= UNJUDGED_EDIT_GRACE_MS)) return { kind: "deferred" };
  return { kind: "write", write: plan.lost };
}

/**
 * The version of the next write: one past the last written, unless the write puts back the
 * very state the app wrote last (a person's refused edit undone), which keeps its version.
 */
function nextVersion(view: ChecklistView, state: ChecklistState, key: string): number {
  const last = view.written;
  const id = view.comment?.id;
  if (last && id === last.comment) {
    const again = payloadDigest(encodeState({ ...state, comment: id }, key));
    if (again === last.digest && state.version === last.version) return last.version;
  }
  return Math.max(last?.version ?? 0, state.version) + 1;
}

function unchanged(view: ChecklistView, key: string, render: RenderChecklist): boolean {
  if (view.comment === null || view.pending.length > 0) return false;
  const judged = judgedOf(view, key);
  return render(judged.state, judged.notes) === view.comment.body;
}

/**
 * The checklist as judged: the state the app last wrote, with every pending edit folded in.
 * A body the app only found (not wrote) is the base only when no pending edit brings the
 * body GitHub reported before it (see JudgedEdit.base).
 */
export function judgedOf(view: ChecklistView, key: string): JudgedChecklist {
  const comment = view.comment;
  return judgedChecklist({
    id: comment?.id,
    written: comment && !comment.found ? comment.body : undefined,
    found: comment?.found ? comment.body : undefined,
    stamp: view.written,
    notes: comment?.notes,
    pending: view.pending,
    key,
  });
}
