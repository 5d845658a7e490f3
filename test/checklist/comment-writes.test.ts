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
const A = "Rollback plan documented";
const B = "Release notes drafted";
const items: ChecklistItem[] = [
  { text: A, gate: "readiness" },
  { text: B, gate: "readiness" },
];
const render: RenderChecklist = (state, notes) =>
  renderChecklistComment(items, state, KEY, shownNotes(items, notes));

/** GitHub's side of one comment: its body, every write, and a hold on the next write. */
function fakeGitHub(body: string) {
  const gh = {
    body,
    updatedAt: NOW.toISOString(),
    reads: 0,
    writes: [] as string[],
    /** While set, the next write waits for it before it lands. */
    hold: undefined as Promise<void> | undefined,
  };
  const octokit = {
    rest: {
      issues: {
        getComment: async () => {
          gh.reads += 1;
          return { data: { id: 1, body: gh.body, updated_at: gh.updatedAt } };
        },
        updateComment: async ({ body: written }: { body: string }) => {
          const hold = gh.hold;
          gh.hold = undefined;
          await hold;
          gh.body = written;
          gh.writes.push(written);
          return { data: { id: 1 } };
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
