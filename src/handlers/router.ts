// The one router: each webhook event the app subscribes to (app.yml) is registered once, here,
// and fans out explicitly to the flows it concerns. An event that concerns two flows (a push
// moves pull requests and tags; a comment may approve a deployment or sign off a release)
// runs both, and fails if either fails, so the delivery is retried.
import type { Probot } from "probot";
import { onApproveComment } from "./approve-comment.js";
import { onChecklistEdit } from "./checklist-edit.js";
import { onCheckRunCompleted, onCheckRunCreated, onOwnCheckRequested, onStatus } from "./checks.js";
import type { Deps } from "./deps.js";
import { onChangeNoteStatus } from "./change-record-note.js";
import { onDeskDeploymentStatus, onDeskVisibility, VISIBILITY_ACTIONS } from "./desk.js";
import {
  onApproved,
  onDeploymentSucceeded,
  onRejected,
  onRelabelled,
  onRequested,
} from "./deployment.js";
import { onMergeGroupChecksRequested } from "./merge-group.js";
import {
  LABEL_ACTIONS,
  onPullRequest,
  onPullRequestClosed,
  onReview,
  PULL_REQUEST_ACTIONS,
  REVIEW_ACTIONS,
} from "./pull-request.js";
import { onPush } from "./push.js";
import { onRecheckComment } from "./recheck-comment.js";
import {
  onCreate,
  onRecordChecklistEdit,
  onRecordComment,
  onRelease,
  onReleaseDeploymentStatus,
  onTagPush,
} from "./release.js";

/** Runs every flow an event concerns, each to its end; rejects with what failed. */
async function all(...flows: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(flows);
  const errors = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, "several flows of one event failed");
}

export function routeEvents(app: Probot, deps: Deps): void {
  // Pull requests and their check run.
  app.on([...PULL_REQUEST_ACTIONS], (context) => onPullRequest(deps, context));
  // A label changes the pull request's gates, and the change type of held deployments it brought.
  app.on([...LABEL_ACTIONS], (context) =>
    all(onPullRequest(deps, context), onRelabelled(deps, context)),
  );
  app.on("pull_request.closed", (context) => onPullRequestClosed(deps, context));
  app.on([...REVIEW_ACTIONS], (context) => onReview(deps, context));
  app.on("check_run.completed", (context) => onCheckRunCompleted(deps, context));
  app.on("check_run.created", (context) => onCheckRunCreated(deps, context));
  app.on(["check_run.rerequested", "check_run.requested_action"], (context) =>
    onOwnCheckRequested(deps, context),
  );
  app.on("status", (context) => onStatus(deps, context));
  app.on("merge_group.checks_requested", (context) => onMergeGroupChecksRequested(deps, context));
  // A push moves pull requests' heads and tags.
  app.on("push", (context) => all(onPush(deps, context), onTagPush(deps, context)));

  // Deployments waiting on the protection rule.
  app.on("deployment_protection_rule.requested", (context) => onRequested(deps, context));
  app.on("deployment_review.approved", (context) => onApproved(deps, context));
  app.on("deployment_review.rejected", (context) => onRejected(deps, context));
  // A deployment's status: held deployments of its commit, reviews, its release's record, the
  // desk, and the work note on the change records it was approved on.
  app.on("deployment_status", (context) =>
    all(
      onDeploymentSucceeded(deps, context),
      onReleaseDeploymentStatus(deps, context),
      onDeskDeploymentStatus(deps, context),
      onChangeNoteStatus(deps, context),
    ),
  );

  // A repository made public or private: the release desk shows its rows only to those who
  // may read it.
  app.on([...VISIBILITY_ACTIONS], (context) => onDeskVisibility(deps, context));

  // Releases.
  app.on("create", (context) => onCreate(deps, context));
  app.on("release", (context) => onRelease(deps, context));

  // Comments: `/approve` and `/recheck` on a pull request, `/signoff` on a release record,
  // and ticks in the checklist comments of both.
  app.on("issue_comment.created", (context) =>
    all(
      onApproveComment(deps, context),
      onRecheckComment(deps, context),
      onRecordComment(deps, context),
    ),
  );
  app.on("issue_comment.deleted", (context) => onRecordComment(deps, context));
  app.on("issue_comment.edited", (context) =>
    all(onChecklistEdit(deps, context), onRecordChecklistEdit(deps, context)),
  );
}
