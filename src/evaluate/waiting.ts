// Which pending gates wait on given requirement kinds, read from the gates and the policy they
// came from: notifications ask about kinds people act on, a pull request's watch about the
// change systems (which send GitHub no webhook). Pure.
import type { GateResult } from "../model/result.js";
import type { Policy } from "../policy/schema.js";
import { KIND_KEYS, type KindKey } from "../requirements/registry.js";

const isKind = (id: string): id is KindKey => (KIND_KEYS as readonly string[]).includes(id);

/**
 * The pending gates (by id) that wait on one of `kinds`. A gate of several kinds has a child
 * row per kind, so a gate waiting on its window while its approval is given does not count as
 * waiting on the approval; the release gate's children are the release's own gates.
 */
export function gatesWaitingOn(
  gates: readonly GateResult[],
  policy: Policy | undefined,
  kinds: ReadonlySet<KindKey>,
): string[] {
  return gates.filter((gate) => waitsOn(gate, policy, kinds)).map((gate) => gate.id);
}

function waitsOn(
  gate: GateResult,
  policy: Policy | undefined,
  kinds: ReadonlySet<KindKey>,
): boolean {
  if (gate.status !== "pending") return false;
  if (gate.children && gate.children.length > 0) {
    return gate.children.some((child) =>
      isKind(child.id)
        ? child.status === "pending" && kinds.has(child.id)
        : waitsOn(child, policy, kinds),
    );
  }
  const require = policy?.gates?.[gate.id]?.require;
  if (!require) return false;
  return KIND_KEYS.some((key) => require[key] !== undefined && kinds.has(key));
}
