// `release-policy doctor` against the ServiceNow and Jira stand-ins on 127.0.0.1, with the
// environment the server reads: every setting checked, what to fix named, no value printed.
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startJira, type JiraStandIn } from "../stand-in/jira.js";
import { startServiceNow, type ServiceNowStandIn } from "../stand-in/servicenow.js";
import { runCli, type Run } from "./run-cli.js";

const NOW = new Date("2026-11-26T10:00:00Z");
const WEBHOOK_SECRET = "webhook-secret-7f3a9c";
const PASSWORD = "s3cret";
const API_TOKEN = "api-token";

let dir: string;
let snow: ServiceNowStandIn;
let jira: JiraStandIn;
let pem: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "doctor-"));
  pem = generateKeyPairSync("rsa", { modulusLength: 2048 })
    .privateKey.export({ type: "pkcs1", format: "pem" })
    .toString();
  await writeFile(join(dir, "app.pem"), pem);
  snow = await startServiceNow();
  jira = await startJira();
  snow.put("CHG0000001");
  snow.put("CHG0000002", { state: "Assess", approval: "Requested" });
  jira.issues.set("OPS-42", { key: "OPS-42", summary: "Release shop 4.2", status: "Approved" });
});

afterAll(async () => {
  await Promise.all([snow.close(), jira.close()]);
  await rm(dir, { recursive: true, force: true });
});

function goodEnv(): Record<string, string | undefined> {
  return {
    APP_ID: "12345",
    PRIVATE_KEY_PATH: join(dir, "app.pem"),
    WEBHOOK_SECRET,
    DATA_DIR: join(dir, "data"),
    SERVICENOW_URL: snow.url,
    SERVICENOW_USER: "release-policy",
    SERVICENOW_PASSWORD: PASSWORD,
    JIRA_URL: jira.url,
    JIRA_EMAIL: "bot@example.com",
    JIRA_API_TOKEN: API_TOKEN,
  };
}

const doctor = (env: Record<string, string | undefined>, ...args: string[]): Promise<Run> =>
  runCli(["doctor", ...args], { cwd: dir, env, now: NOW });

/** The line of one check: "ok    servicenow credentials  …". */
function line(run: Run, check: string): string {
  const found = run.stdout.split("\n").find((l) => l.slice(6).startsWith(`${check} `));
  if (found === undefined) throw new Error(`no "${check}" line in:\n${run.stdout}`);
  return found;
}

/** No setting's value appears in what the command prints. */
function expectNoSecrets(run: Run): void {
  const printed = run.stdout + run.stderr;
  for (const secret of [PASSWORD, API_TOKEN, WEBHOOK_SECRET, pem.split("\n")[1] ?? pem]) {
    expect(printed).not.toContain(secret);
  }
  expect(printed).not.toContain(Buffer.from(`release-policy:${PASSWORD}`).toString("base64"));
}

describe("release-policy doctor", () => {
  it("passes a good configuration, one ok line per check", async () => {
    const run = await doctor(goodEnv());
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    for (const check of [
      "github app",
      "webhook secret",
      "store",
      "servicenow reached",
      "servicenow credentials",
      "servicenow change_request",
      "servicenow states",
      "jira reached",
      "jira credentials",
      "jira states",
    ]) {
      expect(line(run, check)).toMatch(/^ok {4}/);
    }
    expect(line(run, "servicenow states")).toContain("New, Assess, Authorize, Scheduled");
    expect(line(run, "jira states")).toContain("Awaiting approval");
    expect(run.stdout).not.toMatch(/^FAIL/m);
    expectNoSecrets(run);
  });

  it("names SERVICENOW_PASSWORD when ServiceNow refuses the password", async () => {
    const run = await doctor({ ...goodEnv(), SERVICENOW_PASSWORD: "wrong-password" });
    expect(run.code).toBe(1);
    expect(line(run, "servicenow reached")).toMatch(/^ok/);
    expect(line(run, "servicenow credentials")).toMatch(/^FAIL .*SERVICENOW_PASSWORD/);
    expect(run.stdout).not.toContain("wrong-password");
    expect(line(run, "jira credentials")).toMatch(/^ok/);
    expectNoSecrets(run);
  });

  it("names the OAuth client when ServiceNow refuses its token request", async () => {
    const env = { ...goodEnv(), SERVICENOW_CLIENT_ID: "client-id" };
    const run = await doctor({ ...env, SERVICENOW_CLIENT_SECRET: "wrong-client-secret" });
    expect(run.code).toBe(1);
    expect(line(run, "servicenow credentials")).toMatch(/^FAIL .*SERVICENOW_CLIENT_SECRET/);
    expect(run.stdout).not.toContain("wrong-client-secret");
    const good = await doctor({ ...env, SERVICENOW_CLIENT_SECRET: snow.client.secret });
    expect(line(good, "servicenow credentials")).toMatch(/^ok/);
  });

  it("fails a missing or default webhook secret, with the fix", async () => {
    const missing = await doctor({ ...goodEnv(), WEBHOOK_SECRET: undefined });
    expect(missing.code).toBe(1);
    expect(line(missing, "webhook secret")).toMatch(/^FAIL .*WEBHOOK_SECRET is missing/);
    expect(line(missing, "webhook secret")).toContain("openssl rand -hex 32");
    const known = await doctor({ ...goodEnv(), WEBHOOK_SECRET: "development" });
    expect(line(known, "webhook secret")).toMatch(/^FAIL .*public default/);
  });

  it("fails a private key that is not a PEM key, and a missing APP_ID", async () => {
    await writeFile(join(dir, "bad.pem"), "not a key");
    const bad = await doctor({ ...goodEnv(), PRIVATE_KEY_PATH: join(dir, "bad.pem") });
    expect(bad.code).toBe(1);
    expect(line(bad, "github app")).toMatch(/^FAIL .*PRIVATE_KEY/);
    const noId = await doctor({ ...goodEnv(), APP_ID: undefined });
    expect(line(noId, "github app")).toMatch(/^FAIL .*APP_ID is not set/);
  });

  it("judges a change number as the change_record gate would", async () => {
    const approved = await doctor(goodEnv(), "--change", "CHG0000001");
    expect(approved.code).toBe(0);
    expect(line(approved, "servicenow CHG0000001")).toMatch(/^ok .*Implement, approval Approved/);

    const waiting = await doctor(goodEnv(), "--change", "CHG0000002");
    expect(waiting.code).toBe(1);
    expect(line(waiting, "servicenow CHG0000002")).toMatch(
      /^FAIL .*CHG0000002 is in state Assess; this gate needs Scheduled or Implement/,
    );

    const missing = await doctor(goodEnv(), "--change", "CHG0000404");
    expect(line(missing, "servicenow CHG0000404")).toMatch(/^FAIL .*does not exist/);

    const jiraKey = await doctor(goodEnv(), "--change", "OPS-42", "--states", "Approved");
    expect(jiraKey.code).toBe(0);
    expect(line(jiraKey, "jira OPS-42")).toMatch(/^ok .*Approved/);
    expect(jiraKey.stdout).not.toContain("servicenow OPS-42");
  });

  it("fails a counted state the instance does not display", async () => {
    const run = await doctor(goodEnv(), "--states", "Implement,Deploying");
    expect(run.code).toBe(1);
    expect(line(run, "servicenow states")).toMatch(/^FAIL .*Deploying is not among them/);
  });

  it("fails a change table the account cannot read, naming the role", async () => {
    snow.failWith = 403;
    try {
      const run = await doctor(goodEnv());
      expect(run.code).toBe(1);
      expect(line(run, "servicenow credentials")).toMatch(/^ok/);
      expect(line(run, "servicenow change_request")).toMatch(/^FAIL .*itil/);
    } finally {
      delete snow.failWith;
    }
  });

  it("skips what is not configured, and fails a URL without credentials", async () => {
    const run = await doctor({
      ...goodEnv(),
      JIRA_URL: undefined,
      SERVICENOW_PASSWORD: undefined,
    });
    expect(run.code).toBe(1);
    expect(line(run, "jira")).toMatch(/^skip .*not configured/);
    expect(line(run, "servicenow")).toMatch(/^FAIL .*SERVICENOW_URL is set .*SERVICENOW_PASSWORD/);
  });

  const withRedis = process.env.REDIS_URL ? it : it.skip;
  withRedis("passes a Redis that answers PING", async () => {
    const run = await doctor({ ...goodEnv(), REDIS_URL: process.env.REDIS_URL });
    expect(line(run, "store")).toMatch(/^ok .*PING/);
  });

  it("fails a Redis that does not answer", async () => {
    const run = await doctor({ ...goodEnv(), REDIS_URL: "redis://127.0.0.1:1" });
    expect(run.code).toBe(1);
    expect(line(run, "store")).toMatch(/^FAIL .*REDIS_URL/);
  });

  it("refuses an unknown argument", async () => {
    const run = await doctor(goodEnv(), "--bogus");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown argument "--bogus"');
  });
});
