// Notifications where release managers already are (docs/notifications.md): a listener of
// deployment decisions that enqueues one message per event and channel of the environment's
// `notify` (held waiting on people, approved, rejected), and a watch of the same environments'
// freezes that enqueues one message when a freeze starts and one when it ends. Sending is the
// outbox's (holds/notification-outbox.ts): a decision waits only for the enqueueing.
import type { Logger } from "pino";
import {
  gatesWaitingOnPeople,
  freezesInForce,
  freezeTransitions,
  type FreezeInForce,
} from "../evaluate/notify.js";
import type { RepoRef } from "../facts/types.js";
import type { NotificationOutbox, NotifyChannel } from "../holds/notification-outbox.js";
import { NOTIFY_KEEP_MS } from "../holds/notification-outbox.js";
import type { NotifySpec } from "../policy/notify.js";
import type { Policy } from "../policy/schema.js";
import {
  deploymentNotice,
  freezeNotice,
  slackMessage,
  teamsMessage,
  type Notice,
} from "../report/notification.js";
import type { Store } from "../store/store.js";
import type { DeploymentDecided, DeploymentListener } from "./deployment-listeners.js";

/** Environments with `notify` the app has decided for: their freezes are watched. */
const SEEN = "notify:seen";

/** One repository's environment whose freezes are watched. */
export interface WatchedEnvironment {
  repo: RepoRef;
  installationId: number;
  environment: string;
}

export interface NotificationDeps {
  store: Store;
  now: () => Date;
  outbox: NotificationOutbox;
  /** The repository's policy as the app judges by it now; null when it has none or it is invalid. */
  policyOf: (watched: WatchedEnvironment) => Promise<Policy | null>;
}

/** The environment's `notify`, its name matched as GitHub does, without case. */
export function notifyOf(policy: Policy | undefined, environment: string): NotifySpec | undefined {
  const entry = Object.entries(policy?.environments ?? {}).find(
    ([name]) => name.toLowerCase() === environment.toLowerCase(),
  );
  return entry?.[1].notify;
}

const CHANNELS: readonly NotifyChannel[] = ["slack", "teams"];

function render(channel: NotifyChannel, notice: Notice): unknown {
  return channel === "slack" ? slackMessage(notice) : teamsMessage(notice);
}

/** https://github.com, or the host of a GitHub Enterprise Server the pull requests are on. */
function webBaseOf(decided: DeploymentDecided): string {
  const url = decided.facts?.pulls[0]?.url;
  if (url) {
    try {
      return new URL(url).origin;
    } catch {
      // fall through to github.com
    }
  }
  return "https://github.com";
}

/** The kind of message a decision makes, if any: a hold on a window or a failure makes none. */
function noticeKind(decided: DeploymentDecided): "held" | "approved" | "rejected" | undefined {
  if (decided.decision === "approved" || decided.decision === "rejected") return decided.decision;
  if (decided.transient) return undefined;
  return gatesWaitingOnPeople(decided.gates, decided.policy).length > 0 ? "held" : undefined;
}

export function notificationListener(deps: NotificationDeps): DeploymentListener {
  return async (decided: DeploymentDecided, log: Logger): Promise<void> => {
    const { request, policy } = decided;
    const notify = await notifyFor(deps, decided);
    if (!notify) return;
    if (policy) await watch(deps, decided, policy);
    const kind = noticeKind(decided);
    if (!kind) return;
    const repo = `${request.repo.owner}/${request.repo.repo}`;
    const notice = deploymentNotice({
      kind,
      repo,
      environment: request.environment,
      sha: request.sha,
      runId: request.runId,
      webBase: webBaseOf(decided),
      ...(decided.facts
        ? { pulls: decided.facts.pulls.map(({ number, title, url }) => ({ number, title, url })) }
        : {}),
      gates: decided.gates,
      ...(kind === "held" ? { waitingOn: gatesWaitingOnPeople(decided.gates, policy) } : {}),
      ...(kind === "approved" ? { approvers: approversOf(decided) } : {}),
      ...(decided.rejectedBy !== undefined ? { rejectedBy: decided.rejectedBy } : {}),
      ...(decided.advisory ? { advisory: true } : {}),
      ...(decided.heldSince ? { heldSince: decided.heldSince } : {}),
      at: decided.at,
    });
    const about = {
      event: kind,
      repo,
      environment: request.environment,
      deployment: request.deploymentId,
    };
    for (const channel of CHANNELS) {
      const variable = notify[channel];
      if (!variable) continue;
      const enqueued = await deps.outbox.enqueue({
        id: `deployment\u0000${repo.toLowerCase()}\u0000${request.deploymentId}\u0000${kind}\u0000${channel}\u0000${variable}`,
        channel,
        variable,
        owner: request.repo.owner,
        body: render(channel, notice),
        about,
      });
      if (enqueued) log.info({ notification: { ...about, channel } }, "notification queued");
    }
  };
}

const specKey = (repo: RepoRef, environment: string): string =>
  `notify:spec:${repo.owner}/${repo.repo}:${environment}`.toLowerCase();

/**
 * The environment's `notify` from the decision's policy, kept for decisions that come without
 * one (a rejection in GitHub's own review, which the app hears without judging).
 */
async function notifyFor(
  deps: NotificationDeps,
  decided: DeploymentDecided,
): Promise<NotifySpec | undefined> {
  const { repo, environment } = decided.request;
  if (!decided.policy) {
    const kept = await deps.store.get(specKey(repo, environment));
    return kept === null ? undefined : (JSON.parse(kept) as NotifySpec);
  }
  const notify = notifyOf(decided.policy, environment);
  if (notify) {
    await deps.store.set(specKey(repo, environment), JSON.stringify(notify), NOTIFY_KEEP_MS);
  }
  return notify;
}

function approversOf(decided: DeploymentDecided): string[] {
  return [...new Set((decided.facts?.approvals ?? []).map((approval) => approval.user))];
}

const memberOf = (watched: WatchedEnvironment): string =>
  JSON.stringify({
    owner: watched.repo.owner,
    repo: watched.repo.repo,
    environment: watched.environment,
    installationId: watched.installationId,
    defaultBranch: watched.repo.defaultBranch,
    ...(watched.repo.organization !== undefined ? { organization: watched.repo.organization } : {}),
  });

const stateKey = (watched: WatchedEnvironment): string =>
  `notify:freezes:${watched.repo.owner}/${watched.repo.repo}:${watched.environment}`.toLowerCase();

/**
 * Remembers the environment for the freeze watch, and, the first time, the freezes in force
 * now: a freeze that starts before the watch's next look is then told as started.
 */
async function watch(
  deps: NotificationDeps,
  decided: DeploymentDecided,
  policy: Policy,
): Promise<void> {
  const { request } = decided;
  const watched: WatchedEnvironment = {
    repo: request.repo,
    installationId: request.installationId,
    environment: request.environment,
  };
  await deps.store.addToSet(SEEN, memberOf(watched), NOTIFY_KEEP_MS);
  const key = stateKey(watched);
  if ((await deps.store.get(key)) === null) {
    const now = freezesInForce(policy, request.environment, deps.now());
    await deps.store.set(key, JSON.stringify(now), NOTIFY_KEEP_MS);
  }
}

function watchedOf(member: string): WatchedEnvironment | undefined {
  try {
    const m = JSON.parse(member) as {
      owner: string;
      repo: string;
      environment: string;
      installationId: number;
      defaultBranch: string;
      organization?: boolean;
    };
    return {
      repo: {
        owner: m.owner,
        repo: m.repo,
        defaultBranch: m.defaultBranch,
        ...(m.organization !== undefined ? { organization: m.organization } : {}),
      },
      installationId: m.installationId,
      environment: m.environment,
    };
  } catch {
    return undefined;
  }
}

interface Transition {
  kind: "freeze-started" | "freeze-ended";
  /** Whose variable it is sent through: the first repository's owner. */
  owner: string;
  freeze: FreezeInForce;
  environment: string;
  channel: NotifyChannel;
  variable: string;
  repos: string[];
}

/**
 * Looks at every watched environment's freezes once and enqueues a message for each freeze
 * that started or ended since the last look. Environments that share a channel, a name and
 * a freeze (an organization's base policy) make one message naming every repository. Returns
 * how many messages were enqueued.
 */
export async function checkFreezes(deps: NotificationDeps, log: Logger): Promise<number> {
  const { store } = deps;
  const now = deps.now();
  const transitions = new Map<string, Transition>();
  for (const member of await store.members(SEEN)) {
    const watched = watchedOf(member);
    if (!watched) {
      await store.removeFromSet(SEEN, member);
      continue;
    }
    let policy: Policy | null;
    try {
      policy = await deps.policyOf(watched);
    } catch (error) {
      // GitHub could not be read: the next look compares with what was seen last.
      log.warn(
        { err: error, repo: `${watched.repo.owner}/${watched.repo.repo}` },
        "freeze watch could not read the policy",
      );
      continue;
    }
    const notify = notifyOf(policy ?? undefined, watched.environment);
    if (!policy || !notify) {
      await store.removeFromSet(SEEN, member);
      await store.delete(stateKey(watched));
      await store.delete(specKey(watched.repo, watched.environment));
      continue;
    }
    const current = freezesInForce(policy, watched.environment, now);
    const raw = await store.get(stateKey(watched));
    await store.set(stateKey(watched), JSON.stringify(current), NOTIFY_KEEP_MS);
    if (raw === null) continue;
    const { started, ended } = freezeTransitions(JSON.parse(raw) as FreezeInForce[], current);
    const repo = `${watched.repo.owner}/${watched.repo.repo}`;
    const found = [
      ...started.map((freeze) => ({ kind: "freeze-started" as const, freeze })),
      ...ended.map((freeze) => ({ kind: "freeze-ended" as const, freeze })),
    ];
    for (const { kind, freeze } of found) {
      for (const channel of CHANNELS) {
        const variable = notify[channel];
        if (!variable) continue;
        const id = [
          kind,
          watched.environment,
          freeze.gate,
          freeze.reason,
          freeze.until,
          channel,
          variable,
        ].join("\u0000");
        const known = transitions.get(id);
        if (known) known.repos.push(repo);
        else
          transitions.set(id, {
            kind,
            owner: watched.repo.owner,
            freeze,
            environment: watched.environment,
            channel,
            variable,
            repos: [repo],
          });
      }
    }
  }
  let enqueued = 0;
  for (const [id, t] of transitions) {
    const notice = freezeNotice({
      kind: t.kind,
      environment: t.environment,
      repos: [...t.repos].sort(),
      gate: t.freeze.gate,
      reason: t.freeze.reason,
      until: t.freeze.until,
      text: t.freeze.text,
      at: now.toISOString(),
    });
    const about = {
      event: t.kind,
      environment: t.environment,
      gate: t.freeze.gate,
      until: t.freeze.until,
    };
    if (
      await deps.outbox.enqueue({
        id: `freeze\u0000${id}`,
        channel: t.channel,
        variable: t.variable,
        owner: t.owner,
        body: render(t.channel, notice),
        about,
      })
    ) {
      enqueued += 1;
      log.info({ notification: { ...about, channel: t.channel } }, "notification queued");
    }
  }
  return enqueued;
}
