// Where the release desk is kept, and whether there is one: the `desk` key of an owner's base
// policy (`<owner>/.github:.github/release-policy.yml`). One desk serves an installation, so
// the setting lives with whoever may change the owner's base, like `required`; in any other
// file it would do nothing and is refused rather than ignored.
import type { PolicyProblem } from "../model/result.js";
import { readPolicy } from "./parse.js";
import type { YamlLocator } from "./problems.js";
import { isOrgBase, ORG_BASE_REPO } from "./required-base.js";
import type { Policy } from "./schema.js";
import type { ExtendsTarget } from "./semantics.js";
import { POLICY_PATH, type PolicyFile } from "./types.js";

export const DEFAULT_PRODUCTION = ["production"] as const;

/** The desk of one owner, with its defaults filled in. */
export interface DeskConfig {
  owner: string;
  /** The repository (of `owner`) the desk issue lives in. */
  repository: string;
  /** Environments whose deployments are listed as shipped (compared without case). */
  production: string[];
}

export type DeskSettingRead =
  | { kind: "on"; config: DeskConfig }
  | { kind: "off" }
  /** The base file is there but cannot be read as a policy: the desk is left as it is. */
  | { kind: "invalid"; problems: PolicyProblem[] };

/** The owner's desk, from its base policy file as read (null: no such file). */
export function deskSettingOf(owner: string, file: PolicyFile | null): DeskSettingRead {
  if (!file) return { kind: "off" };
  const parsed = readPolicy(file, { baseAbove: true });
  if (!parsed.policy) return { kind: "invalid", problems: parsed.problems };
  const desk = parsed.policy.desk;
  if (!desk) return { kind: "off" };
  return {
    kind: "on",
    config: {
      owner,
      repository: desk.repository ?? ORG_BASE_REPO,
      production: [...(desk.production ?? DEFAULT_PRODUCTION)],
    },
  };
}

/** Whether `environment` is one of the desk's production environments. */
export function isProduction(config: DeskConfig, environment: string): boolean {
  const name = environment.toLowerCase();
  return config.production.some((p) => p.toLowerCase() === name);
}

/**
 * `desk` in a personal account's `.github`: only an organization keeps a desk (its owner sees
 * a personal account's few repositories already), so the setting would do nothing there.
 */
export function personalDesk(
  at: ExtendsTarget,
  policy: Policy,
  locator: YamlLocator,
): PolicyProblem | undefined {
  if (policy.desk === undefined || !isOrgBase(at)) return undefined;
  return locator.problem(
    ["desk"],
    `"desk" keeps a release desk for an organization's repositories; ${at.owner} is a personal account, for which the app keeps none; remove it`,
    "key",
  );
}

/** `desk` anywhere but an owner's base policy: refused, since nothing would read it. */
export function misplacedDesk(
  at: ExtendsTarget,
  policy: Policy,
  locator: YamlLocator,
): PolicyProblem | undefined {
  if (policy.desk === undefined || isOrgBase(at)) return undefined;
  const base = `${at.owner}/${ORG_BASE_REPO}:${POLICY_PATH}`;
  return locator.problem(
    ["desk"],
    `"desk" is only read from an owner's base policy (${base}): one desk serves all of the owner's repositories; move it there`,
    "key",
  );
}
