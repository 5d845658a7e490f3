/**
 * Change records in ServiceNow: production's deployments need an approved change whose
 * planned window covers them. The emergency fix's change waits for the emergency change
 * advisory board; once it approves, erin's `/recheck` on the pull request lets the held job
 * go at once, and when the job has run the app leaves a work note on the change: the evidence
 * an auditor asks for. ServiceNow is a local stand-in with the vendor's API shapes.
 */
import type { GitHubEvents } from "../../test/e2e/github-events.js";
import { waitFor } from "../../test/e2e/server-process.js";
import type { ServiceNowStandIn, StandInChange } from "../../test/stand-in/servicenow.js";
import { dim, green } from "./render.js";
import { DemoFailure, type Stage } from "./stage.js";

/** The gate production's deployments get, with a work note once they have run. */
export const CHANGE_GATE = `  production-change:
    stage: deployment
    environments: [production]
    require:
      change_record: { system: servicenow, pattern: "CHG[0-9]{7}", work_note: true }
`;

/** The demo server's credentials for the stand-in (the stand-in's own accepted pair). */
export function serviceNowEnv(sn: ServiceNowStandIn): Record<string, string> {
  const [user = "", password = ""] = sn.basic.split(":");
  return { SERVICENOW_URL: sn.url, SERVICENOW_USER: user, SERVICENOW_PASSWORD: password };
}

/** ServiceNow's stored form of an instant `hours` from `now`: UTC "2026-03-10 11:00:00". */
const serviceNowTime = (now: Date, hours: number): string =>
  new Date(now.getTime() + hours * 3_600_000).toISOString().slice(0, 19).replace("T", " ");

export const EMERGENCY_CHANGE = "CHG0020001";

/** The normal change is scheduled and approved; the emergency fix's awaits the ECAB. */
export function seedChanges(sn: ServiceNowStandIn, now: Date): void {
  const change = (seed: Omit<StandInChange, "start_date" | "end_date">, hours: number[]) =>
    sn.changes.set(seed.number, {
      ...seed,
      start_date: serviceNowTime(now, hours[0] ?? 0),
      end_date: serviceNowTime(now, hours[1] ?? 0),
    });
  change(
    {
      number: "CHG0020000",
      short_description: "New payment provider",
      state: "Scheduled",
      approval: "Approved",
      sys_id: "a1f2c3d4e5f60718293a4b5c6d7e8f90",
    },
    [-24, 72],
  );
  change(
    {
      number: EMERGENCY_CHANGE,
      short_description: "Fix card declines",
      state: "Implement",
      approval: "Requested",
      sys_id: "0f9e8d7c6b5a49382716a5b4c3d2e1f0",
    },
    [-1, 6],
  );
}

/**
 * The emergency deployment of `runId`, approved by the release manager, waits only for its
 * change: the ECAB approves it, erin asks for a fresh look, the job goes and its note is left.
 */
export async function changeApprovedStory(
  stage: Stage,
  events: GitHubEvents,
  sn: ServiceNowStandIn,
  runId: number,
  expectApproved: () => Promise<void>,
): Promise<void> {
  stage.heading("The emergency change advisory board approves the change in ServiceNow");
  const change = sn.changes.get(EMERGENCY_CHANGE);
  if (!change) throw new DemoFailure(`${EMERGENCY_CHANGE} was not seeded`);
  sn.changes.set(EMERGENCY_CHANGE, { ...change, approval: "Approved" });
  stage.say(
    `${EMERGENCY_CHANGE} is approved in ServiceNow. ServiceNow sends GitHub no webhook, so erin comments \`/recheck\` on #21.`,
  );
  await stage.send(events.comment(21, "/recheck", "erin"));
  await expectApproved();

  stage.heading("The deployment runs, and the change record gets its evidence");
  stage.say("The deploy job succeeds; GitHub reports the deployment's status.");
  await stage.send(events.deploymentFinished(runId, "success"));
  let note: ServiceNowStandIn["notes"][number];
  try {
    note = await waitFor("the work note", () => sn.notes[0], { timeoutMs: 30_000 });
  } catch {
    throw new DemoFailure(`expected a work note on ${EMERGENCY_CHANGE}, but ServiceNow has none`);
  }
  stage.say("", dim(`Work note on ${note.number} in ServiceNow:`));
  for (const line of note.text.split("\n")) stage.say(`  ${line}`);
  stage.say("", green(`✓ ${note.number} records the deployment, its approvers and its outcome`));
}
