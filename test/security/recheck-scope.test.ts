// `/recheck` may come from anyone who can comment. It asks the change system again only
// for the change records of the pull request it is written on, in that pull request's
// installation, and at most once a minute per pull request: a commenter cannot empty every
// installation's kept answers or make the app flood the change system.
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import {
  createChangeRecordReader,
  pullOf,
  type ChangeSystemsConfig,
} from "../../src/facts/change-record-clients.js";
import type { ChangeRecordNeed } from "../../src/facts/change-records.js";
import { RECHECK_INTERVAL_MS } from "../../src/handlers/recheck-comment.js";
import { startServiceNow, type ServiceNowStandIn } from "../stand-in/servicenow.js";
import {
  api,
  contents,
  createHarness,
  example,
  github,
  OWN_RUNS,
  POLICY_AT_HEAD,
  POLICY_URL,
  REPO_PATH,
  RUNS,
  type Harness,
} from "../integration/harness.js";

const POLICY = `gates:
  change:
    stage: pull_request
    require:
      change_record: { system: servicenow, pattern: "CHG[0-9]{7}" }
`;

let sn: ServiceNowStandIn;

beforeEach(async () => {
  nock.cleanAll();
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
  sn = await startServiceNow();
  sn.put("CHG0012345", { state: "Scheduled", approval: "Requested" });
  sn.put("CHG0099999", { state: "Scheduled", approval: "Requested" });
});
afterEach(async () => {
  nock.cleanAll();
  nock.enableNetConnect();
  await sn.close();
});

const serviceNow = (): ChangeSystemsConfig => ({
  servicenow: { url: sn.url, auth: { kind: "basic", user: "release-policy", password: "s3cret" } },
});

/** Requests ServiceNow has answered so far. */
const asked = () => sn.requests.filter((r) => r.path === "/api/now/table/change_request").length;

/** GitHub as every evaluation here reads and writes it; the test counts ServiceNow only. */
function githubAnswers(): void {
  github();
  api()
    .persist()
    .get(POLICY_URL)
    .reply(200, contents(POLICY))
    .get(POLICY_AT_HEAD)
    .reply(200, contents(POLICY))
    .get(RUNS)
    .reply(200, { total_count: 0, check_runs: [] })
    // Two pull requests share the head commit: each reads the app's own run before writing.
    .get(OWN_RUNS)
    .reply(200, { total_count: 0, check_runs: [] })
    .get(`${REPO_PATH}/pulls/2`)
    .reply(200, pull(2, "CHG0012345 ship"))
    .post(`${REPO_PATH}/check-runs`)
    .reply(201, { id: 1 })
    .patch(/\/check-runs\/\d+$/)
    .reply(200, {})
    .post(/\/issues\/comments\/\d+\/reactions$/)
    .reply(201, {});
}

function pull(number: number, title: string): Record<string, unknown> {
  const opened = example("pull_request", "opened");
  return { ...(opened.pull_request as Record<string, unknown>), number, title };
}

async function open(harness: Harness, number: number, title: string): Promise<void> {
  await harness.receive("pull_request", {
    ...example("pull_request", "opened"),
    number,
    pull_request: pull(number, title),
  });
}

async function recheck(harness: Harness, number: number): Promise<void> {
  const comment = example("issue_comment", "created");
  const issue = comment.issue as Record<string, unknown>;
  await harness.receive("issue_comment", {
    ...comment,
    issue: {
      ...issue,
      number,
      state: "open",
      pull_request: { url: `https://api.github.com${REPO_PATH}/pulls/${number}` },
    },
    comment: { ...(comment.comment as Record<string, unknown>), body: "/recheck" },
  });
}

describe("/recheck", () => {
  it("asks again only for the change records of the pull request it is written on", async () => {
    githubAnswers();
    const harness = await createHarness({ changeSystems: serviceNow() });
    await open(harness, 2, "CHG0012345 ship");
    await open(harness, 3, "CHG0099999 another change");
    expect(asked()).toBe(2);

    await recheck(harness, 2);
    expect(asked()).toBe(3);
    // Pull request 3's answer is still kept: judging it again within the minute asks nobody.
    await open(harness, 3, "CHG0099999 another change");
    expect(asked()).toBe(3);
  });

  it("is taken once a minute per pull request: a second one inside the minute asks nobody", async () => {
    githubAnswers();
    const harness = await createHarness({ changeSystems: serviceNow() });
    await open(harness, 2, "CHG0012345 ship");
    await recheck(harness, 2);
    expect(asked()).toBe(2);

    harness.clock.now = new Date(harness.clock.now.getTime() + RECHECK_INTERVAL_MS - 1_000);
    await recheck(harness, 2);
    expect(asked()).toBe(2);

    harness.clock.now = new Date(harness.clock.now.getTime() + 1_000);
    await recheck(harness, 2);
    expect(asked()).toBe(3);
  });
});

describe("the change record reader's kept answers", () => {
  const need: ChangeRecordNeed = {
    system: "servicenow",
    pattern: "CHG[0-9]{7}",
    in: ["title"],
  };

  it("are kept per installation, and a fresh look drops only its pull request's", async () => {
    const reader = createChangeRecordReader(serviceNow(), { now: () => 0 });
    const mine = { installation: 1, subject: pullOf({ owner: "o", repo: "r" }, 2) };
    const theirs = { installation: 2, subject: pullOf({ owner: "o", repo: "r" }, 2) };
    await reader.read(need, "CHG0012345", mine);
    await reader.read(need, "CHG0012345", theirs);
    // One installation never sees another's answer.
    expect(asked()).toBe(2);

    reader.forget(mine);
    await reader.read(need, "CHG0012345", theirs);
    expect(asked()).toBe(2);
    await reader.read(need, "CHG0012345", mine);
    expect(asked()).toBe(3);
  });
});
