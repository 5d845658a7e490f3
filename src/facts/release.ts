// What the release gates know about one release: the tag, the GitHub release and its notes,
// the changes included since the previous release, and what people did on the release
// record (ticks, sign-offs). Plain data, gathered once per event; the evaluator stays pure.
//
// Cost, in requests, beyond the tag's (see release-tag.ts) and the changes' (see
// release-changes.ts, cached per range): 1 (the GitHub release) + 1 when the notes must come
// from the changelog + 1 per team a gate names (cached briefly) + the record's comments.
import { isNotFound } from "../github/errors.js";
import type { Octokit } from "../github/types.js";
import { DEFAULT_CHANGELOG, type Needs } from "./needs.js";
import type { ReleaseDeployment, ReleaseState } from "./release-state.js";
import type { Store } from "../store/store.js";
import { readIncludedChanges, type IncludedChanges } from "./release-changes.js";
import {
  readBranch,
  readPreviousTag,
  readTag,
  type BranchFact,
  type TagFact,
} from "./release-tag.js";
import type { TeamReader } from "./teams.js";
import type { ChecklistFacts, RepoRef } from "./types.js";

/** The published GitHub release for the tag. */
export interface GithubRelease {
  name: string;
  url: string;
  author: string;
  prerelease: boolean;
  body: string;
  publishedAt?: string;
}

export type NotesFact =
  | { found: true; source: "release" | "changelog"; where: string }
  | { found: false; looked: string[] };

export interface SignoffFact {
  user: string;
  /** ISO 8601. */
  at: string;
  url: string;
}

/** A comment on the release record, as the facts need it. */
export interface RecordComment {
  id: number;
  body: string;
  user: string;
  bot: boolean;
  createdAt: string;
  url: string;
  appId?: number;
}

export interface PolicyVersion {
  location: string;
  /** Git blob SHA of the file: the version the release was judged under. */
  sha?: string;
}

export interface ReleaseFacts {
  repo: RepoRef;
  tag: TagFact;
  /** Who pushed the tag, when the app saw it. */
  pusher?: string;
  /** Set when a gate's tag rule names branches. */
  branch?: BranchFact;
  release?: GithubRelease;
  /** Set when a gate requires release notes. */
  notes?: NotesFact;
  /** Absent when the tag does not exist. */
  changes?: IncludedChanges;
  checklist: ChecklistFacts;
  signoffs: SignoffFact[];
  /** Members of each team a gate names, by "org/slug". */
  teams: Record<string, string[]>;
  deployments: ReleaseDeployment[];
  deleted?: ReleaseState["deleted"];
  policy: PolicyVersion[];
}

/** `releases.tags` of the policy (its schema lives with the rest of `releases`). */
export interface TagRules {
  pattern?: string;
  branches?: string[];
  signed?: boolean;
}

export async function gatherReleaseFacts(input: {
  octokit: Octokit;
  appId: number;
  store: Store;
  repo: RepoRef;
  tag: string;
  /** What the release gates need fetched (src/evaluate/needs.ts). */
  needs: Needs;
  /** `releases.tags` of the policy: the branches are read only when a rule names them. */
  tagRules: TagRules | undefined;
  /** The policy files the release is judged under. */
  policy: PolicyVersion[];
  teams: TeamReader;
  state: ReleaseState;
  checklist: ChecklistFacts;
  comments: RecordComment[];
}): Promise<ReleaseFacts> {
  const { octokit, repo, needs } = input;
  const rules = input.tagRules;
  const tag = await readTag(octokit, repo, input.tag);
  const sha = tag.sha;
  const [branch, release, previous, teams] = await Promise.all([
    sha && rules?.branches ? readBranch(octokit, repo, sha, rules.branches) : undefined,
    readRelease(octokit, repo, input.tag),
    sha ? readPreviousTag(octokit, repo, input.tag, rules?.pattern) : undefined,
    input.teams.members(needs.teams),
  ]);
  const changelog = needs.notes ? (needs.changelog ?? DEFAULT_CHANGELOG) : undefined;
  const [changes, notes] = await Promise.all([
    sha ? readIncludedChanges({ ...input, sha, since: previous }) : undefined,
    changelog ? readNotes(octokit, repo, input.tag, release, changelog) : undefined,
  ]);
  return {
    repo,
    tag,
    ...(input.state.pusher ? { pusher: input.state.pusher } : {}),
    ...(branch ? { branch } : {}),
    ...(release ? { release } : {}),
    ...(notes ? { notes } : {}),
    ...(changes ? { changes } : {}),
    checklist: input.checklist,
    signoffs: signoffsOf(input.comments),
    teams,
    deployments: input.state.deployments,
    ...(input.state.deleted ? { deleted: input.state.deleted } : {}),
    policy: input.policy,
  };
}

/** The published release for the tag; drafts are not releases yet. */
async function readRelease(
  octokit: Octokit,
  repo: RepoRef,
  tag: string,
): Promise<GithubRelease | undefined> {
  try {
    const { data } = await octokit.rest.repos.getReleaseByTag({
      owner: repo.owner,
      repo: repo.repo,
      tag,
    });
    if (data.draft) return undefined;
    return {
      name: data.name ?? tag,
      url: data.html_url,
      author: data.author.login,
      prerelease: data.prerelease,
      body: data.body ?? "",
      ...(data.published_at ? { publishedAt: data.published_at } : {}),
    };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

async function readNotes(
  octokit: Octokit,
  repo: RepoRef,
  tag: string,
  release: GithubRelease | undefined,
  changelog: string,
): Promise<NotesFact> {
  if (release && release.body.trim() !== "") {
    return { found: true, source: "release", where: release.url };
  }
  const looked = [
    release ? "the GitHub release's body (empty)" : "a GitHub release (none published)",
  ];
  const text = await readFile(octokit, repo, changelog, tag);
  looked.push(
    `a section for ${tag} in ${changelog}${text === null ? " (no such file at the tag)" : ""}`,
  );
  if (text !== null && hasSection(text, tag)) {
    return { found: true, source: "changelog", where: `${changelog} at ${tag}` };
  }
  return { found: false, looked };
}

async function readFile(
  octokit: Octokit,
  repo: RepoRef,
  path: string,
  ref: string,
): Promise<string | null> {
  try {
    const { data } = await octokit.rest.repos.getContent({
      owner: repo.owner,
      repo: repo.repo,
      path,
      ref,
    });
    if (Array.isArray(data) || data.type !== "file" || !("content" in data)) return null;
    return Buffer.from(data.content, "base64").toString("utf8");
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

const HEADING = /^(#{1,6})\s+(.*)$/;

/**
 * Whether a markdown changelog has a heading naming the tag (or its version without a
 * leading "v") followed by at least one line of text before the next heading.
 */
export function hasSection(text: string, tag: string): boolean {
  const names = [tag, tag.replace(/^v(?=\d)/, "")];
  const lines = text.split(/\r\n|\r|\n/);
  const start = lines.findIndex((line) => {
    const heading = HEADING.exec(line)?.[2];
    return heading !== undefined && names.some((name) => mentions(heading, name));
  });
  if (start < 0) return false;
  for (const line of lines.slice(start + 1)) {
    if (HEADING.test(line)) return false;
    if (line.trim() !== "") return true;
  }
  return false;
}

/** The heading names the version as a whole word: "1.2.0" is not found in "1.2.0-rc.1" or "11.2.0". */
function mentions(heading: string, name: string): boolean {
  let from = heading.indexOf(name);
  while (from >= 0) {
    const before = heading[from - 1];
    const after = heading[from + name.length];
    const edge = (c: string | undefined): boolean => c === undefined || !/[0-9A-Za-z.+-]/.test(c);
    if ((edge(before) || before === "v") && edge(after)) return true;
    from = heading.indexOf(name, from + 1);
  }
  return false;
}

const SIGNOFF = /^\/sign-?off\b/i;

/** `/signoff` comments by people, in the order they were made. */
export function signoffsOf(comments: readonly RecordComment[]): SignoffFact[] {
  return comments
    .filter((c) => !c.bot && SIGNOFF.test(c.body.trim()))
    .map((c) => ({ user: c.user, at: c.createdAt, url: c.url }));
}

export function isSignoffCommand(body: string): boolean {
  return SIGNOFF.test(body.trim());
}

/** Every comment on the record: the checklist comment and the sign-offs are among them. */
export async function readRecordComments(
  octokit: Octokit,
  repo: RepoRef,
  number: number,
): Promise<RecordComment[]> {
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner: repo.owner,
    repo: repo.repo,
    issue_number: number,
    per_page: 100,
  });
  return comments.map((c) => ({
    id: c.id,
    body: c.body ?? "",
    user: c.user?.login ?? "ghost",
    bot: c.user?.type === "Bot",
    createdAt: c.created_at,
    url: c.html_url,
    ...(c.performed_via_github_app ? { appId: c.performed_via_github_app.id } : {}),
  }));
}
