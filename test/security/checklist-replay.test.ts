// Someone who can edit the checklist comment (any repository writer) keeps a copy of a body
// the app once wrote with a tick in it. After the tick is taken back and the app's store has
// lost its memory of the comment, they save the old body without the checklist marker (an
// edit the app does not judge), then with it: the edit's "body before" is then the old
// signed state. The app must not trust it: a state read back from GitHub counts only when
// it is exactly the one the app recorded writing last. Through the real server process and
// the GitHub stand-in; then, unit by unit, a state signed for another repository, pull
// request or comment never validates.
import { jest } from "@jest/globals";
import { scopedKey, checklistScope, decodeState, encodeState } from "../../src/checklist/state.js";
import { trustedState } from "../../src/checklist/written.js";
import { CHECKLIST_MARKER } from "../../src/report/checklist-comment.js";
import { start, type StandIn } from "../stand-in/server.js";
import type { CheckRunRecord, CommentRecord } from "../stand-in/records.js";
import { GitHubEvents, tickBox, untickBox } from "../e2e/github-events.js";
import { startServer, waitFor, type AppServer } from "../e2e/server-process.js";

jest.setTimeout(90_000);

const OWNER = "acme";
const REPO = "shop";
const SECRET = "e2e-webhook-secret";
const ITEM = "Rollback plan documented";
const POLICY = `gates:
  rollback:
    stage: pull_request
    require:
      checklist:
        - { text: ${ITEM}, by: { users: [alice] } }
`;

describe("an old checklist state replayed through two saves", () => {
  let gh: StandIn;
  let server: AppServer;
  let events: GitHubEvents;
  let headSha: string;
  /** The body the app wrote while alice's tick stood. */
  let ticked = "";

  beforeAll(async () => {
    gh = await start({ app: { id: 4711 } });
    gh.state.addRepo({ owner: OWNER, repo: REPO, installationId: 42 });
    gh.state.addFile(OWNER, REPO, "main", ".github/release-policy.yml", POLICY);
    headSha = gh.state.addPullRequest(OWNER, REPO, { number: 7, title: "Faster checkout" }).headSha;
    events = new GitHubEvents(gh, OWNER, REPO);
    server = await startServer({ standIn: gh, secret: SECRET });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await gh?.close();
  });

  const ownRun = (): CheckRunRecord | undefined =>
    gh.state.ownCheckRuns(OWNER, REPO, headSha).at(-1);
  const checklist = (): CommentRecord | undefined => gh.state.comments(OWNER, REPO, 7)[0];
  const explain = () =>
    [
      `check run: ${ownRun()?.status} ${ownRun()?.conclusion} ${ownRun()?.output.title}`,
      `comment: ${checklist()?.body}`,
      `server output: ${server.output()}`,
    ].join("\n");

  async function send(webhook: { event: string; payload: object }): Promise<void> {
    const delivery = await server.deliver(webhook.event, webhook.payload);
    if (delivery.status >= 300) throw new Error(`delivery answered ${delivery.status}`);
  }

  /** `who` saves the comment as `body`; the app is told, as GitHub tells it. */
  async function save(who: string, body: string): Promise<void> {
    const comment = checklist();
    if (!comment) throw new Error("no checklist comment");
    await send(events.editComment(comment.id, body, who));
  }

  const settled = async (): Promise<true | undefined> => {
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    return /^release_policy_webhooks_in_flight 0$/m.test(metrics) ? true : undefined;
  };

  test("the check does not pass on a tick that was taken back", async () => {
    await send(events.opened(7));
    const first = await waitFor("the checklist comment", () => checklist()?.body, { explain });

    await save("alice", tickBox(first, ITEM));
    ticked = await waitFor(
      "alice's tick recorded and the check passing",
      () => {
        const body = checklist()?.body ?? "";
        return body.includes(`- [x] ${ITEM} — ticked by @alice`) &&
          ownRun()?.conclusion === "success"
          ? body
          : undefined;
      },
      { explain },
    );

    await save("alice", untickBox(ticked, ITEM));
    await waitFor(
      "alice's untick recorded and the check no longer passing",
      () =>
        (checklist()?.body ?? "").includes(`unticked by @alice`) &&
        ownRun()?.conclusion !== "success"
          ? true
          : undefined,
      { explain },
    );
    await waitFor("the server to have no work in flight", settled, { explain });

    // The app's store is lost: a new server over an empty one.
    await server.stop();
    server = await startServer({ standIn: gh, secret: SECRET });

    // mallory (who can edit any comment) puts the old body back in two saves.
    await save("mallory", ticked.replace(CHECKLIST_MARKER, ""));
    await save("mallory", ticked);
    await waitFor("the app to judge the replayed body", settled, { explain });
    const shown = await waitFor(
      "the comment rewritten",
      () => {
        const body = checklist()?.body ?? "";
        return body !== ticked || ownRun()?.conclusion === "success" ? body : undefined;
      },
      { explain, timeoutMs: 5_000 },
    ).catch(() => checklist()?.body ?? "");

    expect(ownRun()?.conclusion).not.toBe("success");
    expect(shown).not.toContain(`- [x] ${ITEM}`);
    expect(shown).toContain("could not be trusted and every box was reset");
    expect(gh.violations()).toEqual([]);
  });

  test("nor when a new app finds the old body by listing, its edit's webhook lost", async () => {
    // Whatever the last test left, alice's tick is taken back first.
    await save("alice", untickBox(checklist()?.body ?? "", ITEM));
    await waitFor(
      "the check not passing",
      () =>
        (checklist()?.body ?? "").includes("- [ ] ") && ownRun()?.conclusion !== "success"
          ? true
          : undefined,
      { explain },
    );
    await waitFor("the server to have no work in flight", settled, { explain });
    await server.stop();
    server = await startServer({ standIn: gh, secret: SECRET });
    const comment = checklist();
    if (!comment) throw new Error("no checklist comment");
    // Saved on GitHub, its webhook never sent: the app sees it only by reading the comment.
    events.editComment(comment.id, ticked, "mallory");
    await send(events.opened(7));
    await waitFor("the pull request judged again", settled, { explain });
    const shown = await waitFor(
      "the comment rewritten or the check passing",
      () => {
        const body = checklist()?.body ?? "";
        return body !== ticked || ownRun()?.conclusion === "success" ? body : undefined;
      },
      { explain, timeoutMs: 5_000 },
    ).catch(() => checklist()?.body ?? "");

    expect(ownRun()?.conclusion).not.toBe("success");
    expect(shown).not.toContain(`- [x] ${ITEM}`);
    expect(gh.violations()).toEqual([]);
  });
});

describe("a signed checklist state", () => {
  const SECRET_KEY = "webhook-secret";
  const keyOf = (repositoryId: number, number: number) =>
    scopedKey(SECRET_KEY, checklistScope(repositoryId, number));
  const state = {
    v: 2 as const,
    comment: 9001,
    version: 4,
    ticks: { [ITEM]: { checked: true, by: "alice", at: "2026-11-26T10:00:00.000Z" } },
  };
  const body = `${CHECKLIST_MARKER}\n${encodeState(state, keyOf(1296269, 7))}\n`;
  const stamp = { comment: 9001, version: 4, digest: "" };

  it("validates where it was written", () => {
    expect(decodeState(body, keyOf(1296269, 7), 9001)).toEqual(state);
  });

  it("never validates for another repository, pull request or comment", () => {
    expect(decodeState(body, keyOf(1296270, 7), 9001)).toBeNull();
    expect(decodeState(body, keyOf(1296269, 8), 9001)).toBeNull();
    expect(decodeState(body, keyOf(1296269, 7), 9002)).toBeNull();
  });

  it("is keyed by the repository's id alone: a new name does not change it", () => {
    expect(checklistScope(1296269, 7)).not.toMatch(/shop|acme/);
    expect(keyOf(1296269, 7)).toBe(scopedKey(SECRET_KEY, checklistScope(1296269, 7)));
  });

  it("read back from GitHub, counts only when it is the app's last write", () => {
    const key = keyOf(1296269, 7);
    // No record of the last write (the store was emptied): nothing is trusted.
    expect(trustedState(body, key, 9001, null)).toBeNull();
    // A record of a later write: this older state is a replay.
    expect(trustedState(body, key, 9001, { ...stamp, version: 5 })).toBeNull();
    // The same version but other content (a digest that does not match).
    expect(trustedState(body, key, 9001, { ...stamp, digest: "0".repeat(32) })).toBeNull();
  });
});
