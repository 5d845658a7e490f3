import {
  changeSystemsFromEnv,
  createChangeRecordReader,
  gatherChangeRecords,
  type ReaderOptions,
} from "../../src/facts/change-record-clients.js";
import type { ChangeRecordNeed } from "../../src/facts/change-records.js";
import { startJira, type JiraStandIn } from "../stand-in/jira.js";
import { startServiceNow, type ServiceNowStandIn } from "../stand-in/servicenow.js";

const SNOW_NEED: ChangeRecordNeed = { system: "servicenow", pattern: "CHG[0-9]{7}", in: ["title"] };
const JIRA_NEED: ChangeRecordNeed = {
  system: "jira",
  pattern: "OPS-[0-9]+",
  in: ["title"],
  windowFields: { start: "customfield_10032", end: "customfield_10033" },
};

/** The injected clock's time, where a test reads one: 2026-03-10T12:00:00Z. */
const NOW = Date.parse("2026-03-10T12:00:00Z");

let sn: ServiceNowStandIn;
let jira: JiraStandIn;

beforeEach(async () => {
  sn = await startServiceNow();
  jira = await startJira();
  sn.put("CHG0012345", {
    state: "Scheduled",
    start_date: "2026-03-10 11:00:00",
    end_date: "2026-03-10 13:00:00",
    sys_id: "abc123",
  });
  jira.issues.set("OPS-42", {
    key: "OPS-42",
    summary: "Release shop 4.2",
    status: "Approved",
    custom: {
      customfield_10032: "2026-03-10T11:00:00.000+0000",
      customfield_10033: "2026-03-10T13:00:00.000+0000",
    },
  });
});

afterEach(async () => {
  await sn.close();
  await jira.close();
});

function basicReader(options: ReaderOptions = {}) {
  return createChangeRecordReader(
    {
      servicenow: {
        url: sn.url,
        auth: { kind: "basic", user: "release-policy", password: "s3cret" },
      },
      jira: { url: jira.url, email: "bot@example.com", apiToken: "api-token" },
    },
    options,
  );
}

describe("ServiceNow client", () => {
  it("reads a change request with basic auth, display values and UTC planned window", async () => {
    const fact = await basicReader().read(SNOW_NEED, "CHG0012345");
    expect(fact).toEqual({
      system: "servicenow",
      reference: "CHG0012345",
      found: true,
      number: "CHG0012345",
      title: "Release shop 4.2",
      state: "Scheduled",
      approval: "Approved",
      plannedStart: "2026-03-10T11:00:00Z",
      plannedEnd: "2026-03-10T13:00:00Z",
      url: `${sn.url}/nav_to.do?uri=change_request.do?sys_id=abc123`,
      sysId: "abc123",
    });
    expect(sn.requests[0]?.authorization).toBe(
      `Basic ${Buffer.from("release-policy:s3cret").toString("base64")}`,
    );
  });

  it("gets an OAuth token once and reuses it", async () => {
    const reader = createChangeRecordReader({
      servicenow: {
        url: sn.url,
        auth: { kind: "oauth", clientId: "client-id", clientSecret: "client-secret" },
      },
    });
    await reader.read(SNOW_NEED, "CHG0012345");
    await reader.read(SNOW_NEED, "CHG0099999");
    expect(sn.requests.map((r) => `${r.method} ${r.path} ${r.authorization ?? "-"}`)).toEqual([
      "POST /oauth_token.do -",
      "GET /api/now/table/change_request Bearer standin-token",
      "GET /api/now/table/change_request Bearer standin-token",
    ]);
  });

  it("never sends a reference that would add conditions to the query, and never passes it", async () => {
    const fact = await basicReader().read(
      { ...SNOW_NEED, pattern: "CHG\\S+" },
      "CHG1^ORnumberISNOTEMPTY",
    );
    expect(fact.found).toBe(false);
    expect(fact.error).toContain("is not a record number");
    expect(sn.requests).toEqual([]);
  });

  it("tells the observer of each request: the system, its status, and how long it took", async () => {
    const seen: { system: string; status: string }[] = [];
    const reader = basicReader({ observe: ({ system, status }) => seen.push({ system, status }) });
    await reader.read(SNOW_NEED, "CHG0012345");
    await reader.read(SNOW_NEED, "CHG0099999");
    await reader.read(JIRA_NEED, "OPS-404");
    expect(seen).toEqual([
      { system: "servicenow", status: "200" },
      { system: "servicenow", status: "200" },
      { system: "jira", status: "404" },
    ]);
  });

  it("says a record that does not exist is not found", async () => {
    const fact = await basicReader().read(SNOW_NEED, "CHG0099999");
    expect(fact).toMatchObject({ found: false });
    expect(fact.error).toBeUndefined();
  });

  it.each([
    [401, "ServiceNow answered 401: User Not Authenticated", false],
    [403, "ServiceNow answered 403: User Not Authorized", false],
    [
      429,
      "ServiceNow answered 429: Too Many Requests, and asked us to wait until 12:00:30 UTC",
      true,
    ],
    [503, "ServiceNow answered 503: Failure, and asked us to wait until 12:00:10 UTC", true],
    [500, "ServiceNow answered 500: Failure", true],
  ])(
    "turns %i into an error fact, without the credentials (passing: %s)",
    async (status, error, passing) => {
      sn.failWith = status;
      if (status === 401) sn.basic = "someone:else";
      const fact = await basicReader({ now: () => NOW }).read(SNOW_NEED, "CHG0012345");
      expect(fact.error).toBe(error);
      expect(fact.passing ?? false).toBe(passing);
      expect(JSON.stringify(fact)).not.toContain("s3cret");
    },
  );

  it("turns a timeout into an error fact", async () => {
    const hanging: typeof fetch = (_url, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
      });
    const fact = await basicReader({ fetch: hanging, timeoutMs: 20 }).read(SNOW_NEED, "CHG0012345");
    expect(fact.error).toBe("it did not answer in time");
    expect(fact.passing).toBe(true);
  });

  it("caches a record for a short while, then asks again", async () => {
    let clock = 0;
    const reader = basicReader({ now: () => clock, cacheMs: 1000 });
    await reader.read(SNOW_NEED, "CHG0012345");
    clock = 999;
    await reader.read(SNOW_NEED, "CHG0012345");
    expect(sn.requests).toHaveLength(1);
    clock = 1000;
    await reader.read(SNOW_NEED, "CHG0012345");
    expect(sn.requests).toHaveLength(2);
  });

  it("does not cache errors", async () => {
    sn.failWith = 500;
    const reader = basicReader();
    await reader.read(SNOW_NEED, "CHG0012345");
    sn.failWith = undefined;
    expect((await reader.read(SNOW_NEED, "CHG0012345")).found).toBe(true);
  });
});

describe("Jira client", () => {
  it("reads an issue's summary, status and planned window fields with email:token", async () => {
    const fact = await basicReader().read(JIRA_NEED, "OPS-42");
    expect(fact).toEqual({
      system: "jira",
      reference: "OPS-42",
      found: true,
      number: "OPS-42",
      title: "Release shop 4.2",
      state: "Approved",
      plannedStart: "2026-03-10T11:00:00.000Z",
      plannedEnd: "2026-03-10T13:00:00.000Z",
      url: `${jira.url}/browse/OPS-42`,
    });
    expect(jira.requests[0]).toEqual({
      path: "/rest/api/3/issue/OPS-42",
      query: "?fields=summary,status,customfield_10032,customfield_10033",
      authorization: `Basic ${Buffer.from("bot@example.com:api-token").toString("base64")}`,
    });
  });

  it("says a missing issue is not found, and 429 is an error", async () => {
    expect(await basicReader().read(JIRA_NEED, "OPS-1")).toMatchObject({ found: false });
    jira.failWith = 429;
    expect((await basicReader({ now: () => NOW }).read(JIRA_NEED, "OPS-42")).error).toBe(
      "Jira answered 429: Rate limit exceeded, and asked us to wait until 12:00:30 UTC",
    );
  });
});

describe("configuration and gathering", () => {
  it("reads only the environment's variables, preferring OAuth", () => {
    expect(
      changeSystemsFromEnv({
        SERVICENOW_URL: "https://acme.service-now.com/",
        SERVICENOW_USER: "u",
        SERVICENOW_PASSWORD: "p",
        SERVICENOW_CLIENT_ID: "id",
        SERVICENOW_CLIENT_SECRET: "secret",
        JIRA_URL: "https://acme.atlassian.net",
      }),
    ).toEqual({
      servicenow: {
        url: "https://acme.service-now.com",
        auth: { kind: "oauth", clientId: "id", clientSecret: "secret" },
      },
    });
  });

  it("bounds each request by CHANGE_SYSTEM_TIMEOUT_MS, refusing anything but whole milliseconds", () => {
    expect(changeSystemsFromEnv({ CHANGE_SYSTEM_TIMEOUT_MS: "2500" })).toEqual({ timeoutMs: 2500 });
    for (const bad of ["0", "2.5", "10s", "-1"]) {
      expect(() => changeSystemsFromEnv({ CHANGE_SYSTEM_TIMEOUT_MS: bad })).toThrow(
        `CHANGE_SYSTEM_TIMEOUT_MS: "${bad}"`,
      );
    }
  });

  it("errors, naming the variables, for a system that is not configured", async () => {
    const fact = await createChangeRecordReader({}).read(JIRA_NEED, "OPS-42");
    expect(fact.error).toContain("JIRA_URL, JIRA_EMAIL and JIRA_API_TOKEN");
    expect(fact.passing).toBeUndefined();
  });

  it("looks up each reference the patterns find, once", async () => {
    const facts = await gatherChangeRecords(
      basicReader(),
      [SNOW_NEED, SNOW_NEED, JIRA_NEED],
      [
        { name: "#7", texts: { title: ["CHG0012345 / OPS-42"] } },
        { name: "#8", texts: { title: ["CHG0012345 again"] } },
      ],
    );
    expect(facts.map((f) => f.reference)).toEqual(["CHG0012345", "OPS-42"]);
  });

  it("looks up every reference of a pull request, up to the bound, and none beyond it", async () => {
    const refs = (n: number) =>
      Array.from({ length: n }, (_, i) => `CHG00000${String(i + 1).padStart(2, "0")}`);
    const gather = (n: number) =>
      gatherChangeRecords(
        basicReader(),
        [SNOW_NEED],
        [{ name: "#7", texts: { title: [refs(n).join(" ")] } }],
      );
    expect((await gather(6)).map((f) => f.reference)).toEqual(refs(6));
    expect(await gather(21)).toEqual([]);
  });
});
