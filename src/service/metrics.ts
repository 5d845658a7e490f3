// The service's Prometheus metrics. Every metric lives in the registry passed in, so tests
// read exact lines from a registry of their own and nothing leaks between them.
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { DecisionMetrics, DecisionStage, GateOutcome } from "../pipeline/decision-metrics.js";
import type { RedeliveryMetrics } from "../deliveries/recovery.js";
import type { ChangeSystemObserver } from "../facts/change-record-clients.js";
import type { NotifyObserver } from "../holds/notification-outbox.js";

export type WebhookOutcome = "handled" | "failed";

export interface WebhookMetrics {
  /** A webhook handler finished: `event` is `name.action` (or `name` without an action). */
  finished(event: string, outcome: WebhookOutcome, seconds: number): void;
}

export interface GitHubRequest {
  method: string;
  /** The route template, e.g. `/repos/{owner}/{repo}/check-runs`. */
  route: string;
  /** The HTTP status, or `error` when no answer came. */
  status: string;
  seconds: number;
}

export interface GitHubMetrics {
  request(request: GitHubRequest): void;
  /** `x-ratelimit-remaining` as last seen for an installation (or `app` for the app's JWT). */
  rateLimitRemaining(installation: string, remaining: number): void;
}

export interface ServiceMetrics {
  readonly registry: Registry;
  readonly webhooks: WebhookMetrics;
  readonly decisions: DecisionMetrics;
  readonly github: GitHubMetrics;
  readonly redeliveries: RedeliveryMetrics;
  /** Requests to the change systems (ServiceNow, Jira) that change_record gates ask. */
  readonly changeSystems: ChangeSystemObserver;
  /** Slack and Teams messages, by outcome: an unset webhook variable shows as unconfigured. */
  readonly notifications: NotifyObserver;
}

const PREFIX = "release_policy_";
// Webhook handlers make a handful of requests each: tens of milliseconds to seconds.
const WEBHOOK_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
// One GitHub request: ~20 ms locally, longer when the throttle spaces writes a second apart.
const REQUEST_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * `inFlight` tells how much work runs now: webhook handlers and the evaluations that run
 * after their webhook was answered (what shutdown waits for).
 */
export function createMetrics(registry: Registry, inFlight: () => number): ServiceMetrics {
  return {
    registry,
    webhooks: webhookMetrics(registry, inFlight),
    decisions: decisionMetrics(registry),
    github: githubMetrics(registry),
    redeliveries: redeliveryMetrics(registry),
    changeSystems: changeSystemMetrics(registry),
    notifications: notificationMetrics(registry),
  };
}

function notificationMetrics(registry: Registry): NotifyObserver {
  const sends = new Counter({
    name: `${PREFIX}notifications_total`,
    help: "Slack and Teams messages of environments' notify, by channel and outcome: sent; retried (an attempt failed, another follows after a back-off); gave_up (refused, or every attempt failed); unconfigured (the variable the policy names is unset, not an http(s) URL, or not scoped to the repository's owner).",
    labelNames: ["channel", "outcome"] as const,
    registers: [registry],
  });
  return (channel, outcome) => sends.inc({ channel, outcome: outcome.replace("-", "_") });
}

function changeSystemMetrics(registry: Registry): ChangeSystemObserver {
  const duration = new Histogram({
    name: `${PREFIX}change_system_request_duration_seconds`,
    help: "Requests to the change systems change_record gates read (servicenow, jira), by HTTP status (error: no answer, a timeout included), with their latency; _count is the number of requests.",
    labelNames: ["system", "status"] as const,
    buckets: REQUEST_BUCKETS,
    registers: [registry],
  });
  return ({ system, status, seconds }) => duration.observe({ system, status }, seconds);
}

function redeliveryMetrics(registry: Registry): RedeliveryMetrics {
  const redeliveries = new Counter({
    name: `${PREFIX}redeliveries_total`,
    help: "Failed webhook deliveries the app asked GitHub to redeliver, by result (requested, or failed: the request itself failed and is retried on a later pass).",
    labelNames: ["result"] as const,
    registers: [registry],
  });
  return { redelivery: (result) => redeliveries.inc({ result }) };
}

function webhookMetrics(registry: Registry, inFlight: () => number): WebhookMetrics {
  const events = new Counter({
    name: `${PREFIX}webhook_events_total`,
    help: "Webhook events answered, by event (name.action) and outcome (handled, or failed: GitHub got an error).",
    labelNames: ["event", "outcome"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: `${PREFIX}webhook_duration_seconds`,
    help: "Time from a webhook's arrival at its handler to the handler's answer, by event.",
    labelNames: ["event"] as const,
    buckets: WEBHOOK_BUCKETS,
    registers: [registry],
  });
  new Gauge({
    name: `${PREFIX}webhooks_in_flight`,
    help: "Webhook work running now: handlers, and evaluations that run after their webhook was answered.",
    registers: [registry],
    collect() {
      this.set(inFlight());
    },
  });
  return {
    finished(event, outcome, seconds) {
      events.inc({ event, outcome });
      duration.observe({ event }, seconds);
    },
  };
}

function decisionMetrics(registry: Registry): DecisionMetrics {
  const decisions = new Counter({
    name: `${PREFIX}decisions_total`,
    help: "Decisions made, by stage (pull_request or deployment) and outcome (a check conclusion or a deployment answer).",
    labelNames: ["stage", "outcome"] as const,
    registers: [registry],
  });
  // Not by gate id: ids are whatever a repository's policy names them, so a label per id would
  // grow without bound and show every repository's gate names to whoever reads /metrics. Which
  // gate failed is on the check run and the deployment's review.
  const gates = new Counter({
    name: `${PREFIX}gate_results_total`,
    help: "Gate results within decisions, by stage and outcome (pass, fail, pending, skipped or error).",
    labelNames: ["stage", "outcome"] as const,
    registers: [registry],
  });
  return {
    decided(stage: DecisionStage, outcome: string, results: readonly GateOutcome[]) {
      decisions.inc({ stage, outcome });
      for (const gate of results) gates.inc({ stage, outcome: gate.status });
    },
  };
}

function githubMetrics(registry: Registry): GitHubMetrics {
  const duration = new Histogram({
    name: `${PREFIX}github_request_duration_seconds`,
    help: "GitHub API requests by method, route template and status, with the time the app waited for each (throttling and retries included); _count is the number of requests.",
    labelNames: ["method", "route", "status"] as const,
    buckets: REQUEST_BUCKETS,
    registers: [registry],
  });
  const remaining = new Gauge({
    name: `${PREFIX}github_rate_limit_remaining`,
    help: "Requests left in the current rate-limit window, as GitHub last reported it, by installation (app: the app's own JWT requests).",
    labelNames: ["installation"] as const,
    registers: [registry],
  });
  return {
    request: ({ method, route, status, seconds }) =>
      duration.observe({ method, route, status }, seconds),
    rateLimitRemaining: (installation, value) => remaining.set({ installation }, value),
  };
}
