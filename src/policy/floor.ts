// The floor an organization's required base sets. What the base defines is final (the merge
// rule), and so is what it leaves unsaid where unsaid means strict: a repository's file may
// add gates and tighten settings, but never loosen segregation of duties or keep stale
// approvals by filling in a default the organization did not write, and never step around an
// organization gate by choosing a change type the organization has not heard of.
import type { PolicyProblem } from "../model/result.js";
import {
  DEFAULT_EXCLUDE,
  DEFAULT_INVALIDATE_ON_PUSH,
  type Exclusion,
} from "../requirements/approvals.js";
import type { YamlLocator } from "./problems.js";
import type { Condition, Gate, Policy } from "./schema.js";

/** One file of the floor (the required base, or a base it extends), or of the repository's side. */
export interface FloorFile {
  policy: Policy;
  locator: YamlLocator;
}

/** The approval defaults the floor holds every gate to: what it says, else the product's. */
function floorDefaults(floor: readonly FloorFile[]): {
  exclude: readonly Exclusion[] | undefined;
  invalidateOnPush: boolean | undefined;
} {
  const said = floor.map((f) => f.policy.defaults);
  return {
    exclude: said.find((d) => d?.approvals?.exclude !== undefined)?.approvals?.exclude,
    invalidateOnPush: said.find((d) => d?.invalidate_on_push !== undefined)?.invalidate_on_push,
  };
}

const EXCLUSION_WORDS: Record<Exclusion, string> = {
  author: "the author",
  committers: "committers",
  pusher: "the pusher",
};

/**
 * Defaults in a file on the repository's side of the floor that would loosen it; `base` names
 * the required file. A key the floor itself sets is not judged here: setting it again is
 * already a redefinition.
 */
export function weakenedDefaults(
  floor: readonly FloorFile[],
  file: FloorFile,
  base: string,
): PolicyProblem[] {
  const defaults = file.policy.defaults;
  if (floor.length === 0 || !defaults) return [];
  const held = floorDefaults(floor);
  const problems: PolicyProblem[] = [];
  const exclude = defaults.approvals?.exclude;
  if (exclude !== undefined && held.exclude === undefined) {
    const dropped = DEFAULT_EXCLUDE.filter((e) => !exclude.includes(e));
    if (dropped.length > 0) {
      const who = dropped.map((e) => EXCLUSION_WORDS[e]).join(" and ");
      problems.push(
        file.locator.problem(
          ["defaults", "approvals", "exclude"],
          `this would let ${who} approve, which the organization's required base ${base} does not (unsaid there, approvals by ${DEFAULT_EXCLUDE.join(" and ")} never count); a repository may add exclusions, never remove one: keep ${dropped.map((e) => `"${e}"`).join(", ")}`,
        ),
      );
    }
  }
  const invalidate = defaults.invalidate_on_push;
  if (invalidate === false && held.invalidateOnPush === undefined && DEFAULT_INVALIDATE_ON_PUSH) {
    problems.push(
      file.locator.problem(
        ["defaults", "invalidate_on_push"],
        `this would keep approvals given before a push, which the organization's required base ${base} drops (unsaid there, invalidate_on_push is true); a repository may not keep stale approvals: remove this key`,
      ),
    );
  }
  return problems;
}

/** Change types the floor has heard of: those it defines, and those its gates name. */
function knownToFloor(floor: readonly FloorFile[]): Set<string> {
  const known = new Set<string>();
  for (const { policy } of floor) {
    for (const name of Object.keys(policy.change_types ?? {})) known.add(name);
    for (const gate of Object.values(policy.gates ?? {})) {
      for (const name of [...(gate.when?.change_types ?? []), ...(gate.unless?.change_types ?? [])])
        known.add(name);
    }
  }
  return known;
}

/**
 * The merged policy with each change type the floor has not heard of added to every floor
 * gate's `when.change_types`: a repository's new change type (a label of its own choosing)
 * falls under every organization gate that names the change types it covers, unless the
 * organization names that type itself. `unless` needs nothing: a name it lacks never exempts.
 */
export function widenFloorGates(policy: Policy, floor: readonly FloorFile[]): Policy {
  const known = knownToFloor(floor);
  const added = Object.keys(policy.change_types ?? {}).filter((name) => !known.has(name));
  const floorGates = new Set(floor.flatMap((f) => Object.keys(f.policy.gates ?? {})));
  if (added.length === 0 || floorGates.size === 0 || !policy.gates) return policy;
  const gates: Record<string, Gate> = {};
  for (const [id, gate] of Object.entries(policy.gates)) {
    gates[id] =
      floorGates.has(id) && gate.when ? { ...gate, when: widened(gate.when, added) } : gate;
  }
  return { ...policy, gates };
}

function widened(when: Condition, added: readonly string[]): Condition {
  const types = when.change_types;
  if (!types) return when;
  return { ...when, change_types: [...types, ...added.filter((name) => !types.includes(name))] };
}
