import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import {
  answerError,
  ChangeSystemError,
  createChangeSystemClient,
  describeFailure,
} from "../../src/change-systems/client.js";
import { writeNote } from "../../src/effects/change-record-note.js";
import { createChangeRecordReader } from "../../src/facts/change-record-clients.js";
import { MemoryStore } from "../../src/store/memory.js";
import { startJira, type JiraStandIn } from "../stand-in/jira.js";
import { startServiceNow, type ServiceNowStandIn } from "../stand-in/servicenow.js";

let sn: ServiceNowStandIn;
let jira: JiraStandIn;

beforeEach(async () => {
  sn = await startServiceNow();
  jira = await startJira();
  sn.put("CHG0012345", { sys_id: "abc123" });
  jira.issues.set("OPS-42", { key: "OPS-42", summary: "Release", status: "Approved" });
});

afterEach(async () => {
  await sn.close();
  await jira.close();
});

describe("the change systems' client", () => {
  it("writes through one OAuth token, and tells the observer of every request", async () => {
    const seen: string[] = [];
    const client = createChangeSystemClient(
      {
        servicenow: {
          url: sn.url,
          auth: { kind: "oauth", clientId: "client-id", clientSecret: "client-secret" },
        },
      },
      { observe: (r) => seen.push(`${r.system} ${r.status}`) },
    );
    for (const text of ["first", "second"]) {
      const response = await client.request(
        "servicenow",
        "/api/now/table/change_request/abc123?sysparm_fields=sys_id",
        {
          method: "PATCH",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ work_notes: text }),
        },
      );
      expect(await response.json()).toEqual({ result: { sys_id: "abc123" } });
    }
    expect(sn.notes.map((n) => n.text)).toEqual(["first", "second"]);
    expect(sn.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /oauth_token.do",
      "PATCH /api/now/table/change_request/abc123",
      "PATCH /api/now/table/change_request/abc123",
    ]);
    expect(seen).toEqual(["servicenow 200", "servicenow 200", "servicenow 200"]);
  });

  it("adds a Jira comment with email and API token", async () => {
    const client = createChangeSystemClient({
      jira: { url: jira.url, email: "bot@example.com", apiToken: "api-token" },
    });
    const response = await client.request("jira", "/rest/api/3/issue/OPS-42/comment", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ body: { type: "doc", version: 1, content: [] } }),
    });
    expect(response.status).toBe(201);
    expect(jira.comments).toHaveLength(1);
  });

  it("names the system's answer and its retry-after, never the credentials", async () => {
    const client = createChangeSystemClient(
      {
        servicenow: {
          url: sn.url,
          auth: { kind: "basic", user: "release-policy", password: "wrong-secret" },
        },
        jira: { url: jira.url, email: "bot@example.com", apiToken: "api-token" },
      },
      { now: () => Date.parse("2026-03-10T12:00:00Z") },
    );
    const refused = await answerError(
      "servicenow",
      await client.request("servicenow", "/api/now/table/change_request/abc123", {
        method: "PATCH",
        body: "{}",
      }),
    );
    expect(refused).toMatchObject({
      message: "ServiceNow answered 401: User Not Authenticated",
      status: 401,
    });
    expect(refused.message).not.toContain("wrong-secret");
    jira.failWith = 429;
    // An answer asking the app to wait is the client's own error, naming until when.
    await expect(client.request("jira", "/rest/api/3/issue/OPS-42")).rejects.toMatchObject({
      message: "Jira answered 429: Rate limit exceeded, and asked us to wait until 12:00:30 UTC",
      status: 429,
      retryAfterMs: 30_000,
    });
  });

  it("refuses a system that is not configured, and says when one did not answer in time", async () => {
    const client = createChangeSystemClient({}, {});
    await expect(client.request("jira", "/rest/api/3/issue/OPS-42")).rejects.toThrow(
      new ChangeSystemError("Jira is not configured"),
    );
    const slow = createChangeSystemClient(
      { jira: { url: jira.url, email: "bot@example.com", apiToken: "api-token" } },
      {
        timeoutMs: 1,
        fetch: (_input, init) =>
          new Promise((_, reject) =>
            init?.signal?.addEventListener("abort", () => reject(init.signal?.reason)),
          ),
      },
    );
    const error = await slow.request("jira", "/rest/api/3/issue/OPS-42").catch((e: unknown) => e);
    expect(describeFailure(error)).toBe("it did not answer in time");
    expect(describeFailure(new Error("ECONNREFUSED"))).toBe("it could not be reached");
  });
});

describe("asking as the systems ask to be asked", () => {
  const START = Date.parse("2026-03-10T12:00:00Z");
  const NEED = { system: "servicenow" as const, pattern: "CHG[0-9]{7}", in: ["title" as const] };
  const oauth = () => ({
    servicenow: {
      url: sn.url,
      auth: { kind: "oauth" as const, clientId: "client-id", clientSecret: "client-secret" },
    },
  });
  const basicSn = () => ({
    servicenow: {
      url: sn.url,
      auth: { kind: "basic" as const, user: "release-policy", password: "s3cret" },
    },
  });
  const tableReads = () => sn.requests.filter((r) => r.path.startsWith("/api/now/table")).length;
  const tokenRequests = () => sn.requests.filter((r) => r.path === "/oauth_token.do").length;
  const RECORD = { system: "servicenow" as const, number: "CHG0012345", id: "abc123", url: "" };

  it("sends ServiceNow nothing before the time its 429 named, whoever asks, then asks again", async () => {
    let clock = START;
    const client = createChangeSystemClient(basicSn(), { now: () => clock });
    const reader = createChangeRecordReader({}, { client, now: () => clock, cacheMs: 0 });
    sn.failWith = 429;
    sn.retryAfter = "8";
    expect((await reader.read(NEED, "CHG0012345")).error).toBe(
      "ServiceNow answered 429: Too Many Requests, and asked us to wait until 12:00:08 UTC",
    );
    // A look at +2 s and a work note at +4 s: neither is sent.
    clock = START + 2000;
    expect(await reader.read(NEED, "CHG0012345")).toMatchObject({
      error: "ServiceNow asked us to wait until 12:00:08 UTC",
      passing: true,
      askAgainAt: "2026-03-10T12:00:08.000Z",
    });
    clock = START + 4000;
    await expect(writeNote(client, RECORD, "deployed")).rejects.toMatchObject({
      message: "ServiceNow asked us to wait until 12:00:08 UTC",
      status: 429,
      retryAfterMs: 4000,
    });
    expect(tableReads()).toBe(1);
    sn.failWith = undefined;
    clock = START + 8000;
    expect((await reader.read(NEED, "CHG0012345")).found).toBe(true);
    expect(tableReads()).toBe(2);
  });

  it("honours a retry-after given as a date, and a 503's back-off when it names none", async () => {
    let clock = START;
    const client = createChangeSystemClient(basicSn(), { now: () => clock });
    const read = () => client.request("servicenow", "/api/now/table/change_request");
    sn.failWith = 429;
    sn.retryAfter = "Tue, 10 Mar 2026 12:01:00 GMT";
    await expect(read()).rejects.toMatchObject({ waitUntil: Date.parse("2026-03-10T12:01:00Z") });
    clock = START + 59_999;
    await expect(read()).rejects.toThrow("ServiceNow asked us to wait until 12:01:00 UTC");
    expect(tableReads()).toBe(1);

    clock = START + 60_000;
    sn.failWith = 503;
    delete sn.retryAfter;
    await expect(read()).rejects.toThrow("and asked us to wait until 12:01:10 UTC");
    clock = START + 70_000;
    // A second 503 in a row: the back-off doubles.
    await expect(read()).rejects.toThrow("and asked us to wait until 12:01:30 UTC");
    expect(tableReads()).toBe(3);
  });

  it("shares the wait with the app's other instances through the store", async () => {
    const clock = START;
    const store = new MemoryStore();
    const one = createChangeSystemClient(basicSn(), { now: () => clock, store });
    const other = createChangeSystemClient(basicSn(), { now: () => clock, store });
    sn.failWith = 429;
    sn.retryAfter = "8";
    await expect(one.request("servicenow", "/api/now/table/change_request")).rejects.toThrow("429");
    await expect(other.request("servicenow", "/api/now/table/change_request")).rejects.toThrow(
      "ServiceNow asked us to wait until 12:00:08 UTC",
    );
    expect(tableReads()).toBe(1);
  });

  it("takes one new token when ServiceNow revoked the one it holds, and reads with it", async () => {
    const reader = createChangeRecordReader(oauth(), { cacheMs: 0 });
    expect((await reader.read(NEED, "CHG0012345")).found).toBe(true);
    sn.revokeTokens();
    const fact = await reader.read(NEED, "CHG0012345");
    expect(fact.error).toBeUndefined();
    expect(fact.found).toBe(true);
    expect(tokenRequests()).toBe(2);
    expect(sn.requests.at(-1)?.authorization).toBe("Bearer standin-token-2");
    // The fresh token is kept: the next read takes none.
    await reader.read(NEED, "CHG0012345");
    expect(tokenRequests()).toBe(2);
  });

  it("fails, naming the answer, when ServiceNow refuses the fresh token too", async () => {
    const reader = createChangeRecordReader(oauth(), { cacheMs: 0 });
    sn.failWith = 401;
    const fact = await reader.read(NEED, "CHG0012345");
    expect(fact).toMatchObject({ error: "ServiceNow answered 401: Failure" });
    expect(fact.passing).toBeUndefined();
    expect(tokenRequests()).toBe(2);
    expect(tableReads()).toBe(2);
  });
});
