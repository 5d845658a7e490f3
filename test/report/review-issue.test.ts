import { describe, expect, it } from "@jest/globals";
import { reviewSpecs } from "../../src/pipeline/post-implementation-review.js";
import { policySchema } from "../../src/policy/schema.js";
import {
  DEFAULT_REVIEW_CHECKLIST,
  renderReviewIssue,
  renderReviewLink,
  reviewMarker,
} from "../../src/report/review-issue.js";

const input = {
  changeType: "emergency",
  pull: {
    number: 21,
    title: "Fix card declines",
    url: "https://github.com/a/b/pull/21",
    author: "erin",
  },
  environment: "production",
  deployment: {
    id: 60,
    sha: "abcdef0123456789",
    url: "https://github.com/a/b/actions/runs/9",
    at: "2026-03-10T12:34:56Z",
  },
  approvals: [
    { user: "rita", at: "2026-03-10T12:00:00Z", via: "review" as const },
    { user: "cab1", at: "2026-03-10T12:01:00Z", via: "comment" as const },
  ],
  checklist: ["Root cause found", "Runbook updated"],
};

describe("renderReviewIssue", () => {
  it("names the change, the deployment and its approvals, with the checklist as a task list", () => {
    const { title, body } = renderReviewIssue(input);
    expect(title).toBe("Post-implementation review: Fix card declines (#21)");
    expect(body).toBe(
      [
        "<!-- release-policy:post-implementation-review:#21 -->",
        "The emergency change #21 (https://github.com/a/b/pull/21) by @erin reached **production** on 2026-03-10 12:34 UTC.",
        "",
        "- Deployment: 60 of `abcdef0` ([run](https://github.com/a/b/actions/runs/9))",
        "- Approved by: @rita (deployment review), @cab1 (comment)",
        "",
        "Review the change now that it runs, then close this issue:",
        "",
        "- [ ] Root cause found",
        "- [ ] Runbook updated",
      ].join("\n"),
    );
    expect(body.startsWith(reviewMarker(21))).toBe(true);
  });

  it("says when the app recorded no approval", () => {
    const { body } = renderReviewIssue({ ...input, approvals: [] });
    expect(body).toContain("- Approved by: none recorded by Release Policy");
  });

  it("links the issue from the pull request", () => {
    expect(renderReviewLink(100, "emergency", "production")).toContain(
      "This emergency change reached production: its post-implementation review is #100.",
    );
  });
});

describe("reviewSpecs", () => {
  const policy = (raw: unknown) => policySchema.parse(raw);

  it("defaults to the last environment, the default checklist and label", () => {
    const p = policy({
      change_types: {
        emergency: { labels: ["change: emergency"], post_implementation_review: true },
        normal: { default: true },
      },
      environments: { staging: {}, production: { after: "staging" } },
    });
    expect(reviewSpecs(p, "PRODUCTION").get("emergency")).toEqual({
      environment: "production",
      checklist: DEFAULT_REVIEW_CHECKLIST,
      labels: ["post-implementation-review"],
      assignees: [],
    });
    expect(reviewSpecs(p, "staging").size).toBe(0);
  });

  it("uses the environment, checklist, labels and assignees the policy names", () => {
    const p = policy({
      change_types: {
        emergency: {
          labels: ["change: emergency"],
          post_implementation_review: {
            environment: "staging",
            checklist: ["One"],
            labels: ["pir", "ops"],
            assignees: ["lead"],
          },
        },
      },
      environments: { staging: {}, production: {} },
    });
    expect(reviewSpecs(p, "staging").get("emergency")).toEqual({
      environment: "staging",
      checklist: ["One"],
      labels: ["pir", "ops"],
      assignees: ["lead"],
    });
    expect(reviewSpecs(p, "production").size).toBe(0);
  });
});
