// The release desk's intake: deployment decisions (a DeploymentListener), release records as
// written (a ReleaseListener) and deployments' statuses each note what changed in the owner's
// desk ledger, then ask for the desk issue to be brought up to date (coalesced,
// effects/desk-issue.ts). Nothing is noted for an owner whose base policy has no `desk`. Each
// notes what its webhook said of the repository's visibility, and a visibility change (the
// `repository` webhook) re-draws the desk: it shows only what its own readers may read.
import type { Logger } from "pino";
import type { DeskDeployment, DeskOutcome } from "../facts/desk.js";
import type { RepoRef, Visibility } from "../facts/types.js";
import type { Octokit } from "../github/types.js";
import type { DeskIssues } from "../effects/desk-issue.js";
import type { DeskLedger } from "../effects/desk-ledger.js";
import { deskEnvironments, deskWaits } from "../evaluate/desk.js";
import { holdKey } from "../holds/registry.js";
import type { PolicyCache } from "../policy/cache.js";
import { deskSettingOf, type DeskConfig } from "../policy/desk-setting.js";
import { ORG_BASE_REPO } from "../policy/required-base.js";
import { POLICY_PATH } from "../policy/types.js";
import { sameName } from "../model/names.js";
import type { DeploymentDecided, DeploymentListener } from "./deployment-listeners.js";
import type { ReleaseListener } from "./release.js";

export interface DeskDeps {
  policies: PolicyCache;
  ledger: DeskLedger;
  issues: DeskIssues;
  /** An installation's client, for decisions heard without one (re-checks, timers). */
  auth: (installationId: number) => Promise<Octokit>;
}

/** A deployment's status, as the deployment_status webhook tells it. */
export interface DeploymentStatusNote {
  repo: RepoRef;
  deploymentId: number;
  environment: string;
  sha: string;
  state: string;
  at: string;
  url?: string;
  /** Who approved it through the app (the approvals ledger). */
  approvers: string[];
  /** The installation the webhook came from: a deferred desk edit names it. */
  installationId?: number;
}

const OUTCOMES: Record<string, DeskOutcome> = {
  success: "success",
  failure: "failure",
  error: "error",
  pending: "in_progress",
  queued: "in_progress",
  in_progress: "in_progress",
};

export class ReleaseDesk {
  constructor(private readonly deps: DeskDeps) {}

  /** Hears every deployment decision (pipeline/deployment-listeners.ts). */
  readonly listener: DeploymentListener = async (decided, log) => {
    if (decided.request.repo.organization === false) return;
    const octokit = await this.deps.auth(decided.request.installationId);
    const config = await this.#config(octokit, decided.request.repo, log);
    if (!config) return;
    await this.#noteVisibility(config, decided.request.repo);
    await this.#noteDecision(config, decided);
    await this.deps.issues.changed(config, octokit, log, decided.request.installationId);
  };

  /** Hears every release record written (pipeline/release.ts). */
  readonly releaseListener: ReleaseListener = async ({ repo, tag, gates, record }, trigger) => {
    const config = await this.#config(trigger.octokit, repo, trigger.log);
    if (!config) return;
    await this.#noteVisibility(config, repo);
    const full = `${repo.owner}/${repo.repo}`;
    if (record.state === "open") {
      await this.deps.ledger.putRelease(repo.owner, {
        repo: full,
        tag,
        gates: gates.map((gate) => ({ name: gate.id, status: gate.status })),
        recordUrl: record.url,
      });
    } else {
      await this.deps.ledger.removeRelease(repo.owner, { repo: full, tag });
    }
    await this.deps.issues.changed(config, trigger.octokit, trigger.log, trigger.installationId);
  };

  /** A deployment reported a status: its outcome on the calendar, and shipped if production. */
  async deploymentStatus(octokit: Octokit, note: DeploymentStatusNote, log: Logger): Promise<void> {
    const outcome = OUTCOMES[note.state];
    // `inactive`: a later deployment replaced it, which says nothing of how it went.
    if (outcome === undefined) return;
    const owner = note.repo.owner;
    const config = await this.#config(octokit, note.repo, log);
    if (!config) return;
    await this.#noteVisibility(config, note.repo);
    const known = await this.deps.ledger.deployment(owner, note.deploymentId);
    const url = note.url ?? known?.url;
    await this.deps.ledger.putDeployment(owner, note.deploymentId, {
      repo: `${owner}/${note.repo.repo}`,
      environment: note.environment,
      sha: note.sha,
      approvers: union(known?.approvers ?? [], note.approvers),
      outcome,
      at: note.at,
      ...(url ? { url } : {}),
    });
    await this.deps.issues.changed(config, octokit, log, note.installationId);
  }

  /**
   * A repository of the owner was made public or private (the `repository` webhook): its rows
   * appear on, or leave, the desk at the next edit; the desk's own repository changes which
   * rows the desk may show at all.
   */
  async repositoryVisibility(
    octokit: Octokit,
    repo: RepoRef,
    visibility: Visibility,
    log: Logger,
    installationId?: number,
  ): Promise<void> {
    const config = await this.#config(octokit, repo, log);
    if (!config) return;
    await this.deps.ledger.setVisibility(config.owner, `${repo.owner}/${repo.repo}`, visibility);
    if (sameName(repo.repo, config.repository)) {
      await this.deps.issues.setVisibility(config, visibility);
    }
    await this.deps.issues.changed(config, octokit, log, installationId);
  }

  /** The desk edits a stopped process deferred (the sweep's part; effects/desk-issue.ts). */
  editDue(log: Logger): Promise<void> {
    return this.deps.issues.editDue(this.deps.auth, log);
  }

  /** What the webhook said of the repository's visibility; a kept request says nothing. */
  async #noteVisibility(config: DeskConfig, repo: RepoRef): Promise<void> {
    if (repo.visibility === undefined) return;
    await this.deps.ledger.noteVisibility(
      config.owner,
      `${repo.owner}/${repo.repo}`,
      repo.visibility,
    );
  }

  async #noteDecision(config: DeskConfig, decided: DeploymentDecided): Promise<void> {
    const { request, policy, facts } = decided;
    const owner = config.owner;
    const repo = `${request.repo.owner}/${request.repo.repo}`;
    const id = holdKey(request);
    const { ledger } = this.deps;
    if (policy) {
      for (const env of deskEnvironments(policy, repo, request.environment)) {
        await ledger.putEnvironment(owner, env);
      }
    }
    if (decided.decision === "waiting") {
      const waitsFor = decided.transient
        ? [{ kind: "gate" as const, gate: "GitHub", reason: "GitHub could not be read; retrying" }]
        : deskWaits(decided.gates, policy, facts, request.repo.owner, new Date(decided.at));
      await ledger.putHold(owner, id, {
        repo,
        environment: request.environment,
        sha: request.sha,
        pullRequests: (facts?.pulls ?? []).map((pull) => ({ number: pull.number, url: pull.url })),
        since: decided.heldSince ?? decided.at,
        waitsFor,
        reviewPath: `/${repo}/actions/runs/${request.runId}`,
      });
      return;
    }
    await ledger.removeHold(owner, id);
    const known = await ledger.deployment(owner, request.deploymentId);
    // A status the deployment already reported says more than the decision that let it run.
    if (known && known.outcome !== "in_progress" && decided.decision === "approved") return;
    const deployment: DeskDeployment = {
      repo,
      environment: request.environment,
      sha: request.sha,
      approvers: union(
        known?.approvers ?? [],
        (facts?.approvals ?? []).map((approval) => approval.user),
      ),
      outcome: decided.decision === "approved" ? "in_progress" : "rejected",
      at: decided.at,
      ...(known?.url ? { url: known.url } : {}),
    };
    await ledger.putDeployment(owner, request.deploymentId, deployment);
  }

  /**
   * The owner's desk, from its base policy (cached with the policies); null when off. Only an
   * organization keeps a desk: a personal account's repositories cost no read for it.
   */
  async #config(octokit: Octokit, repo: RepoRef, log: Logger): Promise<DeskConfig | null> {
    if (repo.organization === false) return null;
    const owner = repo.owner;
    const file = await this.deps.policies.source(octokit).read(owner, ORG_BASE_REPO, POLICY_PATH);
    const setting = deskSettingOf(owner, file);
    if (setting.kind === "invalid") {
      log.warn(
        { owner, problems: setting.problems.slice(0, 3) },
        `the release desk is not updated: ${owner}/${ORG_BASE_REPO}:${POLICY_PATH} is invalid`,
      );
      return null;
    }
    return setting.kind === "on" ? setting.config : null;
  }
}

function union(a: readonly string[], b: readonly string[]): string[] {
  const seen = new Set(a.map((login) => login.toLowerCase()));
  return [
    ...a,
    ...b.filter((login) => !seen.has(login.toLowerCase()) && seen.add(login.toLowerCase())),
  ];
}
