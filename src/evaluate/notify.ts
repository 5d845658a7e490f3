// What notifications need to know of a decision and of the calendar, read from the gates and
// the policy they came from: whether a held deployment waits on people (an approval, a
// sign-off, a tick, a change record's approval) rather than on time or a transient failure,
// and which freezes are in force for an environment at an instant. Pure: the clock is given.
import type { GateResult } from "../model/result.js";
import { windowState, WindowSpecError } from "../model/time/window.js";
import type { Policy } from "../policy/schema.js";
import { KIND_KEYS, type KindKey } from "../requirements/registry.js";
import { deploymentGates } from "./stages.js";

/** Requirement kinds whose pending state someone must act on. */
const PEOPLE: ReadonlySet<KindKey> = new Set<KindKey>([
  "deployment_approval",
  "signoffs",
  "checklist",
  "approvals",
  "change_record",
]);

const isKind = (id: string): id is KindKey => (KIND_KEYS as readonly string[]).includes(id);

/**
 * The pending gates (by id) a person must act on. A gate of several kinds has a child row per
 * kind, so a gate waiting on its window while its approval is given does not count; the
 * release gate's children are the release's own gates (sign-offs, ticks).
 */
export function gatesWaitingOnPeople(
  gates: readonly GateResult[],
  policy: Policy | undefined,
): string[] {
  return gates.filter((gate) => waitsOnPeople(gate, policy)).map((gate) => gate.id);
}

function waitsOnPeople(gate: GateResult, policy: Policy | undefined): boolean {
  if (gate.status !== "pending") return false;
  if (gate.children && gate.children.length > 0) {
    return gate.children.some((child) =>
      isKind(child.id)
        ? child.status === "pending" && PEOPLE.has(child.id)
        : waitsOnPeople(child, policy),
    );
  }
  const require = policy?.gates?.[gate.id]?.require;
  if (!require) return false;
  return KIND_KEYS.some((key) => require[key] !== undefined && PEOPLE.has(key));
}

/** A freeze in force for an environment, as one of its window gates reads it. */
export interface FreezeInForce {
  /** The window gate whose freeze it is. */
  gate: string;
  reason: string;
  /** ISO 8601: the first instant no freeze of the gate applies any more. */
  until: string;
  /** The window's time zone, in which people read the dates. */
  timezone: string;
  /** The window's own sentence ("Year-end freeze until 4 Jan 2027 23:59 CET; …"). */
  text: string;
}

/**
 * The freezes in force for `environment` at `now`, one per window gate guarding it (whatever
 * its when/unless: an emergency change may be let through, the freeze is still on). A window
 * that cannot be read is skipped: its gates report it as an error on every decision.
 */
export function freezesInForce(policy: Policy, environment: string, now: Date): FreezeInForce[] {
  const found: FreezeInForce[] = [];
  for (const [gate, spec] of deploymentGates(policy, environment)) {
    const window = spec.require.window;
    if (!window) continue;
    try {
      const state = windowState(window, now);
      if (!state.freeze) continue;
      found.push({
        gate,
        reason: state.freeze.reason,
        until: state.freeze.until.toISOString(),
        timezone: window.timezone,
        text: state.reason,
      });
    } catch (error) {
      if (!(error instanceof WindowSpecError)) throw error;
    }
  }
  return found;
}

export interface FreezeTransitions {
  started: FreezeInForce[];
  /** The freezes as they were last seen in force. */
  ended: FreezeInForce[];
}

/** A freeze is the same freeze while its gate and reason are: its end may move. */
const identity = (freeze: FreezeInForce): string => `${freeze.gate}\u0000${freeze.reason}`;

/** Which freezes started and which ended between two looks. */
export function freezeTransitions(
  before: readonly FreezeInForce[],
  now: readonly FreezeInForce[],
): FreezeTransitions {
  const was = new Set(before.map(identity));
  const is = new Set(now.map(identity));
  return {
    started: now.filter((freeze) => !was.has(identity(freeze))),
    ended: before.filter((freeze) => !is.has(identity(freeze))),
  };
}
