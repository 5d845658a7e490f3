// The release record through the real server process: a pushed tag gets one issue that
// lists what the release includes and what it still waits for, and a redelivered push
// changes nothing.
import { jest } from "@jest/globals";
import { start, type StandIn } from "../stand-in/server.js";
import type { GitHubEvents } from "./github-events.js";
import { expectOnlyValidRequests, seedMergedChange } from "./seed.js";
import { startServer, waitFor, type AppServer } from "./server-process.js";

jest.setTimeout(60_000);

const OWNER = "acme";
const REPO = "shop";
const SECRET = "e2e-release-secret";
const POLICY = `releases:
  tags: { pattern: "^v[0-9]+\\\\.[0-9]+\\\\.[0-9]+$" }
gates:
  release-notes:
    stage: release
    require: { release_notes: true }
  readiness:
    stage: release
    require:
      checklist:
        - Release notes reviewed
        - Service desk briefed
`;

let gh: StandIn;
let server: AppServer;
let events: GitHubEvents;
let mergeSha: string;

beforeAll(async () => {
  gh = await start({ app: { id: 4713 } });
  ({ events, mergeSha } = seedMergedChange(gh, {
    owner: OWNER,
    repo: REPO,
    installationId: 44,
    policy: POLICY,
    pull: { number: 5, title: "CHG0000005: faster checkout", author: "carol" },
  }));
  server = await startServer({ standIn: gh, secret: SECRET });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await gh?.close();
});

afterEach(() => expectOnlyValidRequests(gh));

const records = () =>
  gh.state
    .issues(OWNER, REPO)
    .filter((issue) => gh.state.labelsOn(OWNER, REPO, issue.number).includes("release-record"));

test("a pushed tag gets one release record; a redelivered push changes nothing", async () => {
  const push = events.tagPushed("v1.0.0", mergeSha, "tom");
  const delivery = await server.deliver(push.event, push.payload, { id: "tag-push-1" });
  expect(delivery.status).toBeLessThan(300);

  const [record] = await waitFor("the release record", () => {
    const found = records();
    return found.length > 0 ? found : undefined;
  });
  expect(record?.title).toContain("v1.0.0");
  expect(record?.body).toContain("pushed by @tom");
  expect(record?.body).toContain("| CHG0000005: faster checkout | @carol |");
  expect(record?.body).toMatch(/`release-notes` \| ⏳ pending \| no release notes found/);
  expect(record?.state).toBe("open");
  const checklist = await waitFor("the record's checklist comment", () =>
    gh.state
      .comments(OWNER, REPO, record?.number ?? 0)
      .find((comment) => comment.body.includes("Service desk briefed")),
  );
  expect(checklist.body).toContain("- [ ] Release notes reviewed");

  const again = await server.deliver(push.event, push.payload, { id: "tag-push-1" });
  expect(again.status).toBeLessThan(300);
  expect(records()).toHaveLength(1);
  expect(gh.state.comments(OWNER, REPO, record?.number ?? 0)).toHaveLength(1);
});
