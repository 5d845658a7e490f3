// The desk's calendar drawn by Mermaid itself (the package GitHub renders issues with), in
// Debian's headless Chromium: a chart GitHub could not draw fails here. Chromium missing is a
// failure with the fix, never a skip: CI installs it.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { DeskSnapshot } from "../../src/facts/desk.js";
import { renderDesk } from "../../src/report/desk.js";
import { mermaidBlock, openMermaidPage, type MermaidPage } from "../../scripts/mermaid-page.js";
import { DESK_NOW, sampleSnapshot } from "./desk-fixture.js";

let mermaid: MermaidPage | undefined;

beforeAll(async () => {
  mermaid = await openMermaidPage();
}, 60_000);

afterAll(async () => {
  await mermaid?.close();
});

function page(): MermaidPage {
  if (!mermaid) throw new Error("the Mermaid page did not open (see the error above)");
  return mermaid;
}

/** Task rectangles by kind, from the SVG Mermaid drew. */
function drawn(svg: string): { bars: number; freezes: number; milestones: number } {
  const classes = [...svg.matchAll(/<rect\b[^>]*\bclass="(task\b[^"]*)"/g)].map((m) => m[1] ?? "");
  return {
    bars: classes.filter((c) => !c.includes("milestone")).length,
    freezes: classes.filter((c) => /\bcrit\d/.test(c) && !c.includes("milestone")).length,
    milestones: classes.filter((c) => c.includes("milestone")).length,
  };
}

function expected(text: string): { bars: number; freezes: number; milestones: number } {
  const lines = text.split("\n");
  return {
    bars: lines.filter((l) => / :(?:crit, )?b\d+,/.test(l)).length,
    freezes: lines.filter((l) => / :crit, b\d+,/.test(l)).length,
    milestones: lines.filter((l) => / :milestone, /.test(l)).length,
  };
}

describe("the desk's calendar in Mermaid", () => {
  it("draws one bar per open period and freeze, and today's deployments as milestones", async () => {
    const text = mermaidBlock(renderDesk(sampleSnapshot(), DESK_NOW).body);
    const svg = await page().render(text);
    expect(svg).toContain("<svg");
    const counts = drawn(svg);
    expect(counts).toEqual(expected(text));
    expect(counts.bars).toBeGreaterThan(10);
    expect(counts.freezes).toBe(1);
    expect(counts.milestones).toBe(1);
    expect(svg).toContain("Black Friday freeze");
  }, 60_000);

  it("draws a chart whose user-written names were hostile", async () => {
    const snapshot: DeskSnapshot = {
      holds: [],
      releases: [],
      shipped: [],
      environments: [
        {
          environment: "section: prod #1;\nclick %%",
          window: {
            timezone: "America/New_York",
            allow: ["Mon-Fri 22:00-02:00"],
            freeze: [{ from: "2026-12-08", to: "2026-12-09", reason: "click x: ```<b>\n#;" }],
          },
        },
        { environment: "title dateFormat", window: { timezone: "Asia/Kolkata" } },
      ],
      today: [
        {
          repo: "a:b#c",
          environment: "other",
          sha: "x;y",
          approvers: [],
          outcome: "success",
          at: "2026-12-03T05:00:00Z",
        },
      ],
    };
    const text = mermaidBlock(renderDesk(snapshot, DESK_NOW).body);
    const svg = await page().render(text);
    expect(drawn(svg)).toEqual(expected(text));
    expect(svg).not.toContain("<b>");
  }, 60_000);

  it("fails on a chart Mermaid cannot draw, so this test can fail", async () => {
    const broken = [
      "gantt",
      "  dateFormat YYYY-MM-DDTHH:mm",
      "  section production",
      "  Open :b0, 2026-12-03 at nine, 2026-12-03T16:00",
    ].join("\n");
    await expect(page().render(broken)).rejects.toThrow(/Invalid date/);
  }, 60_000);
});
