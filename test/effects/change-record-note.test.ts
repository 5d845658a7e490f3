import { readFileSync } from "node:fs";
import { describe, expect, it } from "@jest/globals";
import { pino } from "pino";
import type { ChangeSystemClient, ChangeSystemsConfig } from "../../src/change-systems/client.js";
import {
  ChangeRecordNotes,
  jiraCommentBody,
  NOTE_ATTEMPTS,
  noteText,
  type ApprovedDeployment,
  type DeploymentOutcome,
} from "../../src/effects/change-record-note.js";
import { MemoryStore } from "../../src/store/memory.js";
import { ManualScheduler } from "../support/manual-scheduler.js";

const SHA = "c0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ff";
const SINCE = "1111111111111111111111111111111111111111";
const REPO = { owner: "acme", repo: "shop", defaultBranch: "main" };

const approved: ApprovedDeployment = {
  repo: REPO,
  deploymentId: 55,
  environment: "production",
  runId: 9001,
  sha: SHA,
  approvedAt: "2026-03-10T12:00:00.000Z",
  approvers: [
    { user: "rita", via: "review" },
    { user: "sam", via: "comment" },
  ],
  range: { from: SINCE, to: SHA, commits: 3 },
  pulls: [7, 8],
  records: [
    {
      system: "servicenow",
      number: "CHG0012345",
      id: "abc123",
      url: "https://acme.service-now.com/nav_to.do?uri=change_request.do?sys_id=abc123",
    },
  ],
};

const outcome: DeploymentOutcome = {
  state: "failure",
  at: "2026-03-10T12:20:00Z",
  repositoryUrl: "https://github.com/acme/shop",
  statusUrl: "https://github.com/acme/shop/actions/runs/9001/job/1",
};

describe("noteText", () => {
  it("says what was deployed where, the commits, the approvers and how it ended", () => {
    expect(noteText(approved, outcome).split("\n")).toEqual([
      "Release Policy: deployment 55 of acme/shop to production failed.",
      "Outcome: failure at 2026-03-10T12:20:00Z (https://github.com/acme/shop/actions/runs/9001/job/1)",
      "Repository: acme/shop",
      "Environment: production",
      "Workflow run: https://github.com/acme/shop/actions/runs/9001",
      `Commits: ${SINCE}..${SHA} (3 commits)`,
      "Pull requests: #7, #8",
      "Approved at 2026-03-10T12:00:00.000Z by: rita (deployment review), sam (/approve comment)",
      "Change records: CHG0012345",
    ]);
  });

  it("names a direct push, an approval by the gates alone, a first deployment and an advisory policy", () => {
    const text = noteText(
      {
        ...approved,
        approvers: [],
        pulls: [],
        range: { to: SHA, commits: 1 },
        advisory: true,
      },
      {
        state: "success",
        at: "2026-03-10T12:20:00Z",
        repositoryUrl: "https://ghe.acme.test/acme/shop",
      },
    );
    expect(text).toContain("to production succeeded.\nOutcome: success at 2026-03-10T12:20:00Z\n");
    expect(text).toContain("Workflow run: https://ghe.acme.test/acme/shop/actions/runs/9001");
    expect(text).toContain(`Commits: up to ${SHA} (1 commit, the environment's first deployment)`);
    expect(text).toContain("Pull requests: none (a direct push)");
    expect(text).toContain("by: no one (the gates alone)");
    expect(text).toContain("Policy mode: advisory (approved whatever the gates said)");
  });

  it("names the deployed commit when the range was not read", () => {
    const withoutRange: ApprovedDeployment = { ...approved };
    delete withoutRange.range;
    expect(noteText(withoutRange, { ...outcome, state: "error" })).toContain(
      `ended in error.\nOutcome: error at 2026-03-10T12:20:00Z`,
    );
    expect(noteText(withoutRange, outcome)).toContain(`\nCommit: ${SHA}\n`);
  });

  it("is shown in docs/policy.md as the app writes it", () => {
    const docs = readFileSync(new URL("../../docs/policy.md", import.meta.url), "utf8");
    const shown = noteText(
      {
        ...approved,
        sha: "abcabcabcabcabcabcabcabcabcabcabcabcabca",
        approvers: [{ user: "rita", via: "review" }],
        pulls: [7],
        // A deployment reads what it ships: here, the environment's first deployment.
        range: { to: "abcabcabcabcabcabcabcabcabcabcabcabcabca", commits: 1 },
      },
      {
        state: "success",
        at: "2026-03-10T12:20:00Z",
        repositoryUrl: "https://github.com/acme/shop",
        statusUrl: "https://github.com/acme/shop/actions/runs/9001",
      },
    );
    expect(docs).toContain("```text\n" + shown + "\n```");
  });
});

describe("jiraCommentBody", () => {
  it("is an internal comment with one ADF paragraph per line", () => {
    expect(jiraCommentBody("first\nsecond")).toEqual({
      body: {
        type: "doc",
        version: 1,
        content: [
          { type: "paragraph", content: [{ type: "text", text: "first" }] },
          { type: "paragraph", content: [{ type: "text", text: "second" }] },
        ],
      },
      properties: [{ key: "sd.public.comment", value: { internal: true } }],
    });
  });
});

/** A change system that answers with the statuses lined up, then 200. */
function system(statuses: (number | [number, Record<string, string>])[] = []) {
  const requests: { path: string; method: string; body: unknown }[] = [];
  const config: ChangeSystemsConfig = {
    servicenow: {
      url: "https://acme.service-now.com",
      auth: { kind: "basic", user: "u", password: "p" },
    },
  };
  const client: ChangeSystemClient = {
    config,
    async request(_system, path, init) {
      requests.push({ path, method: init?.method ?? "GET", body: JSON.parse(String(init?.body)) });
      const next = statuses.shift() ?? 200;
      const [status, headers] = Array.isArray(next) ? next : [next, {}];
      const body =
        status === 200 ? { result: { sys_id: "abc123" } } : { error: { message: "Nope" } };
      return new Response(JSON.stringify(body), { status, headers });
    },
  };
  return { client, requests };
}

function notes(client: ChangeSystemClient, shared?: { clock: { now: Date }; store: MemoryStore }) {
  const clock = shared?.clock ?? { now: new Date("2026-03-10T12:20:00Z") };
  const scheduler = new ManualScheduler();
  const store = shared?.store ?? new MemoryStore(() => clock.now);
  const made = new ChangeRecordNotes({
    store,
    client,
    scheduler,
    now: () => clock.now,
    log: pino({ level: "silent" }),
    baseMs: 1000,
  });
  return { made, clock, scheduler, store };
}

describe("ChangeRecordNotes", () => {
  it("writes the note as a ServiceNow work note, and nothing for a deployment it does not know", async () => {
    const { client, requests } = system();
    const { made } = notes(client);
    await made.outcome(REPO, 56, outcome);
    expect(requests).toEqual([]);
    await made.remember(approved);
    await made.outcome(REPO, 55, outcome);
    await made.outcome({ ...REPO, owner: "ACME", repo: "Shop" }, 55, outcome);
    expect(requests).toEqual([
      {
        path: "/api/now/table/change_request/abc123?sysparm_fields=sys_id",
        method: "PATCH",
        body: { work_notes: noteText(approved, outcome) },
      },
    ]);
  });

  it("tries a passing failure again with a back-off, never sooner than asked, then leaves it to a redelivery", async () => {
    const failures = Array.from({ length: NOTE_ATTEMPTS }, (): [number, Record<string, string>] => [
      429,
      { "retry-after": "120" },
    ]);
    const { client, requests } = system(failures);
    const { made, clock, scheduler } = notes(client);
    await made.remember(approved);
    await made.outcome(REPO, 55, outcome);
    expect(requests).toHaveLength(1);
    // 10 s of back-off, but ServiceNow asked for 120.
    clock.now = new Date(clock.now.getTime() + 119_000);
    await scheduler.runDue(clock.now);
    expect(requests).toHaveLength(1);
    for (let i = 0; i < NOTE_ATTEMPTS; i++) {
      clock.now = new Date(clock.now.getTime() + 600_000);
      await scheduler.runDue(clock.now);
    }
    expect(requests).toHaveLength(NOTE_ATTEMPTS);
    expect(scheduler.next).toBeUndefined();
    expect(await made.waiting()).toBe(0);
    // Given up, the note is not claimed: a redelivered status writes it.
    await made.outcome(REPO, 55, outcome);
    expect(requests).toHaveLength(NOTE_ATTEMPTS + 1);
    await made.outcome(REPO, 55, outcome);
    expect(requests).toHaveLength(NOTE_ATTEMPTS + 1);
  });

  it("keeps a failed note in the store: after a restart the sweep writes it, and the old timer writes nothing more", async () => {
    const { client, requests } = system([503]);
    const first = notes(client);
    await first.made.remember(approved);
    await first.made.outcome(REPO, 55, outcome);
    expect(requests).toHaveLength(1);
    expect(await first.made.waiting()).toBe(1);
    // The process stops; another starts on the same store and sweeps before the retry is due.
    const second = notes(client, first);
    expect(await second.made.retryDue()).toBe(0);
    first.clock.now = new Date(first.clock.now.getTime() + 10_000);
    expect(await second.made.retryDue()).toBe(1);
    expect(requests).toHaveLength(2);
    expect(await second.made.waiting()).toBe(0);
    // The first process's timer, had it lived, and later sweeps find it done.
    await first.scheduler.runDue(first.clock.now);
    expect(await second.made.retryDue()).toBe(0);
    expect(requests).toHaveLength(2);
  });

  it("makes a due retry once when two instances sweep at the same time", async () => {
    const { client, requests } = system([503, 503]);
    const one = notes(client);
    const two = notes(client, one);
    await one.made.remember(approved);
    await one.made.outcome(REPO, 55, outcome);
    one.clock.now = new Date(one.clock.now.getTime() + 10_000);
    const swept = await Promise.all([one.made.retryDue(), two.made.retryDue()]);
    expect(swept.reduce((a, b) => a + b)).toBe(1);
    expect(requests).toHaveLength(2);
    // That retry failed too: the next one is due after a longer back-off, not at once.
    expect(await two.made.retryDue()).toBe(0);
    one.clock.now = new Date(one.clock.now.getTime() + 20_000);
    expect(await two.made.retryDue()).toBe(1);
    expect(requests).toHaveLength(3);
    expect(await one.made.waiting()).toBe(0);
  });

  it("does not retry a refusal, and lets a redelivery write once the account may", async () => {
    const { client, requests } = system([403]);
    const { made, scheduler } = notes(client);
    await made.remember(approved);
    await made.outcome(REPO, 55, outcome);
    expect(scheduler.next).toBeUndefined();
    await made.outcome(REPO, 55, outcome);
    await made.outcome(REPO, 55, outcome);
    expect(requests).toHaveLength(2);
  });

  it("writes nothing to a system that is not configured", async () => {
    const { client, requests } = system();
    const { made } = notes({ ...client, config: {} });
    await made.remember(approved);
    await made.outcome(REPO, 55, outcome);
    expect(requests).toEqual([]);
  });
});
