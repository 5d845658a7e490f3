import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import {
  answerError,
  ChangeSystemError,
  createChangeSystemClient,
  describeFailure,
} from "../../src/change-systems/client.js";
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
    const client = createChangeSystemClient({
      servicenow: {
        url: sn.url,
        auth: { kind: "basic", user: "release-policy", password: "wrong-secret" },
      },
      jira: { url: jira.url, email: "bot@example.com", apiToken: "api-token" },
    });
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
    const limited = await answerError(
      "jira",
      await client.request("jira", "/rest/api/3/issue/OPS-42"),
    );
    expect(limited).toMatchObject({
      message: "Jira answered 429: Rate limit exceeded.",
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
