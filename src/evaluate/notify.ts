// What notifications need to know of a decision and of the calendar, read from the gates and
// the policy they came from: whether a held deployment waits on people (an approval, a
// sign-off, a tick, a change record's approval) rather than on time or a transient failure,
// and which freezes are in force for an environment at an instant. Pure: the clock is given.
import type { GateResult } from "../model/result.js";
import { windowState, WindowSpecError } from "../model/time/window.js";
import type { Policy } from "../policy/schema.js";
import type { KindKey } from "../requirements/registry.js";
import { deploymentGates } from "./stages.js";
import { gatesWaitingOn } from "./waiting.js";

/** Requirement kinds whose pending state someone must act on. */
const PEOPLE: ReadonlySet<KindKey> = new Set<KindKey>([
  "deployment_approval",
  "signoffs",
  "checklist",
  "approvals",
  "change_record",
]);

/**
 * The pending gates (by id) a person must act on (evaluate/waiting.ts): a gate waiting on its
 * window while its approval is given does not count.
 */
export function gatesWaitingOnPeople(
  gates: readonly GateResult[],
  policy: Policy | undefined,
): string[] {
  return gatesWaitingOn(gates, policy, PEOPLE);
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
