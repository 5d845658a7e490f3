// The release record's checklist ticked by two people at once: their saves land on GitHub
// one after the other, and their webhooks are handled together, in either order, or while
// the record is being brought up to date for the first. Both ticks end in the comment and in
// the record's readiness gate; no write repeats.
import nock from "nock";
import { cleanNock, createHarness, REPO_PATH, type Harness } from "./harness.js";
import { newWorld, recordOf, serve, type World } from "./release-world.js";
import { checklistEdit, tagPush, tick } from "./release-payloads.js";

beforeEach(cleanNock);
afterAll(() => nock.restore());

const COMMS = "Communication sent";
const DESK = "Service desk briefed";
const COMMENT_WRITE = new RegExp(`^${REPO_PATH}/issues/comments/\\d+$`);

interface Scene {
  harness: Harness;
  world: World;
  /** Bodies of the app's writes of the checklist comment, in order. */
  writes: string[];
  /** A person saves the comment with one more box ticked; returns its webhook's delivery. */
  save(text: string, who: string): () => Promise<unknown>;
}

async function scene(): Promise<Scene> {
  const world = newWorld();
  const harness = await createHarness();
  const writes: string[] = [];
  serve(world).on("request", (req: Request, _interceptor: unknown, body: string) => {
    if (req.method === "PATCH" && COMMENT_WRITE.test(new URL(req.url).pathname)) {
      writes.push((JSON.parse(body) as { body: string }).body);
    }
  });
  await harness.receive("push", tagPush());
  const save = (text: string, who: string) => {
    const { issue, checklist } = recordOf(world);
    if (!checklist) throw new Error("no checklist comment");
    const from = checklist.body;
    checklist.body = tick(from, text);
    const payload = checklistEdit(issue, checklist, from, checklist.body, who);
    return () => harness.receive("issue_comment", payload);
  };
  return { harness, world, writes, save };
}

function expectBothTicks({ world, writes }: Scene): void {
  const body = recordOf(world).checklist?.body ?? "";
  expect(body).toMatch(new RegExp(`^- \\[x\\] ${COMMS} — ticked by @comms-carl,`, "m"));
  expect(body).toMatch(new RegExp(`^- \\[x\\] ${DESK} — ticked by @desk-dan,`, "m"));
  expect(body).not.toContain("was undone");
  // GitHub shows what the app last wrote: no save is left unjudged.
  expect(body).toBe(writes.at(-1));
  expect(recordOf(world).issue.body).toMatch(/\| `readiness` \| ✅ pass \|/);
  writes.slice(1).forEach((write, i) => expect(write).not.toBe(writes[i]));
  expect(writes.length).toBeLessThanOrEqual(2);
  expect(writes.length).toBeGreaterThan(0);
}

describe("two people ticking the release checklist at once", () => {
  test("both saves made, then both webhooks handled together", async () => {
    const s = await scene();
    const carl = s.save(COMMS, "comms-carl");
    const dan = s.save(DESK, "desk-dan");
    await Promise.all([carl(), dan()]);
    expectBothTicks(s);
  });

  test("the second webhook handled before the first", async () => {
    const s = await scene();
    const carl = s.save(COMMS, "comms-carl");
    const dan = s.save(DESK, "desk-dan");
    await Promise.all([dan(), carl()]);
    expectBothTicks(s);
  });

  test("the second save made and judged while the app re-reads the comment for the first", async () => {
    const s = await scene();
    let dan: Promise<unknown> | undefined;
    let writesBefore = -1;
    // As the app re-reads the comment to write carl's tick, dan saves it as GitHub shows
    // it, and his webhook is judged while carl's write is still on its way.
    s.world.beforeCommentRead = [
      () => {
        writesBefore = s.writes.length;
        dan = s.save(DESK, "desk-dan")();
      },
    ];
    await s.save(COMMS, "comms-carl")();
    await dan;
    expectBothTicks(s);
    // The app never wrote over dan's save before judging it: one write, with both ticks.
    expect(writesBefore).toBe(0);
    expect(s.writes).toHaveLength(1);
  });

  test("the second save made after the first was written", async () => {
    const s = await scene();
    await s.save(COMMS, "comms-carl")();
    await s.save(DESK, "desk-dan")();
    expectBothTicks(s);
  });
});
