// A desk snapshot with one of everything, shared by the desk's tests and its screenshot.
import type { DeskSnapshot } from "../../src/facts/desk.js";

/** Thursday 3 December 2026, 08:00 in Berlin. */
export const DESK_NOW = new Date("2026-12-03T07:00:00Z");

export function sampleSnapshot(): DeskSnapshot {
  return {
    holds: [
      {
        repo: "acme/api",
        environment: "production",
        sha: "3f2a9c41d0b7e6f5a4c3b2a19087f6e5d4c3b2a1",
        pullRequests: [{ number: 412, url: "https://github.com/acme/api/pull/412" }],
        since: "2026-12-03T06:40:00Z",
        waitsFor: [
          { kind: "approval", by: ["acme/release-managers"] },
          { kind: "window", opensAt: "2026-12-03T08:00:00Z" },
        ],
        reviewUrl: "https://github.com/acme/api/actions/runs/9001",
      },
      {
        repo: "acme/web",
        environment: "production",
        sha: "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
        pullRequests: [
          { number: 88, url: "https://github.com/acme/web/pull/88" },
          { number: 91, url: "https://github.com/acme/web/pull/91" },
        ],
        since: "2026-12-02T15:05:00Z",
        waitsFor: [{ kind: "change-record", id: "CHG0031337", state: "assess" }],
        reviewUrl: "https://github.com/acme/web/actions/runs/8990",
      },
    ],
    releases: [
      {
        repo: "acme/api",
        tag: "v2.8.0",
        gates: [
          { name: "changelog", status: "pass" },
          { name: "security-review", status: "pending" },
        ],
        recordUrl: "https://github.com/acme/api/issues/420",
      },
    ],
    environments: [
      {
        environment: "production",
        window: {
          timezone: "Europe/Berlin",
          allow: ["Mon-Thu 09:00-16:00", "Fri 09:00-12:00"],
          freeze: [{ from: "2026-12-10", to: "2026-12-11", reason: "Black Friday" }],
        },
      },
      {
        environment: "staging",
        window: { timezone: "Europe/Berlin", allow: ["Mon-Fri 07:00-20:00"] },
      },
    ],
    today: [
      {
        repo: "acme/web",
        environment: "staging",
        sha: "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
        approvers: [],
        outcome: "success",
        at: "2026-12-03T06:50:00Z",
      },
    ],
    shipped: [
      {
        repo: "acme/api",
        environment: "production",
        sha: "0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d",
        approvers: ["carol", "dave"],
        outcome: "success",
        at: "2026-12-01T10:12:00Z",
        url: "https://github.com/acme/api/actions/runs/8800",
      },
      {
        repo: "acme/web",
        environment: "production",
        sha: "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432",
        approvers: ["carol"],
        outcome: "failure",
        at: "2026-11-30T13:40:00Z",
      },
    ],
    links: {
      waiting: "https://github.com/acme/.github/issues/1#waiting",
      shipped: "https://github.com/acme/.github/issues/1#shipped",
    },
  };
}
