import {
  calendarEnvironments,
  DeskLedger,
  type LedgerHold,
} from "../../src/effects/desk-ledger.js";
import type { DeskDeployment } from "../../src/facts/desk.js";
import { MemoryStore } from "../../src/store/memory.js";

const DAY = 24 * 60 * 60 * 1000;
const clock = { now: new Date("2026-12-03T10:00:00Z") };
const production = (env: string): boolean => env === "production";

const hold = (repo: string, since: string): LedgerHold => ({
  repo,
  environment: "production",
  sha: "a".repeat(40),
  pullRequests: [{ number: 1, url: `https://github.com/${repo}/pull/1` }],
  since,
  waitsFor: [{ kind: "approval", by: ["acme/release-managers"] }],
  reviewPath: `/${repo}/actions/runs/7`,
});

const deployment = (over: Partial<DeskDeployment>): DeskDeployment => ({
  repo: "acme/api",
  environment: "production",
  sha: "b".repeat(40),
  approvers: ["rita"],
  outcome: "success",
  at: clock.now.toISOString(),
  ...over,
});

let store: MemoryStore;
let ledger: DeskLedger;

beforeEach(() => {
  clock.now = new Date("2026-12-03T10:00:00Z");
  store = new MemoryStore(() => clock.now);
  ledger = new DeskLedger(store);
});

test("holds are kept per owner and resolved against the desk's host; a removed one is gone", async () => {
  await ledger.putHold("Acme", "acme/api:7:production", hold("acme/api", "2026-12-03T09:00:00Z"));
  await ledger.putHold("acme", "acme/web:8:production", hold("acme/web", "2026-12-03T08:00:00Z"));
  await ledger.putHold("other", "other/x:1:production", hold("other/x", "2026-12-03T08:00:00Z"));
  const snapshot = await ledger.snapshot(
    "acme",
    "https://ghe.example",
    clock.now,
    production,
    "private",
  );
  expect(snapshot.holds.map((h) => [h.repo, h.reviewUrl])).toEqual([
    ["acme/api", "https://ghe.example/acme/api/actions/runs/7"],
    ["acme/web", "https://ghe.example/acme/web/actions/runs/7"],
  ]);
  await ledger.removeHold("acme", "acme/api:7:production");
  const after = await ledger.snapshot(
    "acme",
    "https://github.com",
    clock.now,
    production,
    "private",
  );
  expect(after.holds.map((h) => h.repo)).toEqual(["acme/web"]);
});

test("a hold written again replaces the earlier entry", async () => {
  await ledger.putHold("acme", "k", hold("acme/api", "2026-12-03T09:00:00Z"));
  await ledger.putHold("acme", "k", { ...hold("acme/api", "2026-12-03T09:00:00Z"), waitsFor: [] });
  const snapshot = await ledger.snapshot(
    "acme",
    "https://github.com",
    clock.now,
    production,
    "private",
  );
  expect(snapshot.holds).toHaveLength(1);
  expect(snapshot.holds[0]?.waitsFor).toEqual([]);
});

test("deployments: today's for the calendar, production's for shipped, a rejection never shipped", async () => {
  await ledger.putDeployment("acme", 1, deployment({}));
  await ledger.putDeployment("acme", 2, deployment({ environment: "staging" }));
  await ledger.putDeployment("acme", 3, deployment({ outcome: "rejected" }));
  await ledger.putDeployment("acme", 4, deployment({ at: "2026-11-30T10:00:00Z" }));
  const snapshot = await ledger.snapshot(
    "acme",
    "https://github.com",
    clock.now,
    production,
    "private",
  );
  expect(snapshot.today).toHaveLength(3);
  expect(snapshot.shipped.map((d) => d.at)).toEqual([
    clock.now.toISOString(),
    "2026-11-30T10:00:00Z",
  ]);
  // A later status of the same deployment replaces it.
  await ledger.putDeployment("acme", 1, deployment({ outcome: "failure" }));
  expect((await ledger.deployment("acme", 1))?.outcome).toBe("failure");
});

test("entries expire on their own and leave the index when read", async () => {
  await ledger.putDeployment("acme", 1, deployment({}));
  await ledger.putRelease("acme", { repo: "acme/api", tag: "v1", gates: [], recordUrl: "u" });
  clock.now = new Date(clock.now.getTime() + 9 * DAY);
  const snapshot = await ledger.snapshot(
    "acme",
    "https://github.com",
    clock.now,
    production,
    "private",
  );
  expect(snapshot.shipped).toEqual([]);
  expect(snapshot.releases).toHaveLength(1);
  expect(await store.members("desk:deployments:acme")).toEqual([]);
});

test("releases: one entry per repository and tag, removed once the record closes", async () => {
  const release = { repo: "acme/api", tag: "v1.0.0", gates: [], recordUrl: "u" };
  await ledger.putRelease("acme", release);
  await ledger.putRelease("acme", { ...release, gates: [{ name: "notes", status: "pass" }] });
  let snapshot = await ledger.snapshot(
    "acme",
    "https://github.com",
    clock.now,
    production,
    "private",
  );
  expect(snapshot.releases).toEqual([{ ...release, gates: [{ name: "notes", status: "pass" }] }]);
  await ledger.removeRelease("acme", release);
  snapshot = await ledger.snapshot("acme", "https://github.com", clock.now, production, "private");
  expect(snapshot.releases).toEqual([]);
});

test("writers at the same time lose nothing", async () => {
  await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      ledger.putHold("acme", `k${i}`, hold(`acme/r${i}`, "2026-12-03T09:00:00Z")),
    ),
  );
  const snapshot = await ledger.snapshot(
    "acme",
    "https://github.com",
    clock.now,
    production,
    "private",
  );
  expect(snapshot.holds).toHaveLength(20);
});

describe("calendarEnvironments", () => {
  const window = { timezone: "UTC", allow: ["Mon-Fri 09:00-17:00"] };
  it("draws one row for an environment every repository gives the same window", () => {
    expect(
      calendarEnvironments([
        { repo: "acme/a", environment: "production", window },
        { repo: "acme/b", environment: "Production", window },
        { repo: "acme/a", environment: "staging" },
      ]),
    ).toEqual([{ environment: "production", window }, { environment: "staging" }]);
  });

  it("draws a row per repository where their windows differ", () => {
    const rows = calendarEnvironments([
      { repo: "acme/a", environment: "production", window },
      { repo: "acme/b", environment: "production" },
    ]);
    expect(rows).toEqual([
      { repo: "acme/a", environment: "production", window },
      { repo: "acme/b", environment: "production" },
    ]);
  });
});

test("a hold the app no longer has leaves the desk, however it was released", async () => {
  const held = new Set(["acme/api:7:production"]);
  const watched = new DeskLedger(store, { held: async (id) => held.has(id) });
  await watched.putHold("acme", "acme/api:7:production", hold("acme/api", "2026-12-03T09:00:00Z"));
  await watched.putHold("acme", "acme/web:8:production", hold("acme/web", "2026-12-03T08:00:00Z"));
  const snapshot = await watched.snapshot(
    "acme",
    "https://github.com",
    clock.now,
    production,
    "private",
  );
  expect(snapshot.holds.map((h) => h.repo)).toEqual(["acme/api"]);
  expect(snapshot.holds[0]).not.toHaveProperty("id");
  expect(await store.members("desk:holds:acme")).toEqual(["acme/api:7:production"]);
});
