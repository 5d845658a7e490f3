// Several people ticking the checklist at once, interleaved with the app's own rewrite of the
// comment: before it (within one settle period), while the app re-reads the comment, while
// its write is on the way, and after it. GitHub is a small stateful world in nock: the
// comment shows whatever the last write (a person's or the app's) left, as on GitHub, which
// has no conditional write. Every tick and untick must end counted, or undone with a note;
// none lost; no write repeated. Time is a hand-driven clock: nothing waits on the wall clock.
import nock from "nock";
import { RESET_NOTE } from "../../src/checklist/edit.js";
import type { EvaluationTiming } from "../../src/handlers/timing.js";
import { elapseUntil, manualDelay } from "../support/manual-delay.js";
import {
  API,
  APP_ID,
  cleanNock,
  contents,
  createHarness,
  example,
  github,
  POLICY_AT_HEAD,
  POLICY_URL,
  PULL,
  REPO_PATH,
  RUNS,
  type Harness,
} from "./harness.js";

const COMMENT_ID = 9001;
const COMMENT = `${REPO_PATH}/issues/comments/${COMMENT_ID}`;
const ITEMS = [
  "Rollback plan documented",
  "Release notes drafted",
  "Service desk briefed",
  "Users trained",
  "Customers informed",
];
const PEOPLE = ["alice", "bob", "carol", "dave", "erin"];
const RESTRICTED = "Customer communication approved";
const MIGRATION = "Migration rehearsed";

beforeEach(cleanNock);
afterAll(() => nock.restore());

/** One gate with `count` plain items; optionally an item only carol may tick, and one that
 * applies only when the pull request changes migrations/. */
function policyOf(count: number, extra: { restricted?: boolean; migration?: boolean } = {}) {
  const lines = [
    "gates:",
    "  readiness:",
    "    stage: pull_request",
    "    require:",
    "      checklist:",
    ...ITEMS.slice(0, count).map((item) => `        - ${item}`),
  ];
  if (extra.restricted) {
    lines.push(
      "  communication:",
      "    stage: pull_request",
      "    require:",
      "      checklist:",
      `        - { text: ${RESTRICTED}, by: { users: [carol] } }`,
    );
  }
  if (extra.migration) {
    lines.push(
      "  migration:",
      "    stage: pull_request",
      '    when: { paths: ["migrations/**"] }',
      `    require: { checklist: [${MIGRATION}] }`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** What GitHub holds, and every write the app made, in order. */
interface World {
  policy: string;
  files: string[];
  comment: { body: string; updatedAt: string } | null;
  commentWrites: string[];
  commentReads: number;
  runWrites: Record<string, unknown>[];
  /** Run once each, in order, just before GitHub answers the app's next re-read or write. */
  atRead: (() => Promise<void>)[];
  atWrite: (() => Promise<void>)[];
  /**
   * Run once each, in order, while the app's next write of the comment waits in its client to
   * be sent, as Probot's throttle holds a write until a second after the last.
   */
  atSend: (() => Promise<void>)[];
  /** Every body the comment held, in order: who saved it ("app" for the app) and the box set. */
  history: { by: string; body: string; ticked?: string }[];
}

const pathOf = (req: Request): string => new URL(req.url).pathname;

function serve(world: World, now: () => Date): void {
  github()
    .persist()
    .get(POLICY_URL)
    .reply(200, () => contents(world.policy))
    .get(POLICY_AT_HEAD)
    .reply(200, () => contents(world.policy))
    .get(`${REPO_PATH}/issues/2/comments?per_page=100`)
    .reply(200, () =>
      world.comment
        ? [{ id: COMMENT_ID, body: world.comment.body, performed_via_github_app: { id: APP_ID } }]
        : [],
    )
    .get(RUNS)
    .reply(200, () => ({ total_count: 0, check_runs: [] }))
    .get(PULL)
    .reply(200, () => example("pull_request", "opened").pull_request as object)
    .get(`${PULL}/files?per_page=100`)
    .reply(200, () => world.files.map((filename) => ({ filename, status: "added" })))
    .post(`${REPO_PATH}/check-runs`)
    .reply(async (req: Request) => {
      world.runWrites.push((await req.json()) as Record<string, unknown>);
      return [201, { id: 1 }];
    })
    .patch(`${REPO_PATH}/check-runs/1`)
    .reply(async (req: Request) => {
      world.runWrites.push((await req.json()) as Record<string, unknown>);
      return [200, { id: 1 }];
    })
    .post(`${REPO_PATH}/issues/2/comments`)
    .reply(async (req: Request) => {
      const { body } = (await req.json()) as { body: string };
      world.comment = { body, updatedAt: now().toISOString() };
      world.commentWrites.push(body);
      world.history.push({ by: "app", body });
      return [201, { id: COMMENT_ID, body }];
    })
    .get(COMMENT)
    .reply(async () => {
      world.commentReads += 1;
      await world.atRead.shift()?.();
      return [
        200,
        { id: COMMENT_ID, body: world.comment?.body, updated_at: world.comment?.updatedAt },
      ];
    })
    .patch(COMMENT)
    .reply(async (req: Request) => {
      const { body } = (await req.json()) as { body: string };
      // A person's save that lands first is overwritten: GitHub keeps the last write.
      await world.atWrite.shift()?.();
      world.comment = { body, updatedAt: now().toISOString() };
      world.commentWrites.push(body);
      world.history.push({ by: "app", body });
      return [200, { id: COMMENT_ID, body, path: pathOf(req) }];
    });
}

/** The body with the box of `text` set as a person's browser saves it. */
function setBox(body: string, text: string, checked: boolean): string {
  return body
    .split("\n")
    .map((line) =>
      line.startsWith("- [") && line.includes(` ${text}`)
        ? line.replace(/^- \[[ x]\]/, checked ? "- [x]" : "- [ ]")
        : line,
    )
    .join("\n");
}

interface Scene {
  harness: Harness;
  world: World;
  /** Lets every queued evaluation run to its end, ending each settle period as it comes. */
  drain(): Promise<void>;
  /**
   * A person saves the comment with one box set; returns the delivery of its webhook, to
   * `on` (another instance sharing the store) or to the harness.
   */
  edit(who: string, text: string, checked?: boolean, on?: Harness): () => Promise<void>;
  /** A second instance of the app over the same store, when asked for. */
  other: Harness | undefined;
}

async function scene(policy: string, files: string[] = [], instances: 1 | 2 = 1): Promise<Scene> {
  const timers = manualDelay();
  const tracked: Promise<void>[] = [];
  const timing: Partial<EvaluationTiming> = {
    settleMs: 1000,
    answerFirst: true,
    delay: timers.delay,
    track: (work) => {
      const running = work();
      tracked.push(running);
      return running;
    },
  };
  const world: World = {
    policy,
    files,
    comment: null,
    commentWrites: [],
    commentReads: 0,
    runWrites: [],
    atRead: [],
    atWrite: [],
    atSend: [],
    history: [],
  };
  const beforeSend = async (request: { method: string; url: string }) => {
    if (request.method === "PATCH" && request.url.includes("/issues/comments/")) {
      await world.atSend.shift()?.();
    }
  };
  const harness = await createHarness({ timing, beforeSend });
  const other =
    instances === 2 ? await createHarness({ timing, beforeSend, store: harness.store }) : undefined;
  serve(world, () => harness.clock.now);
  const drain = async () => {
    for (let seen = -1; seen !== tracked.length;) {
      seen = tracked.length;
      await elapseUntil(timers, Promise.all(tracked));
    }
  };
  let saves = 0;
  const edit = (who: string, text: string, checked = true, on: Harness = harness) => {
    const from = world.comment?.body ?? "";
    const body = setBox(from, text, checked);
    if (body === from) throw new Error(`${who} found no box to set for "${text}"`);
    const updatedAt = harness.clock.now.toISOString();
    world.comment = { body, updatedAt };
    world.history.push({ by: who, body, ...(checked ? { ticked: text } : {}) });
    const payload = edited(body, from, who, updatedAt);
    // Delivery ids are GitHub's, one per webhook whichever instance it reaches.
    const id = `save-${++saves}`;
    return async () => {
      await on.receive("issue_comment", payload, id);
    };
  };
  await harness.receive("pull_request", example("pull_request", "opened"));
  await drain();
  return { harness, world, drain, edit, other };
}

/** `issue_comment.edited` as GitHub sends it for a person's save of the app's comment. */
function edited(body: string, from: string, sender: string, updatedAt: string) {
  const payload = example("issue_comment", "edited");
  Object.assign(payload.issue as object, {
    number: 2,
    pull_request: { url: `${API}${PULL}`, html_url: "https://github.com/o/r/pull/2" },
  });
  Object.assign(payload.comment as object, {
    id: COMMENT_ID,
    body,
    updated_at: updatedAt,
    user: { login: "release-policy[bot]", type: "Bot" },
    performed_via_github_app: { id: APP_ID, slug: "release-policy", name: "Release Policy" },
  });
  payload.changes = { body: { from } };
  payload.sender = { login: sender, type: "User" };
  return payload;
}

/** Seconds pass between people: ticks 0 to 2 s apart (on every instance's clock). */
function later(harness: Harness, ms: number, other?: Harness): void {
  harness.clock.now = new Date(harness.clock.now.getTime() + ms);
  if (other) other.clock.now = harness.clock.now;
}

const ticked = (body: string, text: string, who: string) =>
  new RegExp(`^- \\[x\\] ${text} — ticked by @${who},`, "m").test(body);
const unticked = (body: string, text: string) => new RegExp(`^- \\[ \\] ${text}`, "m").test(body);

/** The app's writes never repeat themselves: each one changes what GitHub shows. */
function expectNoRepeatedWrite(world: World): void {
  const runs = world.runWrites.map((run) => JSON.stringify(run));
  runs.slice(1).forEach((run, i) => expect(run).not.toBe(runs[i]));
  world.commentWrites.slice(1).forEach((body, i) => expect(body).not.toBe(world.commentWrites[i]));
}

/** What the app last wrote is what GitHub shows: no person's edit is left unjudged. */
function shown(world: World): string {
  const body = world.comment?.body ?? "";
  expect(body).toBe(world.commentWrites.at(-1));
  return body;
}

const lastRun = (world: World) => world.runWrites.at(-1) as Record<string, unknown>;

type Moment = "together" | "at-read" | "at-write" | "after";

/**
 * alice ticks the first item; each next person ticks the next item at `moments[i]` relative
 * to the app's rewrite for the ticks before: within the same settle period, while the app
 * re-reads the comment, while its write is on the way, or once it is written.
 */
async function tickAt(moments: Moment[]): Promise<World> {
  const count = moments.length + 1;
  const { harness, world, drain, edit } = await scene(policyOf(count));
  await edit(PEOPLE[0] ?? "", ITEMS[0] ?? "")();
  const together: (() => Promise<void>)[] = [];
  const after: (() => Promise<void>)[] = [];
  moments.forEach((moment, i) => {
    const who = PEOPLE[i + 1] ?? "";
    const text = ITEMS[i + 1] ?? "";
    const tick = async () => {
      later(harness, 700);
      await edit(who, text)();
    };
    if (moment === "together") together.push(tick);
    else if (moment === "at-read") world.atRead.push(tick);
    else if (moment === "at-write") world.atWrite.push(tick);
    else after.push(tick);
  });
  // Ticks made together arrive before the first settle period ends.
  for (const tick of together) await tick();
  await drain();
  // A moment the app's requests did not offer (no second re-read) comes after.
  for (const tick of [...after, ...world.atRead.splice(0), ...world.atWrite.splice(0)]) {
    await tick();
    await drain();
  }
  const body = shown(world);
  for (let i = 0; i < count; i++) expect(ticked(body, ITEMS[i] ?? "", PEOPLE[i] ?? "")).toBe(true);
  // A save the app's write overwrote (at-write) is judged on the app's last write: nothing
  // in it reads as an old state put back.
  expect(body).not.toContain(RESET_NOTE);
  expect(lastRun(world)).toMatchObject({ status: "completed", conclusion: "success" });
  expectNoRepeatedWrite(world);
  // Budget: per tick at most one re-read, one comment write and one check write (the open
  // wrote both once).
  expect(world.commentReads).toBeLessThanOrEqual(count);
  expect(world.commentWrites.length).toBeLessThanOrEqual(count + 1);
  expect(world.runWrites.length).toBeLessThanOrEqual(count + 1);
  return world;
}

describe("people ticking at once: every tick counts", () => {
  test.each<Moment[]>([["together"], ["at-read"], ["at-write"], ["after"]])(
    "two people, the second %s",
    async (...moments) => {
      await tickAt(moments);
    },
  );

  test.each<Moment[]>([
    ["together", "together"],
    ["together", "at-read"],
    ["at-read", "at-write"],
    ["at-write", "after"],
    ["after", "together"],
  ])("three people: %s, %s", async (...moments) => {
    await tickAt(moments);
  });

  test.each<Moment[]>([
    ["together", "together", "together", "together"],
    ["together", "at-read", "at-write", "after"],
    ["at-write", "at-read", "together", "after"],
    ["after", "at-write", "at-read", "together"],
  ])("five people: %s, %s, %s, %s", async (...moments) => {
    await tickAt(moments);
  });

  test("a save the app has not judged yet is never written over", async () => {
    const { harness, world, drain, edit } = await scene(policyOf(2));
    await edit("alice", ITEMS[0] ?? "")();
    let writesBefore = -1;
    world.atRead.push(async () => {
      later(harness, 1000);
      writesBefore = world.commentWrites.length;
      await edit("bob", ITEMS[1] ?? "")();
    });
    await drain();

    // The app re-read the comment, found bob's save unjudged and left it to bob's own
    // webhook: every write since shows bob's tick, and one rewrite carries both.
    expect(writesBefore).toBe(1);
    const since = world.commentWrites.slice(writesBefore);
    expect(since).toHaveLength(1);
    for (const body of since) expect(ticked(body, ITEMS[1] ?? "", "bob")).toBe(true);
    const body = shown(world);
    expect(ticked(body, ITEMS[0] ?? "", "alice")).toBe(true);
    // The first evaluation still wrote the check from alice's tick.
    expect(world.runWrites.map((run) => run.conclusion ?? null)).toEqual([null, null, "success"]);
    expectNoRepeatedWrite(world);
  });
});

/**
 * The bodies GitHub held after a person's save that do not show their tick: none may exist
 * (each of these saves is allowed, so the app never has a reason to take one off).
 */
function ticksLeftThePage(world: World): string[] {
  return world.history.flatMap((save, i) => {
    const text = save.ticked;
    if (text === undefined) return [];
    const box = new RegExp(`^- \\[x\\] ${text}`, "m");
    return world.history
      .slice(i)
      .flatMap((held, j) =>
        box.test(held.body) ? [] : [`${save.by}'s tick gone from body ${i + j} (by ${held.by})`],
      );
  });
}

describe("a write held in the client while people tick", () => {
  test.each<"during" | "after">(["during", "after"])(
    "three people tick within 300 ms of each other, their webhooks %s the held write: no tick leaves the page",
    async (arrival) => {
      const { harness, world, drain, edit } = await scene(policyOf(3));
      const late: (() => Promise<void>)[] = [];
      // alice's tick is judged and the app's rewrite of the comment waits to be sent; bob and
      // carol save meanwhile, 100 ms apart.
      world.atSend.push(async () => {
        for (const [who, text] of [
          ["bob", ITEMS[1] ?? ""],
          ["carol", ITEMS[2] ?? ""],
        ] as const) {
          later(harness, 100);
          const deliver = edit(who, text);
          if (arrival === "during") await deliver();
          else late.push(deliver);
        }
      });
      await edit("alice", ITEMS[0] ?? "")();
      await drain();
      for (const deliver of late) {
        await deliver();
        await drain();
      }

      expect(world.atSend).toHaveLength(0);
      expect(ticksLeftThePage(world)).toEqual([]);
      const body = shown(world);
      ["alice", "bob", "carol"].forEach((who, i) =>
        expect(ticked(body, ITEMS[i] ?? "", who)).toBe(true),
      );
      expect(lastRun(world)).toMatchObject({ status: "completed", conclusion: "success" });
      expectNoRepeatedWrite(world);
      // Budget: at most one read and one write of the comment per tick.
      expect(world.commentReads).toBeLessThanOrEqual(3);
      expect(world.commentWrites.length).toBeLessThanOrEqual(1 + 3);
    },
  );
});

describe("unticks and refusals among ticks", () => {
  test("an untick racing a tick: both count; two saves of one box count in GitHub's order", async () => {
    const { harness, world, drain, edit } = await scene(policyOf(4));
    await edit("alice", ITEMS[0] ?? "")();
    later(harness, 500);
    await edit("alice", ITEMS[1] ?? "")();
    await drain();

    // bob unticks alice's first item while carol ticks the third, during the rewrite.
    await edit("carol", ITEMS[2] ?? "")();
    world.atWrite.push(async () => {
      later(harness, 800);
      await edit("bob", ITEMS[0] ?? "", false)();
    });
    // dave ticks the fourth item, erin unticks it a second later; GitHub delivers erin's
    // webhook first.
    later(harness, 300);
    const daves = edit("dave", ITEMS[3] ?? "");
    later(harness, 1000);
    const erins = edit("erin", ITEMS[3] ?? "", false);
    await erins();
    await daves();
    await drain();

    const body = shown(world);
    expect(body).toMatch(new RegExp(`^- \\[ \\] ${ITEMS[0]} — unticked by @bob,`, "m"));
    expect(ticked(body, ITEMS[1] ?? "", "alice")).toBe(true);
    expect(ticked(body, ITEMS[2] ?? "", "carol")).toBe(true);
    expect(body).toMatch(new RegExp(`^- \\[ \\] ${ITEMS[3]} — unticked by @erin,`, "m"));
    expect(lastRun(world)).toMatchObject({
      status: "in_progress",
      output: { title: "0 of 1 gate passes · waiting on 1" },
    });
    expectNoRepeatedWrite(world);
  });

  test("a tick nobody allowed among allowed ones is undone with a note, the others kept", async () => {
    const { harness, world, drain, edit } = await scene(policyOf(3, { restricted: true }));
    await edit("alice", ITEMS[0] ?? "")();
    later(harness, 400);
    await edit("mallory", RESTRICTED)();
    world.atRead.push(async () => {
      later(harness, 900);
      await edit("bob", ITEMS[1] ?? "")();
    });
    world.atWrite.push(async () => {
      later(harness, 600);
      await edit("dave", ITEMS[2] ?? "")();
    });
    await drain();
    for (const tick of [...world.atRead.splice(0), ...world.atWrite.splice(0)]) {
      await tick();
      await drain();
    }

    let body = shown(world);
    expect(ticked(body, ITEMS[0] ?? "", "alice")).toBe(true);
    expect(ticked(body, ITEMS[1] ?? "", "bob")).toBe(true);
    expect(ticked(body, ITEMS[2] ?? "", "dave")).toBe(true);
    expect(unticked(body, RESTRICTED)).toBe(true);
    expect(body).toContain(
      `@\u2060mallory's tick on "${RESTRICTED}" was undone: only @\u2060carol can tick it.`,
    );
    expect(lastRun(world)).toMatchObject({
      status: "in_progress",
      output: { title: "1 of 2 gates pass · waiting on 1" },
    });

    // carol's own tick counts, and the check passes.
    later(harness, 2000);
    await edit("carol", RESTRICTED)();
    await drain();
    body = shown(world);
    expect(ticked(body, RESTRICTED, "carol")).toBe(true);
    expect(lastRun(world)).toMatchObject({ status: "completed", conclusion: "success" });
    expectNoRepeatedWrite(world);
  });
});

describe("ticking while the app rewrites the comment after a push", () => {
  test.each<"at-read" | "at-write">(["at-read", "at-write"])(
    "a tick made %s of the push's rewrite is kept",
    async (moment) => {
      const { harness, world, drain, edit } = await scene(policyOf(2, { migration: true }));
      await edit("alice", ITEMS[0] ?? "")();
      await drain();
      const writes = world.commentWrites.length;

      // The push adds a migration: the comment gains an item, and bob ticks meanwhile.
      world.files = ["migrations/001-add-index.sql"];
      (moment === "at-read" ? world.atRead : world.atWrite).push(async () => {
        later(harness, 1500);
        await edit("bob", ITEMS[1] ?? "")();
      });
      await harness.receive("pull_request", example("pull_request", "synchronize"));
      await drain();

      const body = shown(world);
      expect(world.commentWrites.length).toBeGreaterThan(writes);
      expect(ticked(body, ITEMS[0] ?? "", "alice")).toBe(true);
      expect(ticked(body, ITEMS[1] ?? "", "bob")).toBe(true);
      expect(unticked(body, MIGRATION)).toBe(true);
      expect(lastRun(world)).toMatchObject({
        status: "in_progress",
        output: { title: "1 of 2 gates pass · waiting on 1" },
      });
      expectNoRepeatedWrite(world);
    },
  );
});

describe("two instances sharing one store", () => {
  test.each<Moment>(["together", "at-read", "at-write"])(
    "ticks judged on both, the second ones %s the first instance's rewrite, all count",
    async (moment) => {
      const { harness, world, drain, edit, other } = await scene(policyOf(3), [], 2);
      if (!other) throw new Error("no second instance");
      await edit("alice", ITEMS[0] ?? "")();
      const others = async () => {
        later(harness, 600, other);
        await edit("bob", ITEMS[1] ?? "", true, other)();
        later(harness, 600, other);
        await edit("carol", ITEMS[2] ?? "", true, other)();
      };
      if (moment === "together") await others();
      else (moment === "at-read" ? world.atRead : world.atWrite).push(others);
      await drain();

      const body = shown(world);
      expect(ticked(body, ITEMS[0] ?? "", "alice")).toBe(true);
      expect(ticked(body, ITEMS[1] ?? "", "bob")).toBe(true);
      expect(ticked(body, ITEMS[2] ?? "", "carol")).toBe(true);
      expect(lastRun(world)).toMatchObject({ status: "completed", conclusion: "success" });
      // The comment's writes never repeat (its lease serialises them). The check run is each
      // instance's own evaluation: two judging at once may both write the same conclusion.
      world.commentWrites
        .slice(1)
        .forEach((write, i) => expect(write).not.toBe(world.commentWrites[i]));
      expect(world.commentWrites.length).toBeLessThanOrEqual(4);
    },
  );
});
