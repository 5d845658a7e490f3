import { describe, expect, it } from "@jest/globals";
import type { Octokit } from "../../src/github/types.js";
import {
  LabelHistoryError,
  labelsAt,
  MAX_EVENT_PAGES,
  mergeLabelsReader,
  noteMergeLabels,
} from "../../src/facts/merge-labels.js";
import { MemoryStore } from "../../src/store/memory.js";
import { pull } from "../evaluate/deployment-builders.js";

const MERGED = "2026-03-09T10:00:00Z";
const ev = (event: string, name: string, at: string) => ({
  event,
  created_at: at,
  label: { name },
});

describe("labelsAt", () => {
  it("replays label events up to the merge, and none after it", () => {
    const events = [
      ev("labeled", "change: normal", "2026-03-01T09:00:00Z"),
      { event: "commented", created_at: "2026-03-02T09:00:00Z" },
      ev("labeled", "risk: low", "2026-03-03T09:00:00Z"),
      ev("unlabeled", "risk: low", "2026-03-04T09:00:00Z"),
      ev("labeled", "change: emergency", "2026-03-10T09:00:00Z"),
      ev("unlabeled", "change: normal", "2026-03-10T09:00:01Z"),
    ];
    expect(labelsAt(events, MERGED)).toEqual(["change: normal"]);
  });

  it("counts a label added in the merge's own second", () => {
    expect(labelsAt([ev("labeled", "hotfix", MERGED)], MERGED)).toEqual(["hotfix"]);
  });
});

describe("mergeLabelsReader", () => {
  const repo = { owner: "acme", repo: "shop", defaultBranch: "main" };
  /** GitHub's issue events: `pages` full pages, all before the merge. */
  function github(pages: number) {
    const asked: number[] = [];
    const octokit = {
      rest: {
        issues: {
          listEvents: async ({ page }: { page: number }) => {
            asked.push(page);
            const full = Array.from({ length: 100 }, () =>
              ev("labeled", "x", "2026-03-01T00:00:00Z"),
            );
            return { data: page <= pages ? full : [] };
          },
        },
      },
    } as unknown as Octokit;
    return { octokit, asked };
  }

  it("takes the labels noted at the merge, asking GitHub nothing", async () => {
    const store = new MemoryStore();
    const merged = pull({ labels: ["change: emergency"] });
    await noteMergeLabels(store, repo, { ...merged, labels: [] });
    const { octokit, asked } = github(0);
    expect(await mergeLabelsReader(octokit, store)(repo, merged)).toEqual([]);
    expect(asked).toEqual([]);
  });

  it("fails closed when the history before the merge is longer than it reads", async () => {
    const { octokit, asked } = github(MAX_EVENT_PAGES);
    await expect(mergeLabelsReader(octokit, new MemoryStore())(repo, pull())).rejects.toThrow(
      LabelHistoryError,
    );
    expect(asked).toHaveLength(MAX_EVENT_PAGES);
  });
});
