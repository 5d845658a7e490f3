/**
 * The webhooks the scenarios replay, built like the end-to-end builders: each changes the
 * stand-in's state as GitHub would, then returns the payload GitHub would send. Adds the
 * events a pull request's life and a policy change need beyond those builders.
 */
import { GitHubEvents, tickBox, type Webhook } from "../test/e2e/github-events.js";
import type { CheckConclusion, PullRecord, RepoRecord } from "../test/stand-in/records.js";
import type { StandIn } from "../test/stand-in/server.js";
import {
  checkRun,
  comment,
  issue,
  label,
  pullRequest,
  repository,
  Urls,
  user,
  type JsonObject,
  type ShapeContext,
} from "../test/stand-in/shapes.js";

export type { Webhook };

const POLICY_PATH = ".github/release-policy.yml";

export class BenchEvents extends GitHubEvents {
  private readonly shapes: ShapeContext;
  /** The policy's checklist items: what a made-up checklist comment shows. */
  checklistItems: string[] = [];

  constructor(
    private readonly standIn: StandIn,
    owner: string,
    repo: string,
  ) {
    super(standIn, owner, repo);
    this.shapes = { state: standIn.state, urls: new Urls(standIn.url) };
  }

  /** The author pushes a commit to the pull request's branch: `pull_request.synchronize`. */
  push(number: number, pusher: string): Webhook {
    const pull = this.pull(number);
    const before = pull.headSha;
    const sha = this.standIn.state.addCommit(this.owner, this.repo, {
      branch: pull.headRef,
      message: `Update #${number}`,
      author: pusher,
      files: [{ filename: `src/change-${number}.ts` }],
    });
    pull.headSha = sha;
    pull.commits.push(sha);
    return this.prEvent("synchronize", number, pusher, { before, after: sha });
  }

  /** CI finishes a check on the pull request's head: `check_run.completed`. */
  checkCompleted(number: number, name: string, conclusion: CheckConclusion = "success"): Webhook {
    const run = this.standIn.state.addCheckRun(this.owner, this.repo, {
      name,
      headSha: this.pull(number).headSha,
      conclusion,
    });
    const record = this.record().checkRuns.find((r) => r.id === run.id);
    if (!record) throw new Error(`check run ${run.id} vanished`);
    return {
      event: "check_run",
      payload: {
        action: "completed",
        check_run: checkRun(this.shapes, this.record(), record),
        ...this.around("github-actions[bot]"),
      },
    };
  }

  /**
   * GitHub tells the app about its own check run on the head (it just wrote it). A floor app
   * writes none: one is made up then, so that every app gets the same webhooks.
   */
  ownCheckEcho(number: number): Webhook | null {
    const { state } = this.standIn;
    const headSha = this.pull(number).headSha;
    if (state.ownCheckRuns(this.owner, this.repo, headSha).length === 0) {
      state.addCheckRun(this.owner, this.repo, {
        name: "release-policy",
        headSha,
        conclusion: "failure",
        app: { id: state.app.id, slug: state.app.slug, name: state.app.name },
      });
    }
    const latest = state.ownCheckRuns(this.owner, this.repo, headSha).at(-1);
    const record = latest && this.record().checkRuns.find((r) => r.id === latest.id);
    if (!record) return null;
    return {
      event: "check_run",
      payload: {
        action: record.status === "completed" ? "completed" : "created",
        check_run: checkRun(this.shapes, this.record(), record),
        ...this.around(this.standIn.state.botLogin()),
      },
    };
  }

  /** The app's own checklist comment, as GitHub echoes the app's last edit of it. */
  ownCommentEcho(number: number): Webhook | null {
    const record = this.botComment(number, this.checklistItems);
    if (!record) return null;
    const repo = this.record();
    const shape = comment(this.shapes, repo, record);
    return {
      event: "issue_comment",
      payload: {
        action: "edited",
        changes: { body: { from: record.body } },
        issue: issue(this.shapes, repo, this.issueOf(number)),
        comment: shape,
        ...this.around(this.standIn.state.botLogin()),
      },
    };
  }

  /** `who` ticks a box of the app's checklist comment. */
  tick(number: number, item: string, who: string): Webhook {
    const record = this.botComment(number, this.checklistItems);
    if (!record) throw new Error(`no checklist comment on #${number}`);
    return this.editComment(record.id, tickBox(record.body, item), who);
  }

  labeled(number: number, name: string, who: string): Webhook {
    const repo = this.record();
    this.standIn.state.attachLabel(repo, this.issueOf(number), name);
    return this.prEvent("labeled", number, who, {
      label: label(this.shapes, repo, name),
    });
  }

  unlabeled(number: number, name: string, who: string): Webhook {
    const repo = this.record();
    const record = this.issueOf(number);
    record.labels = record.labels.filter((l) => l.toLowerCase() !== name.toLowerCase());
    return this.prEvent("unlabeled", number, who, {
      label: label(this.shapes, repo, name),
    });
  }

  /** The pull request is merged: a merge commit on the base branch, `pull_request.closed`. */
  merge(number: number, by: string): Webhook & { mergeSha: string } {
    const pull = this.pull(number);
    const repo = this.record();
    const base = repo.branches.get(pull.baseRef) ?? pull.baseSha;
    const mergeSha = this.standIn.state.addCommit(this.owner, this.repo, {
      message: `Merge pull request #${number} from ${pull.headRef}`,
      author: by,
      parents: [base, pull.headSha],
    });
    repo.branches.set(pull.baseRef, mergeSha);
    const now = this.standIn.state.now();
    Object.assign(pull, { merged: true, mergedAt: now, mergedBy: by, mergeCommitSha: mergeSha });
    Object.assign(this.issueOf(number), { state: "closed", closedAt: now, updatedAt: now });
    return { ...this.prEvent("closed", number, by), mergeSha };
  }

  /** Someone pushes a new policy file to the default branch: `push`. */
  policyPush(text: string, pusher: string): Webhook {
    const repo = this.record();
    const before = repo.branches.get(repo.defaultBranch) ?? "";
    this.standIn.state.addFile(this.owner, this.repo, repo.defaultBranch, POLICY_PATH, text);
    const after = this.standIn.state.addCommit(this.owner, this.repo, {
      branch: repo.defaultBranch,
      message: "Change the release policy",
      author: pusher,
      files: [{ filename: POLICY_PATH }],
    });
    const pusherShape = user(this.shapes, pusher);
    const commit = {
      id: after,
      tree_id: after,
      distinct: true,
      message: "Change the release policy",
      timestamp: this.standIn.state.now(),
      url: `${this.shapes.urls.repoWeb(repo)}/commit/${after}`,
      author: { name: pusher, email: `${pusher}@example.com`, username: pusher },
      committer: { name: pusher, email: `${pusher}@example.com`, username: pusher },
      added: [],
      removed: [],
      modified: [POLICY_PATH],
    };
    return {
      event: "push",
      payload: {
        ref: `refs/heads/${repo.defaultBranch}`,
        before,
        after,
        created: false,
        deleted: false,
        forced: false,
        base_ref: null,
        compare: `${this.shapes.urls.repoWeb(repo)}/compare/${before}...${after}`,
        commits: [commit],
        head_commit: commit,
        pusher: { name: pusher, email: `${pusher}@example.com` },
        ...this.around(String(pusherShape.login)),
      },
    };
  }

  private prEvent(action: string, number: number, sender: string, extra: JsonObject = {}): Webhook {
    return {
      event: "pull_request",
      payload: {
        action,
        number,
        ...extra,
        pull_request: pullRequest(this.shapes, this.record(), this.pull(number), true),
        ...this.around(sender),
      },
    };
  }

  private around(sender: string): JsonObject {
    const repo = this.record();
    return {
      repository: repository(this.shapes, repo),
      installation: {
        id: repo.installationId,
        node_id: Buffer.from(`Installation:${repo.installationId}`).toString("base64"),
      },
      sender: user(this.shapes, sender),
    };
  }

  /** The app's checklist comment; made up (unticked boxes) for a floor app, which writes none. */
  private botComment(number: number, items: string[] = []) {
    const { state } = this.standIn;
    const bot = state.botLogin();
    const found = this.record().comments.find((c) => c.issueNumber === number && c.user === bot);
    if (found || items.length === 0) return found;
    const body = items.map((item) => `- [ ] ${item}`).join("\n");
    return state.createComment(this.record(), number, bot, body);
  }

  private record(): RepoRecord {
    return this.standIn.state.requireRepo(this.owner, this.repo);
  }

  private pull(number: number): PullRecord {
    const found = this.record().pulls.get(number);
    if (!found) throw new Error(`no pull request #${number}`);
    return found;
  }

  private issueOf(number: number) {
    const found = this.record().issues.get(number);
    if (!found) throw new Error(`no issue #${number}`);
    return found;
  }
}
