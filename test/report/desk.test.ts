import { describe, expect, it } from "@jest/globals";
import type { DeskDeployment, DeskHold, DeskSnapshot } from "../../src/facts/desk.js";
import {
  CALENDAR_BARS,
  DESK_MARKER,
  DESK_ROWS,
  mermaidText,
  renderDesk,
} from "../../src/report/desk.js";
import { mermaidBlock } from "../../scripts/mermaid-page.js";
import { DESK_NOW, sampleSnapshot } from "./desk-fixture.js";

const empty: DeskSnapshot = { holds: [], releases: [], environments: [], today: [], shipped: [] };

function section(body: string, heading: string): string {
  const start = body.indexOf(`## ${heading}`);
  expect(start).toBeGreaterThanOrEqual(0);
  const next = body.indexOf("\n## ", start + 3);
  return body.slice(start, next < 0 ? undefined : next);
}

/** The chart's task lines (bars and milestones), without the header or sections. */
function tasks(body: string): string[] {
  return mermaidBlock(body)
    .split("\n")
    .filter((line) => / :/.test(line));
}

function hold(index: number, overrides: Partial<DeskHold> = {}): DeskHold {
  return {
    repo: `acme/repo-${String(index).padStart(3, "0")}`,
    environment: "production",
    sha: "0123456789abcdef0123456789abcdef01234567",
    pullRequests: [],
    since: "2026-12-02T10:00:00Z",
    waitsFor: [{ kind: "approval", by: ["alice"] }],
    reviewUrl: `https://github.com/acme/repo/actions/runs/${index}`,
    ...overrides,
  };
}

function deployment(overrides: Partial<DeskDeployment> = {}): DeskDeployment {
  return {
    repo: "acme/api",
    environment: "production",
    sha: "0123456789abcdef0123456789abcdef01234567",
    approvers: ["carol"],
    outcome: "success",
    at: "2026-12-02T10:00:00Z",
    ...overrides,
  };
}

describe("renderDesk", () => {
  it("starts with the marker and keeps one title", () => {
    const { title, body } = renderDesk(sampleSnapshot(), DESK_NOW);
    expect(title).toBe("Release desk");
    expect(body.startsWith(DESK_MARKER)).toBe(true);
    expect(body).toContain("Updated 2026-12-03 07:00 UTC");
  });

  it("is deterministic whatever the order of the snapshot's lists", () => {
    const snapshot = sampleSnapshot();
    const reversed: DeskSnapshot = {
      ...snapshot,
      holds: [...snapshot.holds].reverse(),
      environments: [...snapshot.environments].reverse(),
      shipped: [...snapshot.shipped].reverse(),
    };
    expect(renderDesk(reversed, DESK_NOW).body).toBe(renderDesk(snapshot, DESK_NOW).body);
  });

  it("says so when a section is empty", () => {
    const { body } = renderDesk(empty, DESK_NOW);
    expect(body).toContain("No deployment is waiting.");
    expect(body).toContain("No release is in flight.");
    expect(body).toContain("No environment has a window or a freeze.");
    expect(body).toContain("Nothing shipped to production.");
  });
});

describe("Waiting now", () => {
  it("lists each held deployment, oldest first, with what it waits for and a review link", () => {
    const waiting = section(renderDesk(sampleSnapshot(), DESK_NOW).body, "Waiting now");
    const rows = waiting.split("\n").filter((line) => line.startsWith("| acme/"));
    expect(rows).toEqual([
      "| acme/web | production | `a1b2c3d` | [#88](https://github.com/acme/web/pull/88), [#91](https://github.com/acme/web/pull/91) | 2026-12-02 15:05 UTC | change record CHG0031337: assess | [review](https://github.com/acme/web/actions/runs/8990) |",
      "| acme/api | production | `3f2a9c4` | [#412](https://github.com/acme/api/pull/412) | 2026-12-03 06:40 UTC | approval by @acme/release-managers; window opens 2026-12-03 08:00 UTC | [review](https://github.com/acme/api/actions/runs/9001) |",
    ]);
  });

  it("names a freeze with its end and a change record with its link", () => {
    const snapshot: DeskSnapshot = {
      ...empty,
      holds: [
        hold(1, {
          waitsFor: [
            { kind: "freeze", reason: "Year-end freeze", until: "2027-01-04T23:00:00Z" },
            { kind: "change-record", id: "CHG1", state: "scheduled", url: "https://sn/CHG1" },
          ],
        }),
      ],
    };
    const waiting = section(renderDesk(snapshot, DESK_NOW).body, "Waiting now");
    expect(waiting).toContain(
      "Year-end freeze until 2027-01-04 23:00 UTC; change record [CHG1](https://sn/CHG1): scheduled",
    );
  });

  it("names another gate with its reason, escaped like any text people wrote", () => {
    const snapshot: DeskSnapshot = {
      ...empty,
      holds: [
        hold(1, {
          waitsFor: [{ kind: "gate", gate: "soak", reason: "staging | soaks until 12:00" }],
        }),
      ],
    };
    const waiting = section(renderDesk(snapshot, DESK_NOW).body, "Waiting now");
    expect(waiting).toContain("soak: staging \\| soaks until 12:00");
  });

  it("shows at most N rows, then how many more and where to see them", () => {
    const holds = Array.from({ length: 30 }, (_, index) => hold(index));
    const snapshot = { ...empty, holds, links: { waiting: "https://example.test/all" } };
    const waiting = section(renderDesk(snapshot, DESK_NOW, { rows: 10 }).body, "Waiting now");
    expect(waiting.split("\n").filter((line) => line.startsWith("| acme/"))).toHaveLength(10);
    expect(waiting).toContain("and 20 more ([see all](https://example.test/all))");
    const byDefault = section(renderDesk({ ...empty, holds }, DESK_NOW).body, "Waiting now");
    expect(byDefault.split("\n").filter((l) => l.startsWith("| acme/"))).toHaveLength(DESK_ROWS);
    expect(byDefault).toContain(`and ${30 - DESK_ROWS} more`);
  });

  it("escapes what users wrote, so no row, link or mention breaks", () => {
    const snapshot: DeskSnapshot = {
      ...empty,
      holds: [
        hold(1, {
          repo: "acme/x|y",
          environment: "prod <script>alert(1)</script>\n| injected |",
          sha: "not a sha`",
          waitsFor: [{ kind: "approval", by: ["eve*_[x](y)"] }],
          reviewUrl: "https://github.com/a) [evil](https://evil.test",
        }),
      ],
    };
    const waiting = section(renderDesk(snapshot, DESK_NOW).body, "Waiting now");
    const rows = waiting.split("\n").filter((line) => line.startsWith("| acme"));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain("acme/x\\|y");
    expect(rows[0]).toContain("&lt;script&gt;");
    expect(rows[0]).not.toContain("<script>");
    expect(rows[0]).toContain("not a sha\\`");
    // Not a login: shown, but mentioning nobody.
    expect(rows[0]).toContain("@\u2060eve\\*\\_\\[x\\](y)");
    expect(rows[0]).toContain("[review](https://github.com/a%29%20[evil]%28https://evil.test) |");
  });

  it("clips a very long value instead of letting a row grow", () => {
    const snapshot = { ...empty, holds: [hold(1, { environment: "e".repeat(5000) })] };
    const waiting = section(renderDesk(snapshot, DESK_NOW).body, "Waiting now");
    expect(waiting.length).toBeLessThan(1200);
    expect(waiting).toContain("…");
  });
});

describe("Releases in flight", () => {
  it("shows each release's gates with their status and the record", () => {
    const releases = section(renderDesk(sampleSnapshot(), DESK_NOW).body, "Releases in flight");
    expect(releases).toContain(
      "| acme/api | v2.8.0 | ✅ changelog, ⏳ security-review | [record](https://github.com/acme/api/issues/420) |",
    );
  });

  it("bounds the rows and the gates of one row", () => {
    const gates = Array.from({ length: 9 }, (_, i) => ({ name: `g${i}`, status: "fail" as const }));
    const releases = Array.from({ length: 4 }, (_, i) => ({
      repo: "acme/api",
      tag: `v1.${i}.0`,
      gates,
      recordUrl: "https://x.test",
    }));
    const text = section(
      renderDesk({ ...empty, releases }, DESK_NOW, { rows: 3 }).body,
      "Releases",
    );
    expect(text).toContain("❌ g4 and 4 more");
    expect(text).toContain("and 1 more");
    expect(text).not.toContain("v1.3.0");
  });
});

describe("Calendar", () => {
  it("draws each environment's open periods and freezes of the next 14 days in its zone", () => {
    const lines = tasks(renderDesk(sampleSnapshot(), DESK_NOW).body);
    const block = mermaidBlock(renderDesk(sampleSnapshot(), DESK_NOW).body);
    expect(block).toContain("title Next 14 days, times in Europe/Berlin");
    expect(block).toContain("dateFormat YYYY-MM-DDTHH:mm");
    const production = lines.slice(
      0,
      lines.findIndex((l) => l.includes("Open :b") && l.includes("07:00")),
    );
    expect(production).toEqual([
      "  Open :b0, 2026-12-03T09:00, 2026-12-03T16:00",
      "  Open :b1, 2026-12-04T09:00, 2026-12-04T12:00",
      "  Open :b2, 2026-12-07T09:00, 2026-12-07T16:00",
      "  Open :b3, 2026-12-08T09:00, 2026-12-08T16:00",
      "  Open :b4, 2026-12-09T09:00, 2026-12-09T16:00",
      "  Black Friday freeze :crit, b5, 2026-12-10T00:00, 2026-12-12T00:00",
      "  Open :b6, 2026-12-14T09:00, 2026-12-14T16:00",
      "  Open :b7, 2026-12-15T09:00, 2026-12-15T16:00",
      "  Open :b8, 2026-12-16T09:00, 2026-12-16T16:00",
    ]);
    expect(block).toMatch(/section production\n {2}Open :b0/);
  });

  it("draws today's deployments as milestones in their environment's section", () => {
    const block = mermaidBlock(renderDesk(sampleSnapshot(), DESK_NOW).body);
    expect(block).toMatch(
      /section staging\n(?: {2}Open .*\n)+ {2}Deploy acme\/web a1b2c3d :milestone, m\d+, 2026-12-03T07:50, 0m/,
    );
  });

  it("leaves off deployments outside the chart's days or without a valid time", () => {
    const snapshot = {
      ...sampleSnapshot(),
      today: [
        deployment({ environment: "staging", at: "1970-01-01T00:00:00Z" }),
        deployment({ environment: "staging", at: "yesterday" }),
        deployment({ environment: "staging", at: "2026-12-02T22:59:00Z" }),
      ],
    };
    expect(mermaidBlock(renderDesk(snapshot, DESK_NOW).body)).not.toContain(":milestone");
  });

  it("puts a deployment to an environment without a calendar under Other deployments", () => {
    const snapshot = {
      ...sampleSnapshot(),
      today: [deployment({ environment: "qa", at: "2026-12-03T09:00:00Z" })],
    };
    const block = mermaidBlock(renderDesk(snapshot, DESK_NOW).body);
    expect(block).toMatch(/section Other deployments\n {2}Deploy acme\/api 0123456 :milestone/);
  });

  it("writes every time in UTC when the windows' zones differ, and says so", () => {
    const snapshot: DeskSnapshot = {
      ...empty,
      environments: [
        { environment: "eu", window: { timezone: "Europe/Berlin", allow: ["Thu 09:00-10:00"] } },
        { environment: "us", window: { timezone: "America/New_York", allow: ["Thu 09:00-10:00"] } },
      ],
    };
    const block = mermaidBlock(renderDesk(snapshot, DESK_NOW).body);
    expect(block).toContain("times in UTC");
    // 09:00 in Berlin is 08:00 UTC in December; 09:00 in New York is 14:00 UTC.
    expect(block).toContain("Open :b0, 2026-12-03T08:00, 2026-12-03T09:00");
    expect(block).toContain("2026-12-03T14:00, 2026-12-03T15:00");
  });

  it("follows daylight-saving time: the same local hours are a different UTC hour after the change", () => {
    const snapshot: DeskSnapshot = {
      ...empty,
      environments: [
        { environment: "eu", window: { timezone: "Europe/Berlin", allow: ["Mon 09:00-10:00"] } },
        { environment: "utc", window: { timezone: "UTC", allow: ["Mon 09:00-10:00"] } },
      ],
    };
    // Berlin moves to summer time on Sunday 29 March 2026.
    const block = mermaidBlock(renderDesk(snapshot, new Date("2026-03-20T12:00:00Z")).body);
    expect(block).toContain("2026-03-23T08:00, 2026-03-23T09:00");
    expect(block).toContain("2026-03-30T07:00, 2026-03-30T08:00");
  });

  it("starts the 14 days at the start of today in the calendar's zone", () => {
    const snapshot: DeskSnapshot = {
      ...empty,
      environments: [{ environment: "any" }],
    };
    // 23:30 UTC on 2 December is already 3 December in Tokyo.
    const late = new Date("2026-12-02T23:30:00Z");
    expect(mermaidBlock(renderDesk(snapshot, late).body)).toContain(
      "Open :b0, 2026-12-02T00:00, 2026-12-16T00:00",
    );
    const tokyo: DeskSnapshot = {
      ...empty,
      environments: [{ environment: "jp", window: { timezone: "Asia/Tokyo" } }],
    };
    expect(mermaidBlock(renderDesk(tokyo, late).body)).toContain(
      "Open :b0, 2026-12-03T00:00, 2026-12-17T00:00",
    );
  });

  it("clips a freeze to the calendar and leaves out freezes outside it", () => {
    const snapshot: DeskSnapshot = {
      ...empty,
      environments: [
        {
          environment: "production",
          window: {
            timezone: "UTC",
            freeze: [
              { from: "2026-11-01", to: "2026-12-05T12:00", reason: "Code freeze" },
              { from: "2027-02-01", to: "2027-02-02" },
            ],
          },
        },
      ],
    };
    expect(tasks(renderDesk(snapshot, DESK_NOW).body)).toEqual([
      "  Code freeze :crit, b0, 2026-12-03T00:00, 2026-12-05T12:00",
      "  Open :b1, 2026-12-05T12:00, 2026-12-17T00:00",
    ]);
  });

  it("reports a window it cannot read instead of drawing it open", () => {
    const snapshot: DeskSnapshot = {
      ...empty,
      environments: [{ environment: "production", window: { timezone: "Mars/Olympus" } }],
    };
    const text = section(renderDesk(snapshot, DESK_NOW).body, "Calendar");
    expect(text).toContain(
      'production: its window could not be read (unknown time zone "Mars/Olympus")',
    );
    expect(text).not.toContain("Open :");
  });

  it("bounds bars per environment and the environments drawn", () => {
    const busy: DeskSnapshot = {
      ...empty,
      environments: [
        {
          environment: "busy",
          window: {
            timezone: "UTC",
            allow: ["Mon-Sun 01:00-02:00", "Mon-Sun 03:00-04:00", "Mon-Sun 05:00-06:00"],
          },
        },
        ...Array.from({ length: 15 }, (_, i) => ({
          environment: `env-${String(i).padStart(2, "0")}`,
        })),
      ],
    };
    const body = renderDesk(busy, DESK_NOW).body;
    const block = mermaidBlock(body);
    expect(block.split("\n").filter((l) => l.startsWith("  section"))).toHaveLength(12);
    expect(tasks(body).filter((l) => l.includes(":b")).length).toBe(CALENDAR_BARS + 11);
    expect(body).toContain(`busy: ${14 * 3 - CALENDAR_BARS} more periods not drawn.`);
    expect(body).toContain("4 more environments not drawn: env-11, env-12, env-13, env-14.");
  });

  it("keeps user text in the chart to plain names Mermaid cannot misread", () => {
    expect(mermaidText("a:b#c;d\ne%%f`g<h>")).toBe("a b c d e f g h");
    expect(mermaidText(":;#")).toBe("unnamed");
    const snapshot: DeskSnapshot = {
      ...empty,
      environments: [
        {
          environment: "section: prod #1;\nclick",
          window: {
            timezone: "UTC",
            freeze: [{ from: "2026-12-04", to: "2026-12-04", reason: "click me: ```\nfreeze" }],
          },
        },
      ],
      today: [
        deployment({
          environment: "section: prod #1;\nclick",
          repo: "a:b",
          sha: "x;y#z",
          at: "2026-12-03T09:00:00Z",
        }),
      ],
    };
    const block = mermaidBlock(renderDesk(snapshot, DESK_NOW).body);
    expect(block.split("\n").filter((line) => line.startsWith("  section"))).toEqual([
      "  section - section prod 1 click",
    ]);
    expect(block).toContain("  - click me freeze :crit, b1, 2026-12-04T00:00, 2026-12-05T00:00");
    expect(block).toContain("  Deploy a b x y z :milestone");
    for (const line of tasks(renderDesk(snapshot, DESK_NOW).body)) {
      const name = line.slice(0, line.indexOf(" :"));
      expect(name).not.toMatch(/[:#;`%]/);
      expect(line).not.toMatch(/[#;`%]/);
    }
  });
});

describe("Shipped (last 7 days)", () => {
  it("lists production deployments of the last 7 days, newest first, with approvers and outcome", () => {
    const shipped = section(renderDesk(sampleSnapshot(), DESK_NOW).body, "Shipped");
    expect(shipped.split("\n").filter((line) => line.startsWith("| acme/"))).toEqual([
      "| acme/api | production | [0c1d2e3](https://github.com/acme/api/actions/runs/8800) | @carol, @dave | ✅ success | 2026-12-01 10:12 UTC |",
      "| acme/web | production | `9f8e7d6` | @carol | ❌ failure | 2026-11-30 13:40 UTC |",
    ]);
  });

  it("leaves out what is older than 7 days", () => {
    const snapshot = {
      ...empty,
      shipped: [
        deployment({ at: "2026-11-26T07:00:00Z", sha: "1111111111" }),
        deployment({ at: "2026-11-26T06:59:00Z", sha: "2222222222" }),
      ],
    };
    const shipped = section(renderDesk(snapshot, DESK_NOW).body, "Shipped");
    expect(shipped).toContain("`1111111`");
    expect(shipped).not.toContain("2222222");
  });

  it("shows at most N rows and links to the rest", () => {
    const shipped = Array.from({ length: 7 }, (_, i) =>
      deployment({ at: `2026-12-0${(i % 3) + 1}T0${i}:00:00Z` }),
    );
    const snapshot = { ...empty, shipped, links: { shipped: "https://example.test/shipped" } };
    const text = section(renderDesk(snapshot, DESK_NOW, { rows: 5 }).body, "Shipped");
    expect(text).toContain("and 2 more ([see all](https://example.test/shipped))");
  });
});

describe("size", () => {
  it("stays under GitHub's limit, cut on a line and with the chart closed", () => {
    const snapshot: DeskSnapshot = {
      ...sampleSnapshot(),
      holds: Array.from({ length: 40 }, (_, index) =>
        hold(index, { environment: "ä".repeat(200) }),
      ),
    };
    const full = renderDesk(snapshot, DESK_NOW).body;
    expect(Buffer.byteLength(full, "utf8")).toBeLessThan(65_535);
    for (const maxBytes of [2000, 4000, 4500, 5000, 6000]) {
      const body = renderDesk(snapshot, DESK_NOW, { maxBytes }).body;
      expect(Buffer.byteLength(body, "utf8")).toBeLessThanOrEqual(maxBytes);
      expect(body).toContain("cut to fit GitHub's size limit");
      const fences = body.split("\n").filter((line) => line.startsWith("```"));
      expect(fences.length % 2).toBe(0);
    }
  });

  it("is not cut when it fits", () => {
    const body = renderDesk(sampleSnapshot(), DESK_NOW).body;
    expect(body).not.toContain("cut to fit");
    expect(body.endsWith("\n")).toBe(true);
  });
});
