// An organization-required policy: `required: true` at the top of the organization's own
// `.github` repository's policy binds every repository of that owner, as if each repository's
// file said `_extends: .github`. The setting lives in the file it binds to, so whoever may
// change the organization's base decides whether it binds, and nobody else can.
import { isMap, parseDocument } from "yaml";
import type { PolicyProblem } from "../model/result.js";
import type { YamlLocator } from "./problems.js";
import type { Policy } from "./schema.js";
import type { ExtendsTarget } from "./semantics.js";
import { POLICY_PATH, type PolicyFile } from "./types.js";

/** The repository an owner's base policy lives in (Probot's convention). */
export const ORG_BASE_REPO = ".github";

/** Where owner's base policy is read: `<owner>/.github:.github/release-policy.yml`. */
export const orgBaseOf = (owner: string): ExtendsTarget => ({
  owner,
  repo: ORG_BASE_REPO,
  path: POLICY_PATH,
});

/** Whether `at` is some owner's base policy file, the one place `required` may be written. */
export const isOrgBase = (at: ExtendsTarget): boolean =>
  at.repo.toLowerCase() === ORG_BASE_REPO && at.path === POLICY_PATH;

/**
 * Whether the organization's base file binds its repositories. Read from the YAML alone, so
 * that a base with other problems still binds (its problems then fail every repository's
 * policy, which is what a broken required base must do). A file that is not even YAML says
 * nothing readable: it is taken as binding, failing closed, rather than letting every
 * repository escape its organization while the base is broken.
 */
export function bindsRepositories(file: PolicyFile): boolean {
  const doc = parseDocument(file.text, { uniqueKeys: false });
  if (doc.errors.length > 0) return true;
  return isMap(doc.contents) && doc.get("required") === true;
}

/**
 * `required` anywhere but an owner's `.github` policy is refused: a repository cannot make
 * its policy binding for others, and a shared base elsewhere is bound only by extending it.
 */
export function misplacedRequired(
  at: ExtendsTarget,
  policy: Policy,
  locator: YamlLocator,
): PolicyProblem | undefined {
  if (policy.required === undefined || isOrgBase(at)) return undefined;
  const base = `${at.owner}/${ORG_BASE_REPO}:${POLICY_PATH}`;
  return locator.problem(
    ["required"],
    `"required" is only read from an organization's base policy (${base}): it binds the organization's repositories, and a repository or another base cannot make itself binding; remove it here`,
    "key",
  );
}

/**
 * `required: true` in a personal account's `.github`: only an organization's repositories
 * are bound (a personal account is not read for it, see docs/policy.md), so the setting
 * would do nothing there and is refused rather than ignored.
 */
export function personalRequired(
  at: ExtendsTarget,
  policy: Policy,
  locator: YamlLocator,
): PolicyProblem | undefined {
  if (policy.required !== true || !isOrgBase(at)) return undefined;
  return locator.problem(
    ["required"],
    `"required" binds the repositories of an organization; ${at.owner} is a personal account, whose repositories follow this policy only when they have no file of their own or extend it`,
    "key",
  );
}
