// What the release desk says about one deployment decision, as plain data: what a held
// deployment waits for, read from its gates and the policy they came from, and each
// environment's window for the calendar. Pure: the clock is given.
import type { DeskEnvironment, DeskWait } from "../facts/desk.js";
import type { DeploymentFacts } from "../facts/deployment.js";
import type { GateResult } from "../model/result.js";
import { windowState, WindowSpecError } from "../model/time/window.js";
import type { WindowRequirement } from "../model/time/window-spec.js";
import { qualifyTeam } from "../requirements/principals.js";
import type { Policy } from "../policy/schema.js";
import { deploymentGates } from "./stages.js";

/** Change records listed per gate; the rest are in the status comment. */
const RECORDS_PER_GATE = 3;

/**
 * What a held deployment waits for, one entry per thing a person can act on or wait out: an
 * approval (by whom the policy names), a window opening, a freeze ending, a change record's
 * state. A gate that waits on something else (a soak time, a pull request's check, the
 * release) is named with its own reason.
 */
export function deskWaits(
  gates: readonly GateResult[],
  policy: Policy | undefined,
  facts: DeploymentFacts | undefined,
  owner: string,
  now: Date,
): DeskWait[] {
  const waits: DeskWait[] = [];
  for (const gate of gates) {
    if (gate.status !== "pending") continue;
    const require = policy?.gates?.[gate.id]?.require;
    const found: DeskWait[] = [];
    if (require?.window) found.push(...windowWaits(require.window, now));
    if (require?.change_record) {
      const system = require.change_record.system;
      const records = (facts?.changeRecords ?? []).filter((record) => record.system === system);
      for (const record of records.slice(0, RECORDS_PER_GATE)) {
        const state = record.error
          ? `not read (${record.error})`
          : !record.found
            ? "not found"
            : record.approval && record.approval !== "approved"
              ? `${record.state}, approval ${record.approval}`
              : record.state;
        found.push({
          kind: "change-record",
          id: record.number || record.reference,
          state,
          ...(record.url ? { url: record.url } : {}),
        });
      }
    }
    if (require?.deployment_approval) {
      const from = require.deployment_approval.from;
      const by = [
        ...(from.users ?? []),
        ...(from.teams ?? []).map((team) => qualifyTeam(team, owner)),
      ];
      found.push({ kind: "approval", by });
    }
    if (found.length === 0) found.push({ kind: "gate", gate: gate.id, reason: gate.reason });
    waits.push(...found);
  }
  return waits;
}

/** The window's part of a wait: a freeze in force, or the next opening; nothing when open. */
function windowWaits(spec: WindowRequirement, now: Date): DeskWait[] {
  try {
    const state = windowState(spec, now);
    if (state.freeze) {
      return [
        { kind: "freeze", until: state.freeze.until.toISOString(), reason: state.freeze.reason },
      ];
    }
    if (state.open) return [];
    return [{ kind: "window", ...(state.opensAt ? { opensAt: state.opensAt.toISOString() } : {}) }];
  } catch (error) {
    if (!(error instanceof WindowSpecError)) throw error;
    return [
      { kind: "gate", gate: "window", reason: `the window cannot be read: ${error.message}` },
    ];
  }
}

/**
 * The calendar's view of a policy: each environment it names (and `also`, the one just
 * deployed to) with the window of its first window gate. Gates that apply only to some
 * change types (`when`, `unless`) are drawn all the same: the calendar shows the rule, not
 * its exceptions.
 */
export function deskEnvironments(
  policy: Policy,
  repo: string,
  also?: string,
): (DeskEnvironment & { repo: string })[] {
  const names = new Map<string, string>();
  for (const name of [...Object.keys(policy.environments ?? {}), ...(also ? [also] : [])]) {
    if (!names.has(name.toLowerCase())) names.set(name.toLowerCase(), name);
  }
  return [...names.values()].map((environment) => {
    const window = deploymentGates(policy, environment).find(([, gate]) => gate.require.window)?.[1]
      .require.window;
    return { repo, environment, ...(window ? { window } : {}) };
  });
}
