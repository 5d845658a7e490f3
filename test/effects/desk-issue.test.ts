// The desk issue against GitHub stood in by nock: opened once, edited at most once an interval
// with the last change written when it ends, never edited when nothing changed, and opened
// once when two instances see the first change together.
import nock from "nock";
import { pino } from "pino";
import { ProbotOctokit } from "probot";
import {
  DESK_LABEL,
  DeskIssues,
  deskIntervalOf,
  fingerprintOf,
  webOf,
} from "../../src/effects/desk-issue.js";
import { DeskLedger, type LedgerHold } from "../../src/effects/desk-ledger.js";
import type { Octokit } from "../../src/github/types.js";
import { DESK_MARKER } from "../../src/report/desk.js";
import { MemoryStore } from "../../src/store/memory.js";
import { ManualScheduler } from "../support/manual-scheduler.js";

const API = "https://api.github.com";
const APP_ID = 99;
const MINUTE = 60_000;
const PLACE = { owner: "acme", repository: ".github", production: ["production"] };
const log = pino({ level: "silent" });

interface GitHub {
  creates: string[];
  edits: string[];
  lists: number;
  /** The issues listed (the app's own and others). */
  listed: object[];
}

function standIn(
  options: { editStatus?: number; failFirstEdit?: number; editDelayMs?: number } = {},
): GitHub {
  const gh: GitHub = { creates: [], edits: [], lists: 0, listed: [] };
  // This nock hands replies the fetch Request; the body comes with the request event.
  let last: { body?: string; labels?: string[] } = {};
  const scope = nock(API)
    .persist()
    .get("/repos/acme/.github/issues")
    .query(true)
    .reply(() => {
      gh.lists += 1;
      return [200, gh.listed];
    })
    // A private desk: it shows every repository's rows (test/security/desk-visibility.test.ts
    // has the desks that show fewer).
    .get("/repos/acme/.github")
    .reply(200, {
      html_url: "https://github.com/acme/.github",
      full_name: "acme/.github",
      visibility: "private",
    })
    .post("/repos/acme/.github/issues")
    .reply(() => {
      expect(last.labels).toEqual([DESK_LABEL]);
      gh.creates.push(last.body ?? "");
      return [
        201,
        { number: 5, html_url: "https://github.com/acme/.github/issues/5", body: last.body },
      ];
    })
    .patch("/repos/acme/.github/issues/5")
    .delay(options.editDelayMs ?? 0)
    .reply(() => {
      gh.edits.push(last.body ?? "");
      if (options.failFirstEdit && gh.edits.length === 1) {
        return [options.failFirstEdit, { message: "Server Error" }];
      }
      return options.editStatus ? [options.editStatus, { message: "Not Found" }] : [200, {}];
    });
  scope.on("request", (_request: unknown, _interceptor: unknown, body: string) => {
    last = body ? (JSON.parse(body) as typeof last) : {};
  });
  return gh;
}

const octokit = new ProbotOctokit({
  auth: { token: "t" },
  retry: { enabled: false },
  throttle: { enabled: false },
}) as unknown as Octokit;

const clock = { now: new Date("2026-12-03T10:00:00Z") };
let store: MemoryStore;
let ledger: DeskLedger;
let scheduler: ManualScheduler;

const issues = (): DeskIssues =>
  new DeskIssues(store, APP_ID, ledger, scheduler, () => clock.now, MINUTE);

const hold = (n: number): LedgerHold => ({
  repo: `acme/svc${n}`,
  environment: "production",
  sha: "a".repeat(40),
  pullRequests: [],
  since: "2026-12-03T09:00:00Z",
  waitsFor: [{ kind: "approval", by: ["rita"] }],
  reviewPath: `/acme/svc${n}/actions/runs/${n}`,
});

async function advance(ms: number): Promise<void> {
  clock.now = new Date(clock.now.getTime() + ms);
  await scheduler.runDue(clock.now);
}

beforeEach(() => {
  nock.disableNetConnect();
  clock.now = new Date("2026-12-03T10:00:00Z");
  store = new MemoryStore(() => clock.now);
  ledger = new DeskLedger(store);
  scheduler = new ManualScheduler();
});

afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

test("the first change opens the issue; a burst within the minute is one edit when it ends", async () => {
  const gh = standIn();
  const desk = issues();
  await ledger.putHold("acme", "h1", hold(1));
  await desk.changed(PLACE, octokit, log);
  expect(gh.creates).toHaveLength(1);
  expect(gh.creates[0]).toMatch(new RegExp(`^${DESK_MARKER}`));
  expect(gh.creates[0]).toContain("acme/svc1");
  expect(gh.creates[0]).toContain("https://github.com/acme/svc1/actions/runs/1");

  for (let n = 2; n <= 6; n++) {
    await advance(5_000);
    await ledger.putHold("acme", `h${n}`, hold(n));
    await desk.changed(PLACE, octokit, log);
  }
  expect(gh.edits).toHaveLength(0);
  expect(desk.pending).toBe(1);

  await advance(MINUTE);
  expect(gh.edits).toHaveLength(1);
  for (let n = 1; n <= 6; n++) expect(gh.edits[0]).toContain(`acme/svc${n}`);
  expect(desk.pending).toBe(0);
});

test("a deferred edit outlives its process: after a restart the sweep makes it, once", async () => {
  const gh = standIn();
  const before = issues();
  await ledger.putHold("acme", "h1", hold(1));
  await before.changed(PLACE, octokit, log, 42);
  await advance(5_000);
  await ledger.putHold("acme", "h2", hold(2));
  await before.changed(PLACE, octokit, log, 42);
  expect(before.pending).toBe(1);
  // The process stops: its timer is gone. Another starts on the same store and sweeps.
  const oldTimers = scheduler;
  scheduler = new ManualScheduler();
  const after = issues();
  const asked: number[] = [];
  const auth = async (installationId: number): Promise<Octokit> => {
    asked.push(installationId);
    return octokit;
  };
  // Within the minute the claim still stands: the edit is deferred to its end, here.
  await after.editDue(auth, log);
  expect(gh.edits).toHaveLength(0);
  await advance(MINUTE);
  expect(gh.edits).toHaveLength(1);
  expect(gh.edits[0]).toContain("acme/svc2");
  expect(asked).toEqual([42]);
  // Made: later sweeps find nothing due, and the stopped process's timer edits nothing more.
  await after.editDue(auth, log);
  await oldTimers.runDue(clock.now);
  expect(gh.edits).toHaveLength(1);
  expect(asked).toEqual([42]);
});

test("nothing changed: no edit, and the minute stays free for a real change", async () => {
  const gh = standIn();
  const desk = issues();
  await ledger.putHold("acme", "h1", hold(1));
  await desk.changed(PLACE, octokit, log);
  await advance(2 * MINUTE);
  // The same ledger, a later time: only the "Updated" line would change.
  await desk.changed(PLACE, octokit, log);
  await desk.changed(PLACE, octokit, log);
  expect(gh.edits).toEqual([]);
  expect(desk.pending).toBe(0);
  await ledger.removeHold("acme", "h1");
  await desk.changed(PLACE, octokit, log);
  expect(gh.edits).toHaveLength(1);
  expect(gh.edits[0]).toContain("No deployment is waiting.");
});

test("two instances seeing the first change together open one issue, and the other's change is written later", async () => {
  const gh = standIn();
  const [a, b] = [issues(), issues()];
  await ledger.putHold("acme", "h1", hold(1));
  await Promise.all([a.changed(PLACE, octokit, log), b.changed(PLACE, octokit, log)]);
  expect(gh.creates).toHaveLength(1);
  await ledger.putHold("acme", "h2", hold(2));
  await b.changed(PLACE, octokit, log);
  await advance(MINUTE);
  expect(gh.creates).toHaveLength(1);
  expect(gh.edits).toHaveLength(1);
  expect(gh.edits[0]).toContain("acme/svc2");
});

test("after a restart the issue is found among the app's labelled issues, not opened again", async () => {
  const gh = standIn();
  gh.listed = [
    {
      number: 4,
      html_url: "x",
      body: `${DESK_MARKER}\nnot ours`,
      performed_via_github_app: { id: 1 },
    },
    {
      number: 5,
      html_url: "https://github.com/acme/.github/issues/5",
      body: `${DESK_MARKER}\nold`,
      performed_via_github_app: { id: APP_ID },
    },
  ];
  await ledger.putHold("acme", "h1", hold(1));
  await issues().changed(PLACE, octokit, log);
  expect(gh.lists).toBe(1);
  expect(gh.creates).toEqual([]);
  expect(gh.edits).toHaveLength(1);
});

test("a desk issue deleted meanwhile is looked for again, then opened anew", async () => {
  const gh = standIn({ editStatus: 404 });
  await store.set(
    "desk:issue:acme/.github",
    JSON.stringify({
      number: 5,
      url: "https://github.com/acme/.github/issues/5",
      fingerprint: "x",
    }),
    MINUTE * 60,
  );
  await ledger.putHold("acme", "h1", hold(1));
  await issues().changed(PLACE, octokit, log);
  expect(gh.edits).toHaveLength(1);
  expect(gh.lists).toBe(1);
  expect(gh.creates).toHaveLength(1);
});

test("GitHub failing: the change is written once the interval ends", async () => {
  const gh = standIn({ failFirstEdit: 502 });
  const desk = issues();
  await ledger.putHold("acme", "h1", hold(1));
  await desk.changed(PLACE, octokit, log);
  await advance(MINUTE);
  await ledger.putHold("acme", "h2", hold(2));
  await expect(desk.changed(PLACE, octokit, log)).rejects.toThrow();
  expect(desk.pending).toBe(1);
  await advance(MINUTE);
  expect(gh.edits).toHaveLength(2);
  expect(gh.edits[1]).toContain("acme/svc2");
});

test("an edit that outlasts the interval is not overtaken by one started from an older ledger", async () => {
  const gh = standIn({ editDelayMs: 300 });
  const [a, b] = [issues(), issues()];
  await ledger.putHold("acme", "h1", hold(1));
  await a.changed(PLACE, octokit, log);
  await advance(MINUTE);
  await ledger.putHold("acme", "h2", hold(2));
  const slow = a.changed(PLACE, octokit, log); // reads the ledger, then waits on GitHub
  await new Promise((resolve) => setTimeout(resolve, 50));
  await advance(2 * MINUTE);
  await ledger.putHold("acme", "h3", hold(3));
  await b.changed(PLACE, octokit, log);
  // Only a's edit, still on its way (GitHub has it, its answer is late): b waits for it.
  expect(gh.edits).toHaveLength(1);
  expect(gh.edits[0]).not.toContain("acme/svc3");
  await slow;
  await advance(MINUTE);
  expect(gh.edits).toHaveLength(2);
  expect(gh.edits[1]).toContain("acme/svc3");
});

test("the Updated line is no change; the host comes from the issue's address", () => {
  const body = (at: string) =>
    `${DESK_MARKER}\n\n_Updated ${at}. The app keeps this issue current._\n\nx`;
  expect(fingerprintOf(body("10:00"))).toBe(fingerprintOf(body("10:05")));
  expect(fingerprintOf(body("10:00"))).not.toBe(fingerprintOf(`${body("10:00")}y`));
  expect(webOf("https://ghe.example/acme/.github/issues/12")).toBe("https://ghe.example");
});

test("DESK_EDIT_INTERVAL: a duration, at least a second", () => {
  expect(deskIntervalOf({})).toBe(MINUTE);
  expect(deskIntervalOf({ DESK_EDIT_INTERVAL: "2s" })).toBe(2000);
  expect(() => deskIntervalOf({ DESK_EDIT_INTERVAL: "500ms" })).toThrow(/shorter than 1s/);
  expect(() => deskIntervalOf({ DESK_EDIT_INTERVAL: "soon" })).toThrow(/DESK_EDIT_INTERVAL/);
});
