// Finds, creates and updates the one release record (an issue) per tag. It is found again by
// the app's label and a hidden marker naming the tag, on an issue the app itself opened, so a
// person cannot make another issue the record. The app remembers each record it wrote; after
// a restart with an empty store, one listing of the labelled issues finds it again. A claim in
// the store keeps two instances from opening two records for one tag.
import { SEND_ONCE } from "../github/create.js";
import type { Octokit } from "../github/types.js";
import type { RepoRef } from "../facts/types.js";
import { parseRecordMarker, RECORD_LABEL } from "../report/release-record.js";
import type { Store } from "../store/store.js";

export interface ReleaseRecord {
  number: number;
  url: string;
  title: string;
  body: string;
  state: "open" | "closed";
}

export interface RecordWrite {
  title: string;
  body: string;
  state: "open" | "closed";
  reason?: "completed" | "not_planned";
}

export type RecordResult = "created" | "updated" | "unchanged" | "busy";

const RECORD_TTL_MS = 60 * 60 * 1000;
/** Which tag a commit is released as: deployments of it look the release up by commit. */
const SHA_TTL_MS = 90 * 24 * 60 * 60 * 1000;
const CREATE_CLAIM_MS = 5 * 60 * 1000;

type IssueData = Awaited<ReturnType<Octokit["rest"]["issues"]["listForRepo"]>>["data"][number];

export class ReleaseRecords {
  constructor(
    private readonly store: Store,
    private readonly appId: number,
  ) {}

  /** The record for `tag`: remembered, else found among the labelled issues (one request). */
  async find(octokit: Octokit, repo: RepoRef, tag: string): Promise<ReleaseRecord | null> {
    const cached = await this.store.get(this.#key(repo, tag));
    if (cached) return JSON.parse(cached) as ReleaseRecord;
    const found = (await this.#list(octokit, repo)).find((r) => r.tag === tag)?.record ?? null;
    if (found) await this.remember(repo, tag, found);
    return found;
  }

  /** The tag released at `sha`, if the app remembers writing its record; no request. */
  knownTag(repo: RepoRef, sha: string): Promise<string | null> {
    return this.store.get(this.#shaKey(repo, sha));
  }

  /** The tag released at `sha`, as remembered, else from the records' markers; null if none. */
  async tagOf(octokit: Octokit, repo: RepoRef, sha: string): Promise<string | null> {
    const known = await this.knownTag(repo, sha);
    if (known) return known;
    const listed = await this.#list(octokit, repo);
    const found =
      listed.find((r) => r.sha === sha && r.record.state === "open") ??
      listed.find((r) => r.sha === sha);
    if (!found) return null;
    await this.rememberSha(repo, sha, found.tag);
    return found.tag;
  }

  async rememberSha(repo: RepoRef, sha: string, tag: string): Promise<void> {
    await this.store.set(this.#shaKey(repo, sha), tag, SHA_TTL_MS);
  }

  /** Issues the app opened with the label and a marker, newest first (GitHub's first page). */
  async #list(
    octokit: Octokit,
    repo: RepoRef,
  ): Promise<{ tag: string; sha?: string; record: ReleaseRecord }[]> {
    const { data } = await octokit.rest.issues.listForRepo({
      owner: repo.owner,
      repo: repo.repo,
      labels: RECORD_LABEL,
      state: "all",
      per_page: 100,
    });
    return data.flatMap((issue) => {
      const marker = this.#ours(issue) ? parseRecordMarker(issue.body ?? "") : null;
      return marker ? [{ ...marker, record: toRecord(issue) }] : [];
    });
  }

  #ours(issue: IssueData): boolean {
    return issue.pull_request === undefined && issue.performed_via_github_app?.id === this.appId;
  }

  /** Creates the record or brings it up to date; writes nothing that would not change. */
  async upsert(
    octokit: Octokit,
    repo: RepoRef,
    tag: string,
    existing: ReleaseRecord | null,
    write: RecordWrite,
  ): Promise<{ result: RecordResult; record?: ReleaseRecord }> {
    const at = { owner: repo.owner, repo: repo.repo };
    if (existing === null) {
      // Another instance is opening it: that one's record picks this event's facts up next.
      if (!(await this.store.claim(`${this.#key(repo, tag)}:create`, CREATE_CLAIM_MS))) {
        return { result: "busy" };
      }
      // Sent once (github/create.ts): should the answer be lost, the claim is let go and the
      // next event finds the record by its marker before opening another.
      const { data } = await octokit.rest.issues
        .create({
          ...at,
          title: write.title,
          body: write.body,
          labels: [RECORD_LABEL],
          ...SEND_ONCE,
        })
        .catch(async (error: unknown) => {
          await this.store.delete(`${this.#key(repo, tag)}:create`);
          throw error;
        });
      let record = toRecord(data);
      if (write.state === "closed") record = await this.#patch(octokit, repo, record, write);
      await this.remember(repo, tag, record);
      return { result: "created", record };
    }
    if (
      existing.body === write.body &&
      existing.title === write.title &&
      existing.state === write.state
    ) {
      return { result: "unchanged", record: existing };
    }
    const record = await this.#patch(octokit, repo, existing, write);
    await this.remember(repo, tag, record);
    return { result: "updated", record };
  }

  async #patch(
    octokit: Octokit,
    repo: RepoRef,
    record: ReleaseRecord,
    write: RecordWrite,
  ): Promise<ReleaseRecord> {
    const stateChanged = record.state !== write.state;
    await octokit.rest.issues.update({
      owner: repo.owner,
      repo: repo.repo,
      issue_number: record.number,
      title: write.title,
      body: write.body,
      ...(stateChanged
        ? { state: write.state, ...(write.reason ? { state_reason: write.reason } : {}) }
        : {}),
    });
    return { ...record, title: write.title, body: write.body, state: write.state };
  }

  async remember(repo: RepoRef, tag: string, record: ReleaseRecord): Promise<void> {
    await this.store.set(this.#key(repo, tag), JSON.stringify(record), RECORD_TTL_MS);
  }

  async forget(repo: RepoRef, tag: string): Promise<void> {
    await this.store.delete(this.#key(repo, tag));
  }

  #key(repo: RepoRef, tag: string): string {
    return `release-record:${repo.owner.toLowerCase()}/${repo.repo.toLowerCase()}:${tag}`;
  }

  #shaKey(repo: RepoRef, sha: string): string {
    return `release-sha:${repo.owner}/${repo.repo}:${sha}`.toLowerCase();
  }
}

function toRecord(issue: {
  number: number;
  html_url: string;
  title: string;
  body?: string | null;
  state: string;
}): ReleaseRecord {
  return {
    number: issue.number,
    url: issue.html_url,
    title: issue.title,
    body: issue.body ?? "",
    state: issue.state === "closed" ? "closed" : "open",
  };
}
