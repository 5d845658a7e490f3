import type { PolicyProblem } from "../model/result.js";
import type { Policy } from "./schema.js";

export const POLICY_PATH = ".github/release-policy.yml";
/** Larger files are refused before parsing: a policy is a page of YAML, not a data set. */
export const MAX_POLICY_BYTES = 64 * 1024;

/** One file read from GitHub (or disk), as policy loading needs it. */
export interface PolicyFile {
  /** Where it came from, as users should read it: "owner/repo:.github/release-policy.yml". */
  location: string;
  text: string;
  /** Git blob SHA, when read from GitHub: names the policy version a decision was made under. */
  sha?: string;
}

/** Reads a file from a repository's default branch; null when it does not exist. */
export interface PolicySource {
  read(owner: string, repo: string, path: string): Promise<PolicyFile | null>;
}

export type LoadedPolicy =
  /** No policy anywhere: the app stays quiet for this repository. */
  | { kind: "none" }
  | { kind: "invalid"; problems: PolicyProblem[]; files: PolicyFile[] }
  | { kind: "valid"; policy: Policy; files: PolicyFile[] };
