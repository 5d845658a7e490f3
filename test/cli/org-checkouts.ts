// An organization's repositories checked out side by side, as `validate --bases` reads them
// and as the docs' workflow lays them out: repos/<owner>/<repo>/<path>.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/** The organization's base, a named base, and three repositories' files with problems. */
export const CHECKOUTS: Record<string, string> = {
  "acme/.github/.github/release-policy.yml": [
    "required: true",
    "gates:",
    "  peer-review:",
    "    stage: pull_request",
    "    require: { approvals: { count: 1 } }",
  ].join("\n"),
  "acme/platform/policies/base.yml": [
    "environments:",
    "  production: {}",
    "gates:",
    "  cab:",
    "    stage: pull_request",
    "    require: { approvals: { count: 2 } }",
  ].join("\n"),
  // Valid only merged: production is its base's; but its owner's required base drops stale
  // approvals, which this file would keep.
  "acme/shop/.github/release-policy.yml": [
    "_extends: platform:policies/base.yml",
    "defaults:",
    "  invalidate_on_push: false",
    "gates:",
    "  deploy:",
    "    stage: deployment",
    "    environments: [production]",
    "    require: { deployment_approval: { count: 1, from: { teams: [ops] } } }",
  ].join("\n"),
  "acme/api/.github/release-policy.yml": "_extends: platform:policies/missing.yml\n",
  "acme/web/.github/release-policy.yml": [
    "gates:",
    "  review:",
    "    stage: pull_request",
    "    require: { approvals: { count: 1, form: x } }",
  ].join("\n"),
};

export async function writeCheckouts(
  root: string,
  files: Record<string, string> = CHECKOUTS,
): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, "repos", path)), { recursive: true });
    await writeFile(join(root, "repos", path), `${text}\n`);
  }
}

/** What validate prints, with --bases repos --format github, for every file of CHECKOUTS. */
export const ANNOTATED = [
  "OK repos/acme/.github/.github/release-policy.yml: 1 gate, merged",
  "::error file=repos/acme/api/.github/release-policy.yml,line=1,col=11,title=_extends::base policy acme/platform:policies/missing.yml does not exist on its default branch (or the app cannot read that repository)",
  "::error file=repos/acme/shop/.github/release-policy.yml,line=3,col=23,title=defaults.invalidate_on_push::this would keep approvals given before a push, which the organization's required base acme/.github:.github/release-policy.yml drops (unsaid there, invalidate_on_push is true); a repository may not keep stale approvals: remove this key",
  '::error file=repos/acme/web/.github/release-policy.yml,line=4,col=39,title=gates.review.require.approvals.form::unknown key "form" (did you mean "from"?); allowed keys: count, from, exclude, invalidate_on_push',
  "4 files: 1 valid, 3 invalid, 0 unreadable",
];
