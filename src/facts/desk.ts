// What the release desk shows, as plain data: gathered from GitHub and the store by the
// server, rendered by report/desk.ts without any further reads. Times are ISO 8601 strings,
// so a snapshot can be written to a file, replayed in a test, or diffed.
import type { GateStatus } from "../model/result.js";
import type { WindowRequirement } from "../model/time/window-spec.js";

export interface DeskPullRequest {
  number: number;
  url: string;
}

/** One thing a held deployment waits for. */
export type DeskWait =
  /** Approval by these people or teams ("alice", "acme/release-managers"). */
  | { kind: "approval"; by: string[] }
  /** The deployment window; `opensAt` absent when it does not open within the search. */
  | { kind: "window"; opensAt?: string }
  | { kind: "freeze"; until: string; reason: string }
  /** A change record (ServiceNow, Jira) that must reach an approved state. */
  | { kind: "change-record"; id: string; state: string; url?: string }
  /** Another gate still pending (a soak time, a pull request's check, the release), with its reason. */
  | { kind: "gate"; gate: string; reason: string };

export interface DeskHold {
  /** owner/name */
  repo: string;
  environment: string;
  sha: string;
  pullRequests: DeskPullRequest[];
  /** When the deployment was first held. */
  since: string;
  waitsFor: DeskWait[];
  /** The workflow run where the deployment can be reviewed. */
  reviewUrl: string;
}

export interface DeskReleaseGate {
  name: string;
  status: GateStatus;
}

export interface DeskRelease {
  repo: string;
  tag: string;
  gates: DeskReleaseGate[];
  /** The release record (an issue or the release's own page). */
  recordUrl: string;
}

/** One environment's calendar: its policy's window, read in the window's own time zone. */
export interface DeskEnvironment {
  /** Only when environments of the same name differ between repositories. */
  repo?: string;
  environment: string;
  /** Absent: the environment has no window (deployable at any time). */
  window?: WindowRequirement;
}

export type DeskOutcome = "success" | "failure" | "error" | "in_progress" | "rejected";

export interface DeskDeployment {
  repo: string;
  environment: string;
  sha: string;
  approvers: string[];
  outcome: DeskOutcome;
  /** When it deployed (or was decided). */
  at: string;
  url?: string;
}

/** Where the rows a bounded section leaves out can be seen. */
export interface DeskLinks {
  waiting?: string;
  releases?: string;
  shipped?: string;
}

export interface DeskSnapshot {
  holds: DeskHold[];
  releases: DeskRelease[];
  environments: DeskEnvironment[];
  /** Deployments of today, drawn on the calendar as milestones. */
  today: DeskDeployment[];
  /** Production deployments; the desk shows those of the 7 days before `now`. */
  shipped: DeskDeployment[];
  links?: DeskLinks;
}
