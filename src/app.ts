import type { ApplicationFunction, Probot } from "probot";
import { buildDeps, type AppOptions } from "./app-deps.js";
import { registerDeploymentHandlers } from "./handlers/deployment.js";
import { onChecklistEdit } from "./handlers/checklist-edit.js";
import { onCheckRunCompleted, onOwnCheckRequested, onStatus } from "./handlers/checks.js";
import {
  onPullRequest,
  onReview,
  PULL_REQUEST_ACTIONS,
  REVIEW_ACTIONS,
} from "./handlers/pull-request.js";
import { onPush } from "./handlers/push.js";

/** Builds the Probot app from explicit dependencies (tests inject a clock and a store). */
export function createApp(options: AppOptions): ApplicationFunction {
  return (app: Probot) => {
    const deps = buildDeps(options);
    app.on([...PULL_REQUEST_ACTIONS], (context) => onPullRequest(deps, context));
    app.on([...REVIEW_ACTIONS], (context) => onReview(deps, context));
    app.on("issue_comment.edited", (context) => onChecklistEdit(deps, context));
    app.on("check_run.completed", (context) => onCheckRunCompleted(deps, context));
    app.on(["check_run.rerequested", "check_run.requested_action"], (context) =>
      onOwnCheckRequested(deps, context),
    );
    app.on("status", (context) => onStatus(deps, context));
    app.on("push", (context) => onPush(deps, context));
    registerDeploymentHandlers(app, deps, options);
  };
}
