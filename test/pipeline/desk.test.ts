import { pino } from "pino";
import type { DeskIssues, DeskPlace } from "../../src/effects/desk-issue.js";
import { DeskLedger } from "../../src/effects/desk-ledger.js";
import type { Octokit } from "../../src/github/types.js";
import { ReleaseDesk } from "../../src/pipeline/desk.js";
import type { ReleaseRecord } from "../../src/effects/release-record.js";
import { PolicyCache } from "../../src/policy/cache.js";
import type { PolicySource } from "../../src/policy/types.js";
import { MemoryStore } from "../../src/store/memory.js";

const log = pino({ level: "silent" });
const octokit = {} as Octokit;
const NOW = new Date("2026-12-03T10:00:00Z");
const repo = { owner: "acme", repo: "api", defaultBranch: "main", organization: true };

function world(base: string | null) {
  const store = new MemoryStore(() => NOW);
  const reads: string[] = [];
  const source: PolicySource = {
    read: async (owner, name, path) => {
      reads.push(`${owner}/${name}:${path}`);
      return base === null ? null : { location: `${owner}/${name}:${path}`, text: base };
    },
  };
  const ledger = new DeskLedger(store);
  const asked: DeskPlace[] = [];
  const issues = {
    changed: async (place: DeskPlace) => void asked.push(place),
  } as unknown as DeskIssues;
  const desk = new ReleaseDesk({
    policies: new PolicyCache(store, undefined, () => source),
    ledger,
    issues,
    auth: async () => octokit,
  });
  const snapshot = () =>
    ledger.snapshot("acme", "https://github.com", NOW, (e) => e === "production", "private");
  return { desk, ledger, asked, reads, snapshot };
}

const record = (state: "open" | "closed"): ReleaseRecord => ({
  number: 9,
  url: "https://github.com/acme/api/issues/9",
  title: "Release v1",
  body: "",
  state,
});

test("an open release record is in flight with its gates; a closed one leaves", async () => {
  const w = world("desk: { repository: ops }\n");
  const gates = [{ id: "notes", stage: "release", status: "pending" as const, reason: "none" }];
  await w.desk.releaseListener(
    { repo, tag: "v1", gates, record: record("open") },
    { octokit, log, repo },
  );
  expect((await w.snapshot()).releases).toEqual([
    {
      repo: "acme/api",
      tag: "v1",
      gates: [{ name: "notes", status: "pending" }],
      recordUrl: record("open").url,
    },
  ]);
  expect(w.asked).toEqual([{ owner: "acme", repository: "ops", production: ["production"] }]);
  await w.desk.releaseListener(
    { repo, tag: "v1", gates, record: record("closed") },
    { octokit, log, repo },
  );
  expect((await w.snapshot()).releases).toEqual([]);
});

test("statuses: an outcome replaces the last, approvers add up, inactive says nothing", async () => {
  const w = world("desk: {}\n");
  const note = {
    repo,
    deploymentId: 5,
    environment: "production",
    sha: "c".repeat(40),
    at: NOW.toISOString(),
    approvers: ["rita"],
  };
  await w.desk.deploymentStatus(octokit, { ...note, state: "in_progress", url: "u1" }, log);
  await w.desk.deploymentStatus(
    octokit,
    { ...note, state: "success", approvers: ["Rita", "sam"] },
    log,
  );
  await w.desk.deploymentStatus(octokit, { ...note, state: "inactive" }, log);
  expect((await w.snapshot()).shipped).toEqual([
    {
      repo: "acme/api",
      environment: "production",
      sha: note.sha,
      approvers: ["rita", "sam"],
      outcome: "success",
      at: NOW.toISOString(),
      url: "u1",
    },
  ]);
  expect(w.asked).toHaveLength(2);
});

test("no desk in the base, or a personal account: nothing is noted and no edit asked", async () => {
  const off = world("gates: {}\n");
  const note = {
    repo,
    deploymentId: 5,
    environment: "production",
    sha: "c",
    at: NOW.toISOString(),
    approvers: [],
  };
  await off.desk.deploymentStatus(octokit, { ...note, state: "success" }, log);
  expect(off.asked).toEqual([]);
  expect((await off.snapshot()).shipped).toEqual([]);

  const personal = world("desk: {}\n");
  await personal.desk.deploymentStatus(
    octokit,
    { ...note, repo: { ...repo, organization: false }, state: "success" },
    log,
  );
  expect(personal.reads).toEqual([]);
  expect(personal.asked).toEqual([]);
});

test("an invalid base leaves the desk alone", async () => {
  const w = world("desk: { colour: blue }\n");
  const note = {
    repo,
    deploymentId: 5,
    environment: "production",
    sha: "c",
    at: NOW.toISOString(),
    approvers: [],
  };
  await w.desk.deploymentStatus(octokit, { ...note, state: "success" }, log);
  expect(w.asked).toEqual([]);
});
