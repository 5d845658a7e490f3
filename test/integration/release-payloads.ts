// Webhook payloads of a release's life, from GitHub's published examples: the tag's create
// and push, the GitHub release, comments on the record, deployment statuses and the
// protection rule's request.
import { APP_ID, example } from "./harness.js";
import { SHA, type WorldIssue } from "./release-world.js";

export const TAG = "v1.1.0";

export function tagPush(tag = TAG, options: { deleted?: boolean; sender?: string } = {}) {
  const payload = example("push");
  Object.assign(payload, {
    ref: `refs/tags/${tag}`,
    created: !options.deleted,
    deleted: options.deleted === true,
    after: options.deleted ? "0".repeat(40) : SHA,
    commits: [],
    sender: { login: options.sender ?? "tagger-tom", type: "User" },
  });
  return payload;
}

export function tagCreated(tag = TAG, sender = "tagger-tom") {
  const payload = example("create");
  Object.assign(payload, { ref: tag, ref_type: "tag", sender: { login: sender, type: "User" } });
  return payload;
}

export function released(action: "published" | "edited" | "created", tag = TAG) {
  const payload = example("release", action);
  const release = payload.release as Record<string, unknown>;
  Object.assign(release, { tag_name: tag, draft: false });
  return payload;
}

export function commentOn(issue: WorldIssue, body: string, user: string, action = "created") {
  const payload = example("issue_comment", action);
  Object.assign(payload, {
    issue: {
      ...(payload.issue as object),
      number: issue.number,
      body: issue.body,
      labels: issue.labels.map((name) => ({ name })),
      performed_via_github_app: issue.appId === null ? null : { id: issue.appId },
      pull_request: undefined,
    },
    comment: {
      ...(payload.comment as object),
      id: 9999,
      body,
      user: { login: user, type: "User" },
    },
    sender: { login: user, type: "User" },
  });
  delete (payload.issue as Record<string, unknown>).pull_request;
  return payload;
}

export function deploymentStatus(environment: string, state: string, at = "2026-11-26T11:00:00Z") {
  const payload = example("deployment_status");
  const deployment = payload.deployment as Record<string, unknown>;
  Object.assign(deployment, {
    id: environment === "staging" ? 801 : 802,
    sha: SHA,
    ref: TAG,
    environment,
    creator: { login: "deployer-dave" },
  });
  Object.assign(payload.deployment_status as object, {
    state,
    environment,
    created_at: at,
    target_url: `https://github.com/Codertocat/Hello-World/actions/runs/42`,
  });
  payload.workflow_run = { id: 42 };
  return payload;
}

/** A checklist comment edit on the record: `from` before, `to` after, by `sender`. */
export function checklistEdit(
  issue: WorldIssue,
  comment: { id: number },
  from: string,
  to: string,
  sender: string,
) {
  const payload = commentOn(issue, to, sender, "edited");
  Object.assign(payload.comment as object, {
    id: comment.id,
    body: to,
    user: { login: "release-policy[bot]", type: "Bot" },
    performed_via_github_app: { id: APP_ID },
  });
  payload.changes = { body: { from } };
  return payload;
}

/** The box of `text` ticked, as a person ticks it. */
export function tick(body: string, text: string): string {
  return body
    .split("\n")
    .map((l) => (l.includes(text) ? l.replace("- [ ]", "- [x]") : l))
    .join("\n");
}

/** GitHub asks the protection rule about a job deploying the tagged commit. */
export function protectionRequested(environment: string, ref = TAG) {
  const api = "https://api.github.com/repos/Codertocat/Hello-World";
  const push = example("push");
  return {
    action: "requested",
    environment,
    event: "push",
    deployment_callback_url: `${api}/actions/runs/42/deployment_protection_rule`,
    deployment: {
      id: 900,
      sha: SHA,
      ref,
      environment,
      task: "deploy",
      creator: { login: "github-actions[bot]", type: "Bot" },
      created_at: "2026-11-26T10:00:00Z",
    },
    pull_requests: [],
    repository: push.repository,
    installation: push.installation,
    sender: { login: "deployer-dave", type: "User" },
  };
}
