// The metrics as Prometheus reads them: exact lines from a registry of the test's own.
import { Registry } from "prom-client";
import { createMetrics } from "../../src/service/metrics.js";

async function lines(registry: Registry, prefix: string): Promise<string[]> {
  return (await registry.metrics()).split("\n").filter((line) => line.startsWith(prefix));
}

test("webhook events by event and outcome, with their duration, and the work in flight", async () => {
  let running = 2;
  const metrics = createMetrics(new Registry(), () => running);
  metrics.webhooks.finished("pull_request.opened", "handled", 0.2);
  expect(await lines(metrics.registry, "release_policy_webhooks_in_flight")).toEqual([
    "release_policy_webhooks_in_flight 2",
  ]);
  running = 0;
  metrics.webhooks.finished("push", "failed", 3);
  expect(await lines(metrics.registry, "release_policy_webhooks_in_flight")).toEqual([
    "release_policy_webhooks_in_flight 0",
  ]);
  expect(await lines(metrics.registry, "release_policy_webhook_events_total")).toEqual([
    'release_policy_webhook_events_total{event="pull_request.opened",outcome="handled"} 1',
    'release_policy_webhook_events_total{event="push",outcome="failed"} 1',
  ]);
  expect(await lines(metrics.registry, "release_policy_webhook_duration_seconds_bucket")).toEqual(
    expect.arrayContaining([
      'release_policy_webhook_duration_seconds_bucket{le="2.5",event="push"} 0',
      'release_policy_webhook_duration_seconds_bucket{le="5",event="push"} 1',
    ]),
  );
});

test("decisions by stage and outcome, gate results by stage and outcome", async () => {
  const metrics = createMetrics(new Registry(), () => 0);
  metrics.decisions.decided("pull_request", "pending", [
    { id: "change-record", status: "pass" },
    { id: "peer-review", status: "pending" },
  ]);
  metrics.decisions.decided("deployment", "rejected", [{ id: "window", status: "fail" }]);
  metrics.decisions.decided("pull_request", "success", [{ id: "change-record", status: "pass" }]);
  expect(await lines(metrics.registry, "release_policy_decisions_total")).toEqual([
    'release_policy_decisions_total{stage="pull_request",outcome="pending"} 1',
    'release_policy_decisions_total{stage="deployment",outcome="rejected"} 1',
    'release_policy_decisions_total{stage="pull_request",outcome="success"} 1',
  ]);
  expect(await lines(metrics.registry, "release_policy_gate_results_total")).toEqual([
    'release_policy_gate_results_total{stage="pull_request",outcome="pass"} 2',
    'release_policy_gate_results_total{stage="pull_request",outcome="pending"} 1',
    'release_policy_gate_results_total{stage="deployment",outcome="fail"} 1',
  ]);
});

test("GitHub requests by method, route and status, and the rate limit per installation", async () => {
  const metrics = createMetrics(new Registry(), () => 0);
  const route = "/repos/{owner}/{repo}/check-runs";
  metrics.github.request({ method: "POST", route, status: "201", seconds: 0.25 });
  metrics.github.request({ method: "POST", route, status: "201", seconds: 0.5 });
  metrics.github.request({ method: "GET", route: "/app", status: "error", seconds: 5 });
  metrics.github.rateLimitRemaining("42", 4990);
  metrics.github.rateLimitRemaining("42", 4989);
  metrics.github.rateLimitRemaining("app", 4999);
  expect(
    await lines(metrics.registry, "release_policy_github_request_duration_seconds_count"),
  ).toEqual([
    `release_policy_github_request_duration_seconds_count{method="POST",route="${route}",status="201"} 2`,
    'release_policy_github_request_duration_seconds_count{method="GET",route="/app",status="error"} 1',
  ]);
  expect(
    await lines(metrics.registry, "release_policy_github_request_duration_seconds_sum"),
  ).toEqual([
    `release_policy_github_request_duration_seconds_sum{method="POST",route="${route}",status="201"} 0.75`,
    'release_policy_github_request_duration_seconds_sum{method="GET",route="/app",status="error"} 5',
  ]);
  expect(await lines(metrics.registry, "release_policy_github_rate_limit_remaining")).toEqual([
    'release_policy_github_rate_limit_remaining{installation="42"} 4989',
    'release_policy_github_rate_limit_remaining{installation="app"} 4999',
  ]);
});

test("change-system requests by system and status, with their latency", async () => {
  const metrics = createMetrics(new Registry(), () => 0);
  metrics.changeSystems({ system: "servicenow", status: "200", seconds: 0.08 });
  metrics.changeSystems({ system: "jira", status: "error", seconds: 10 });
  expect(
    await lines(metrics.registry, "release_policy_change_system_request_duration_seconds_count"),
  ).toEqual([
    'release_policy_change_system_request_duration_seconds_count{system="servicenow",status="200"} 1',
    'release_policy_change_system_request_duration_seconds_count{system="jira",status="error"} 1',
  ]);
});
