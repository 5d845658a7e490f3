// Two instances of the app sharing one store write the same checklist comment: the write
// lease lets one write at a time, and the one that found it taken has its edits written by
// the holder, which goes round once more. GitHub is a small fake that keeps the body.
import type { Toggle } from "../../src/checklist/edit.js";
import { bodyDigest, type JudgedEdit } from "../../src/checklist/ledger.js";
import { emptyState, type ChecklistItem } from "../../src/checklist/state.js";
import {
  ChecklistComments,
  LOST_EDIT_NOTE,
  shownNotes,
  UNJUDGED_EDIT_GRACE_MS,
  type RenderChecklist,
} from "../../src/effects/checklist-comment.js";
import type { RepoRef } from "../../src/facts/types.js";
import type { Octokit } from "../../src/github/types.js";
import { renderChecklistComment } from "../../src/report/checklist-comment.js";
import { MemoryStore } from "../../src/store/memory.js";

const KEY = "webhook-secret";
const APP_ID = 4242;
const REPO: RepoRef = { owner: "acme", repo: "shop", defaultBranch: "main" };
const NOW = new Date("2026-11-26T10:00:00Z");
const COMMENT_URL = "https://api.github.com/repos/acme/shop/issues/comments/1";
const A = "Rollback plan documented";
const B = "Release notes drafted";
const items: ChecklistItem[] = [
  { text: A, gate: "readiness" },
  { text: B, gate: "readiness" },
];
const render: RenderChecklist = (state, notes) =>
  renderChecklistComment(items, state, KEY, shownNotes(items, notes));

/**
 * GitHub's side of one comment: its body, every write, and a hold on the next write. The
 * client sends through `fetch`, as Octokit does, with the write's own fetch when it has one.
 */
function fakeGitHub(body: string) {
  const gh = {
    body,
    updatedAt: NOW.toISOString(),
    reads: 0,
    writes: [] as string[],
    /** While set, the next write waits for it before it lands. */
    hold: undefined as Promise<void> | undefined,
    /** While set, the next write waits for it in the client before it is sent (a throttle). */
    slot: undefined as Promise<void> | undefined,
    /** True while a write waits for its slot. */
    waiting: false,
  };
  const github: typeof fetch = async (_url, init) => {
    if (init?.method === "GET") {
      gh.reads += 1;
      return Response.json({ id: 1, body: gh.body, updated_at: gh.updatedAt });
    }
    const hold = gh.hold;
    gh.hold = undefined;
    await hold;
    gh.body = (JSON.parse(String(init?.body)) as { body: string }).body;
    gh.writes.push(gh.body);
    return Response.json({ id: 1, body: gh.body });
  };
  const send = (options: { request?: { fetch?: typeof fetch } }, init: RequestInit) =>
    (options.request?.fetch ?? github)(COMMENT_URL, init);
  const octokit = {
    request: { endpoint: { DEFAULTS: { request: { fetch: github } } } },
    rest: {
      issues: {
        getComment: async (options: object) => ({
          data: await (await send(options, { method: "GET" })).json(),
        }),
        updateComment: async (options: { body: string; request?: { fetch?: typeof fetch } }) => {
          gh.waiting = true;
          await gh.slot;
          gh.waiting = false;
          const init = { method: "PATCH", body: JSON.stringify({ body: options.body }) };
          const answer = await send(options, init);
          return { status: answer.status, data: answer.status === 204 ? "" : await answer.json() };
        },
      },
    },
  } as unknown as Octokit;
  return { gh, octokit };
}

const tick = (text: string, by: string): Toggle => ({
  text,
  checked: true,
  by,
  at: NOW.toISOString(),
});

function judged(delivery: string, body: string, toggles: Toggle[]): JudgedEdit {
  return {
    delivery,
    comment: 1,
    body: bodyDigest(body),
    edited: NOW.toISOString(),
    toggles,
    notes: [],
  };
}

async function setUp() {
  const store = new MemoryStore(() => NOW);
  const first = new ChecklistComments(store, APP_ID);
  const second = new ChecklistComments(store, APP_ID);
  const written = render(emptyState(), []);
  await first.remember(REPO, 2, { id: 1, body: written });
  return { store, first, second, written, ...fakeGitHub(written) };
}

test("an instance that finds the write lease taken has its edit written by the holder", async () => {
  const { first, second, written, gh, octokit } = await setUp();
  const aliceSaved = written.replace("- [ ] Rollback", "- [x] Rollback");
  gh.body = aliceSaved;
  await first.recordEdit(REPO, 2, judged("d1", aliceSaved, [tick(A, "alice")]));

  // The first instance writes alice's tick; its write is held on the way.
  let land!: () => void;
  gh.hold = new Promise((resolve) => (land = resolve));
  const firstView = await first.view(octokit, REPO, 2);
  const firstWrite = first.write(octokit, REPO, 2, { view: firstView, key: KEY, render, now: NOW });
  while (gh.reads === 0) await new Promise((resolve) => setImmediate(resolve));

  // Meanwhile bob's save is judged on the second instance, which finds the lease taken.
  const bobSaved = aliceSaved.replace("- [ ] Release", "- [x] Release");
  await second.recordEdit(REPO, 2, judged("d2", bobSaved, [tick(B, "bob")]));
  const secondView = await second.view(octokit, REPO, 2);
  const secondWrite = await second.write(octokit, REPO, 2, {
    view: secondView,
    key: KEY,
    render,
    now: NOW,
  });
  expect(secondWrite).toBe("busy");

  land();
  expect(await firstWrite).toBe("updated");
  // The holder went round once more and wrote bob's tick too: nothing pending, nothing lost.
  expect(gh.writes).toHaveLength(2);
  expect(gh.body).toMatch(/^- \[x\] Rollback plan documented — ticked by @alice/m);
  expect(gh.body).toMatch(/^- \[x\] Release notes drafted — ticked by @bob/m);
  expect(await first.pending(REPO, 2)).toEqual([]);
  expect((await first.recall(REPO, 2))?.body).toBe(gh.body);
});

test("nothing judged since the app's own write: no read, no write", async () => {
  const { first, gh, octokit } = await setUp();
  const view = await first.view(octokit, REPO, 2);
  expect(await first.write(octokit, REPO, 2, { view, key: KEY, render, now: NOW })).toBe(
    "unchanged",
  );
  expect(gh.reads).toBe(0);
  expect(gh.writes).toEqual([]);
});

test("a save nobody judged is left to its webhook, and overwritten with a note once that is lost", async () => {
  const { first, written, gh, octokit } = await setUp();
  const aliceSaved = written.replace("- [ ] Rollback", "- [x] Rollback");
  await first.recordEdit(REPO, 2, judged("d1", aliceSaved, [tick(A, "alice")]));
  // A save made after alice's, whose webhook has not come.
  gh.body = aliceSaved.replace("- [ ] Release", "- [x] Release");
  const view = await first.view(octokit, REPO, 2);

  expect(await first.write(octokit, REPO, 2, { view, key: KEY, render, now: NOW })).toBe(
    "deferred",
  );
  expect(gh.writes).toEqual([]);
  expect(await first.pending(REPO, 2)).toHaveLength(1);

  const later = new Date(NOW.getTime() + UNJUDGED_EDIT_GRACE_MS);
  expect(await first.write(octokit, REPO, 2, { view, key: KEY, render, now: later })).toBe(
    "updated",
  );
  expect(gh.body).toMatch(/^- \[x\] Rollback plan documented — ticked by @alice/m);
  expect(gh.body).toMatch(/^- \[ \] Release notes drafted/m);
  expect(gh.body).toContain(LOST_EDIT_NOTE);
  expect(await first.pending(REPO, 2)).toEqual([]);
});

test("a save made while the write waits for its slot is read as the write leaves, not overwritten", async () => {
  const { first, written, gh, octokit } = await setUp();
  const aliceSaved = written.replace("- [ ] Rollback", "- [x] Rollback");
  gh.body = aliceSaved;
  await first.recordEdit(REPO, 2, judged("d1", aliceSaved, [tick(A, "alice")]));
  const view = await first.view(octokit, REPO, 2);

  // The client holds the write (its throttle spaces writes); bob saves meanwhile.
  let open!: () => void;
  gh.slot = new Promise((resolve) => (open = resolve));
  const writing = first.write(octokit, REPO, 2, { view, key: KEY, render, now: NOW });
  while (!gh.waiting) await new Promise((resolve) => setImmediate(resolve));
  const bobSaved = aliceSaved.replace("- [ ] Release", "- [x] Release");
  gh.body = bobSaved;
  gh.slot = undefined;
  open();

  // Bob's save is unjudged: nothing is sent, and his tick stays on the page.
  expect(await writing).toBe("deferred");
  expect(gh.writes).toEqual([]);
  expect(gh.body).toBe(bobSaved);
  expect(gh.reads).toBe(1);

  // His webhook is judged: the next write carries both ticks.
  await first.recordEdit(REPO, 2, judged("d2", bobSaved, [tick(B, "bob")]));
  const next = await first.view(octokit, REPO, 2);
  expect(await first.write(octokit, REPO, 2, { view: next, key: KEY, render, now: NOW })).toBe(
    "updated",
  );
  expect(gh.body).toMatch(/^- \[x\] Rollback plan documented — ticked by @alice/m);
  expect(gh.body).toMatch(/^- \[x\] Release notes drafted — ticked by @bob/m);
  expect(await first.pending(REPO, 2)).toEqual([]);
});

test("a note about an item the comment no longer shows is left out of it", () => {
  const notes = [
    { item: "Users trained", text: '@mallory\'s tick on "Users trained" was undone' },
    { item: A, text: "@mallory's tick on the rollback plan was undone" },
    { text: "every box was reset" },
  ];
  expect(shownNotes(items, notes)).toEqual([
    "@mallory's tick on the rollback plan was undone",
    "every box was reset",
  ]);
});
