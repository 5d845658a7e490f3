// The work note's first half: when the protection rule approves a deployment whose
// change_record gates ask for a note (`work_note: true`), what it approved is kept (the
// records, approvers, commit range) for the deployment's status to find
// (src/effects/change-record-note.ts writes the note; src/handlers/change-record-note.ts
// hears the status).
import type {
  ApprovedDeployment,
  ChangeRecordNotes,
  NotedRecord,
} from "../effects/change-record-note.js";
import type { DeploymentDecided, DeploymentListener } from "./deployment-listeners.js";
import { judgedRecords } from "../requirements/change-record.js";

/** What an approval keeps for the note; null when no gate asks for one. */
export function approvedForNote(decided: DeploymentDecided): ApprovedDeployment | null {
  const { request, facts, policy } = decided;
  if (decided.decision !== "approved" || !facts || !policy) return null;
  const records: NotedRecord[] = [];
  for (const gate of decided.gates) {
    const spec = policy.gates?.[gate.id]?.require?.change_record;
    if (!spec?.work_note) continue;
    // What the gate approved: a passing gate's records (any, under an advisory policy).
    if (gate.status !== "pass" && !decided.advisory) continue;
    for (const fact of judgedRecords(spec, facts)) {
      const id = fact.system === "servicenow" ? fact.sysId : fact.number;
      if (!id) continue;
      if (records.some((r) => r.system === fact.system && r.number === fact.number)) continue;
      records.push({ system: fact.system, number: fact.number, id, url: fact.url });
    }
  }
  if (records.length === 0) return null;
  const approvers = [
    ...new Map(
      facts.approvals.map((a) => [a.user, { user: a.user, via: a.via ?? "review" }] as const),
    ).values(),
  ];
  const commits = facts.range?.commits ?? [];
  return {
    repo: request.repo,
    deploymentId: request.deploymentId,
    environment: request.environment,
    runId: request.runId,
    sha: request.sha,
    approvedAt: decided.at,
    approvers,
    ...(commits.length > 0 && !facts.range?.exceeded
      ? {
          range: {
            ...(facts.range?.since ? { from: facts.range.since.sha } : {}),
            to: request.sha,
            commits: commits.length,
          },
        }
      : {}),
    pulls: facts.pulls.map((pull) => pull.number),
    ...(decided.advisory ? { advisory: true } : {}),
    records,
  };
}

/** Keeps what an approval with a work note approved; other decisions cost nothing. */
export function changeNoteListener(notes: ChangeRecordNotes): DeploymentListener {
  return async (decided, log) => {
    const approved = approvedForNote(decided);
    if (approved) await notes.remember(approved, log);
  };
}
