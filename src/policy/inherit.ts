// Finds a repository's policy and what it inherits. Everything is read from default branches.
// Merge rule: what a base defines is final. An extending file may add gates, change types,
// environments and defaults, but never redefine one it inherits, so a repository cannot
// lower its organization's approval count or drop an organization gate it extends. The one
// key an extending file may set over its base is `mode`, and only to enforce. Under an
// organization's required base, what the base leaves unsaid is held too (src/policy/floor.ts).
import type { PolicyProblem } from "../model/result.js";
import { misplacedDesk, personalDesk } from "./desk-setting.js";
import { weakenedDefaults, widenFloorGates } from "./floor.js";
import { notifyScopeProblems, type NotifyScope } from "./notify-scope.js";
import { readPolicy } from "./parse.js";
import {
  sortProblems,
  type PathSegment,
  type PolicyLocator,
  type Position,
  type Target,
  type YamlLocator,
} from "./problems.js";
import type { Policy } from "./schema.js";
import {
  bindsRepositories,
  isOrgBase,
  misplacedRequired,
  orgBaseOf,
  personalRequired,
} from "./required-base.js";
import { checkSemantics, parseExtends, type ExtendsTarget } from "./semantics.js";
import { POLICY_PATH, type LoadedPolicy, type PolicyFile, type PolicySource } from "./types.js";

/** Most `_extends` steps followed from the repository's own file. */
export const MAX_EXTENDS_DEPTH = 3;

/** A file of the chain, parsed and valid on its own. */
interface Link {
  at: ExtendsTarget;
  file: PolicyFile;
  policy: Policy;
  locator: YamlLocator;
  /** Part of the organization's required base: the required file, or a base it extends. */
  floor?: true;
}

type Chain =
  { links: Link[]; files: PolicyFile[] } | { problems: PolicyProblem[]; files: PolicyFile[] };

/** What is known of the repository's owner. */
export interface OwnerFacts {
  /**
   * Whether the owner is an organization (the webhook's `repository.owner.type`); undefined
   * when unknown. Only an organization's base can be required, so a personal account's
   * repository with its own file costs no read of `<owner>/.github`; unknown reads it.
   */
  organization?: boolean;
}

/** How a policy is loaded: what is known of its owner, and which bases may be read. */
export interface LoadOptions extends OwnerFacts {
  /**
   * Why a base named by `_extends` may not be read here, or undefined when it may. A refused
   * base is not read at all, so whether it exists makes no difference to what is reported.
   */
  refuseBase?(at: ExtendsTarget): string | undefined;
}

/** What the app's operator set that a policy must keep to. */
export interface LoadRules {
  /**
   * Who may name each notification variable; absent: not checked (the command line, which
   * sends nothing). The repository's owner is checked, whichever file named the variable.
   */
  notifyScope?: NotifyScope;
}

/**
 * Loads the policy for owner/repo: the repository's file, else its owner's `.github`
 * repository's, then every base it extends, merged; and the organization's base when it is
 * required (`required: true`) and the chain does not reach it already. A source that throws
 * is not caught: the caller fails closed.
 */
export async function loadPolicy(
  source: PolicySource,
  owner: string,
  repo: string,
  facts: LoadOptions = {},
  rules: LoadRules = {},
): Promise<LoadedPolicy> {
  source = readingOnce(source);
  const start = await findStart(source, owner, repo);
  if (!start) return { kind: "none" };
  const required = await requiredBase(source, owner, start.at, facts);
  const chain = await readChain(source, start.at, start.file, { owner, required, ...facts });
  if ("problems" in chain) return { kind: "invalid", problems: chain.problems, files: chain.files };
  const merged = mergeChain(chain.links);
  const problems = [
    ...merged.problems,
    ...(merged.problems.length === 0 ? checkSemantics(merged.policy, merged.locator) : []),
    ...(rules.notifyScope
      ? notifyScopeProblems(merged.policy, owner, rules.notifyScope, merged.locator)
      : []),
  ];
  if (problems.length > 0) {
    return { kind: "invalid", problems: sortProblems(problems), files: chain.files };
  }
  return { kind: "valid", policy: merged.policy, files: chain.files };
}

async function findStart(
  source: PolicySource,
  owner: string,
  repo: string,
): Promise<{ at: ExtendsTarget; file: PolicyFile } | null> {
  const own = { owner, repo, path: POLICY_PATH };
  const file = await source.read(owner, repo, POLICY_PATH);
  if (file) return { at: own, file };
  if (repo.toLowerCase() === ".github") return null;
  const org = { owner, repo: ".github", path: POLICY_PATH };
  const fallback = await source.read(owner, org.repo, POLICY_PATH);
  return fallback ? { at: org, file: fallback } : null;
}

/**
 * The organization's base when it binds the repository: read unless the repository's file is
 * that base already, or the owner is known to be a personal account. A base that exists but
 * does not say `required: true` binds only the repositories that extend it or have no file.
 */
async function requiredBase(
  source: PolicySource,
  owner: string,
  start: ExtendsTarget,
  facts: OwnerFacts,
): Promise<{ at: ExtendsTarget; file: PolicyFile } | undefined> {
  const at = orgBaseOf(owner);
  if (facts.organization === false || keyOf(start) === keyOf(at)) return undefined;
  const file = await source.read(at.owner, at.repo, at.path);
  return file && bindsRepositories(file) ? { at, file } : undefined;
}

/** Each file is read once per load: the required base is looked at before the chain names it. */
function readingOnce(source: PolicySource): PolicySource {
  const reads = new Map<string, Promise<PolicyFile | null>>();
  return {
    read(owner, repo, path) {
      const key = keyOf({ owner, repo, path });
      let read = reads.get(key);
      if (!read) reads.set(key, (read = source.read(owner, repo, path)));
      return read;
    },
  };
}

/** How a chain is read: whose repository it is, and the base that binds it. */
interface ChainOptions extends LoadOptions {
  owner: string;
  /** The organization's required base, joined below the chain unless the chain reaches it. */
  required: { at: ExtendsTarget; file: PolicyFile } | undefined;
}

/** `required` where it means nothing, or would do nothing: refused, never ignored. */
function requiredPlacement(link: Link, options: ChainOptions): PolicyProblem | undefined {
  const misplaced =
    misplacedRequired(link.at, link.policy, link.locator) ??
    misplacedDesk(link.at, link.policy, link.locator);
  if (misplaced) return misplaced;
  const own = link.at.owner.toLowerCase() === options.owner.toLowerCase();
  return own && options.organization === false
    ? (personalRequired(link.at, link.policy, link.locator) ??
        personalDesk(link.at, link.policy, link.locator))
    : undefined;
}

/** Owner and repository names ignore case on GitHub; paths do not. */
const keyOf = (at: ExtendsTarget): string =>
  `${at.owner.toLowerCase()}/${at.repo.toLowerCase()}:${at.path}`;

const display = (at: ExtendsTarget): string => `${at.owner}/${at.repo}:${at.path}`;

/** The file and its bases, top first; stops at the first file with problems. */
async function readChain(
  source: PolicySource,
  at: ExtendsTarget,
  file: PolicyFile,
  options: ChainOptions,
): Promise<Chain> {
  const links: Link[] = [];
  const files: PolicyFile[] = [];
  const seen: string[] = [];
  const required = options.required;
  let current: { at: ExtendsTarget; file: PolicyFile } = { at, file };
  for (;;) {
    files.push(current.file);
    seen.push(keyOf(current.at));
    const joined = required !== undefined && seen.includes(keyOf(required.at));
    const parsed = readPolicy(current.file, { baseAbove: required !== undefined && !joined });
    if (!parsed.policy || !parsed.locator) return { problems: parsed.problems, files };
    const link: Link = { ...current, policy: parsed.policy, locator: parsed.locator };
    if (joined) link.floor = true;
    const placement = requiredPlacement(link, options);
    if (placement) return { problems: [placement], files };
    links.push(link);
    const value = parsed.policy._extends;
    if (value === undefined) {
      // The chain ends here; a required base it did not reach binds it all the same, as if
      // this file said `_extends: .github` (its own bases follow as usual).
      if (required === undefined || joined) return { links, files };
      current = required;
      continue;
    }
    const shared =
      required && joined ? readBeforeJoining(seen, required.at, value, link.at.owner) : -1;
    if (shared >= 0) {
      // The required base extends a file the repository's own chain merged already (both
      // build on one shared base): merged once, not reported as a cycle. That base and its
      // own bases, read just before joining, are then part of the floor too.
      for (const l of links.slice(shared)) l.floor = true;
      return { links, files };
    }
    const next = await followExtends(source, link, value, seen, links.length, options);
    if ("problem" in next) return { problems: [next.problem], files };
    current = next;
  }
}

/**
 * Where in the chain `_extends: value` names a file read before the chain joined the required
 * base; -1 when it does not.
 */
function readBeforeJoining(
  seen: readonly string[],
  joinedAt: ExtendsTarget,
  value: string,
  owner: string,
): number {
  const target = parseExtends(value, owner);
  if (typeof target === "string") return -1;
  const index = seen.indexOf(keyOf(target));
  return index >= 0 && index < seen.indexOf(keyOf(joinedAt)) ? index : -1;
}

async function followExtends(
  source: PolicySource,
  link: Link,
  value: string,
  seen: readonly string[],
  depth: number,
  options: LoadOptions,
): Promise<{ at: ExtendsTarget; file: PolicyFile } | { problem: PolicyProblem }> {
  const fail = (message: string) => ({ problem: link.locator.problem(["_extends"], message) });
  const target = parseExtends(value, link.at.owner);
  if (typeof target === "string") return fail(target);
  if (seen.includes(keyOf(target))) {
    return fail(
      `_extends forms a cycle: ${display(link.at)} → ${display(target)}, which is already in the chain`,
    );
  }
  if (depth > MAX_EXTENDS_DEPTH) {
    return fail(
      `_extends goes deeper than ${MAX_EXTENDS_DEPTH} levels; flatten the chain of base policies`,
    );
  }
  const refused = options.refuseBase?.(target);
  if (refused !== undefined) return fail(refused);
  const file = await source.read(target.owner, target.repo, target.path);
  if (!file) {
    return fail(
      `base policy ${display(target)} does not exist on its default branch (or the app cannot read that repository)`,
    );
  }
  return { at: target, file };
}

// ---------------------------------------------------------------------------------------
// Merging

const SECTIONS = ["change_types", "environments", "gates"] as const;
type Section = (typeof SECTIONS)[number];

const ENTRY_WORDS: Record<Section, string> = {
  change_types: "change type",
  environments: "environment",
  gates: "gate",
};

/** Where each merged entry was defined, so problems about it point into the right file. */
class MergedLocator implements PolicyLocator {
  private readonly origins = new Map<string, YamlLocator>();

  constructor(private readonly top: YamlLocator) {}

  define(path: readonly PathSegment[], locator: YamlLocator): void {
    this.origins.set(JSON.stringify(path), locator);
  }

  originOf(path: readonly PathSegment[]): YamlLocator | undefined {
    for (let n = path.length; n > 0; n--) {
      const origin = this.origins.get(JSON.stringify(path.slice(0, n)));
      if (origin) return origin;
    }
    return undefined;
  }

  fileOf(path: readonly PathSegment[]): string {
    return (this.originOf(path) ?? this.top).file;
  }

  position(path: readonly PathSegment[], target?: Target): Position {
    return (this.originOf(path) ?? this.top).position(path, target);
  }

  problem(path: readonly PathSegment[], message: string, target?: Target): PolicyProblem {
    return (this.originOf(path) ?? this.top).problem(path, message, target);
  }
}

interface Merged {
  policy: Policy;
  locator: MergedLocator;
  problems: PolicyProblem[];
}

/** Merges the chain from its root base outwards: bases first, additions after. */
function mergeChain(links: readonly Link[]): Merged {
  const top = links[0];
  if (!top) throw new Error("mergeChain needs at least one file");
  const locator = new MergedLocator(top.locator);
  const merged: Merged = { policy: {}, locator, problems: [] };
  const floor = links.filter((link) => link.floor);
  const required = (floor.find((link) => isOrgBase(link.at)) ?? floor[0])?.locator.file ?? "";
  for (const [index, link] of [...links].reverse().entries()) {
    mergeMode(merged, link, index === 0);
    if (!link.floor) merged.problems.push(...weakenedDefaults(floor, link, required));
    for (const section of SECTIONS) mergeSection(merged, link, section);
    mergeKeyed(merged, link, "defaults");
    mergeKeyed(merged, link, "releases");
  }
  merged.policy = widenFloorGates(merged.policy, floor);
  return merged;
}

function redefinition(
  merged: Merged,
  link: Link,
  path: PathSegment[],
  what: string,
  basePath: PathSegment[] = path,
): void {
  const base = merged.locator.originOf(basePath);
  const line = base?.position(basePath, "key").line;
  const where = base ? `${base.file} line ${line}` : "a base policy";
  merged.problems.push(
    link.locator.problem(
      path,
      `${what} is already defined by the base policy ${where}; an extending policy may add to its base but not redefine what it defines`,
      "key",
    ),
  );
}

/**
 * The mode may tighten outwards, never loosen: a base that says nothing enforces, so an
 * extending file cannot make its base's gates advisory (a repository would otherwise opt out
 * of its organization's policy with one line); an advisory base may be enforced.
 */
function mergeMode(merged: Merged, link: Link, root: boolean): void {
  const mode = link.policy.mode;
  if (mode === undefined) return;
  if (mode === "advisory" && !root && merged.policy.mode !== "advisory") {
    const base = merged.locator.originOf(["mode"]);
    const where = base
      ? `${base.file} line ${base.position(["mode"], "key").line} says enforce`
      : "says no mode, so it enforces";
    merged.problems.push(
      link.locator.problem(
        ["mode"],
        `mode "advisory" would loosen the base policy, which ${where}; an extending policy may enforce an advisory base, never the other way round`,
      ),
    );
    return;
  }
  merged.policy.mode = mode;
  merged.locator.define(["mode"], link.locator);
}

function mergeSection(merged: Merged, link: Link, section: Section): void {
  const entries = link.policy[section];
  if (!entries) return;
  // Environment names ignore case on GitHub, so "Production" redefines "production".
  const same = (a: string, b: string) =>
    section === "environments" ? a.toLowerCase() === b.toLowerCase() : a === b;
  const into: Record<string, unknown> = { ...(merged.policy[section] ?? {}) };
  for (const [name, entry] of Object.entries(entries)) {
    const existing = Object.keys(into).find((k) => same(k, name));
    if (existing !== undefined) {
      const what = `${ENTRY_WORDS[section]} "${name}"`;
      redefinition(merged, link, [section, name], what, [section, existing]);
      continue;
    }
    into[name] = entry;
    merged.locator.define([section, name], link.locator);
  }
  (merged.policy as Record<Section, unknown>)[section] = into;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Defaults and release rules merge key by key; a value (a list counts as one value) is never
 * redefined.
 */
function mergeKeyed(merged: Merged, link: Link, section: "defaults" | "releases"): void {
  const from = link.policy[section];
  if (!from) return;
  const into = structuredClone(merged.policy[section] ?? {}) as Record<string, unknown>;
  mergeValues(merged, link, into, from, [section]);
  (merged.policy as Record<typeof section, unknown>)[section] = into;
}

function mergeValues(
  merged: Merged,
  link: Link,
  into: Record<string, unknown>,
  from: Record<string, unknown>,
  path: PathSegment[],
): void {
  for (const [key, value] of Object.entries(from)) {
    const keyPath = [...path, key];
    const existing = into[key];
    if (existing === undefined) {
      into[key] = structuredClone(value);
      merged.locator.define(keyPath, link.locator);
    } else if (isPlainObject(existing) && isPlainObject(value)) {
      mergeValues(merged, link, existing, value, keyPath);
    } else {
      redefinition(merged, link, keyPath, `${path[0]} key "${keyPath.slice(1).join(".")}"`);
    }
  }
}
