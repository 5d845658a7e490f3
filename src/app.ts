import type { ApplicationFunction, Probot } from "probot";
import { buildDeps, type AppOptions } from "./app-deps.js";
import { registerDeploymentHandlers } from "./handlers/deployment.js";
import { onChecklistEdit } from "./handlers/checklist-edit.js";
import {
  onCheckRunCompleted,
  onCheckRunCreated,
  onOwnCheckRequested,
  onStatus,
} from "./handlers/checks.js";
import {
  onPullRequest,
  onPullRequestClosed,
  onReview,
  PULL_REQUEST_ACTIONS,
  REVIEW_ACTIONS,
} from "./handlers/pull-request.js";
import { onMergeGroupChecksRequested } from "./handlers/merge-group.js";
import { onPush } from "./handlers/push.js";
import { registerReleaseHandlers, withReleaseGate } from "./handlers/release.js";

/** Builds the Probot app from explicit dependencies (tests inject a clock and a store). */
export function createApp(options: AppOptions): ApplicationFunction {
  return (app: Probot) => {
    const deps = buildDeps(options);
    app.on([...PULL_REQUEST_ACTIONS], (context) => onPullRequest(deps, context));
    app.on("pull_request.closed", (context) => onPullRequestClosed(deps, context));
    app.on([...REVIEW_ACTIONS], (context) => onReview(deps, context));
    app.on("issue_comment.edited", (context) => onChecklistEdit(deps, context));
    app.on("check_run.completed", (context) => onCheckRunCompleted(deps, context));
    app.on("check_run.created", (context) => onCheckRunCreated(deps, context));
    app.on(["check_run.rerequested", "check_run.requested_action"], (context) =>
      onOwnCheckRequested(deps, context),
    );
    app.on("status", (context) => onStatus(deps, context));
    app.on("push", (context) => onPush(deps, context));
    app.on("merge_group.checks_requested", (context) => onMergeGroupChecksRequested(deps, context));
    registerReleaseHandlers(app, registerDeploymentHandlers(app, withReleaseGate(deps), options));
  };
}
