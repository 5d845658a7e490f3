// What the environment must hold to start: production refuses what would let anyone sign
// webhooks (in development too, once there are credentials), and a configured key must parse.
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Probot } from "probot";
import { buildDeps } from "../../src/app-deps.js";
import { checkStartEnv, hasCredentials, StartCheckFailed } from "../../src/start-checks.js";

const KEY = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
}).privateKey;

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), "start-checks-"));
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

const production = { NODE_ENV: "production", APP_ID: "1", PRIVATE_KEY: KEY };

function failure(env: Record<string, string>): string {
  try {
    checkStartEnv(env, cwd);
  } catch (error) {
    expect(error).toBeInstanceOf(StartCheckFailed);
    return (error as Error).message;
  }
  throw new Error("expected the start check to fail");
}

describe("in production", () => {
  test("a missing webhook secret stops start-up, naming the variable and the fix", () => {
    expect(failure(production)).toMatch(/^WEBHOOK_SECRET is missing.*openssl rand -hex 32/);
    expect(failure({ ...production, WEBHOOK_SECRET: "" })).toMatch(/^WEBHOOK_SECRET is missing/);
  });

  test("Probot's public default secret stops start-up", () => {
    expect(failure({ ...production, WEBHOOK_SECRET: "development" })).toMatch(
      /^WEBHOOK_SECRET is "development".*openssl rand -hex 32/,
    );
  });

  test("a secret of its own starts without a word; a development proxy is worth one", () => {
    expect(checkStartEnv({ ...production, WEBHOOK_SECRET: "s3cret" }, cwd)).toEqual([]);
    const warnings = checkStartEnv(
      { ...production, WEBHOOK_SECRET: "s3cret", WEBHOOK_PROXY_URL: "https://smee.io/abc" },
      cwd,
    );
    expect(warnings).toEqual([expect.stringMatching(/^WEBHOOK_PROXY_URL is set/)]);
  });

  test("the checklist signing key is never random", () => {
    const before = process.env.NODE_ENV;
    process.env.NODE_ENV = "production";
    try {
      expect(() =>
        buildDeps({ appId: 1, secret: "" }, new Probot({ appId: 1, privateKey: KEY })),
      ).toThrow(/WEBHOOK_SECRET is required/);
    } finally {
      process.env.NODE_ENV = before;
    }
  });
});

describe("a private key", () => {
  test.each([
    [
      "PEM armour around no key",
      `-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----`,
    ],
    ["text that is no PEM at all", "my-key"],
  ])("%s is a one-line error, in development too", (_, key) => {
    const message = failure({ APP_ID: "1", PRIVATE_KEY: key, WEBHOOK_SECRET: "s" });
    expect(message).toMatch(/^PRIVATE_KEY/);
    expect(message).not.toContain("\n");
  });

  test("a PRIVATE_KEY_PATH that names no file is a one-line error", () => {
    const message = failure({ APP_ID: "1", PRIVATE_KEY_PATH: "nowhere.pem" });
    expect(message).toMatch(/^PRIVATE_KEY_PATH \(nowhere\.pem\): .*does not exist/);
  });

  test("a key file that is not a key is one too", () => {
    writeFileSync(join(cwd, "app.pem"), "not a key");
    expect(failure({ APP_ID: "1", PRIVATE_KEY_PATH: "app.pem" })).toMatch(
      /^PRIVATE_KEY_PATH \(app\.pem\) does not hold a valid private key/,
    );
    // Probot also finds a lone *.pem in the working directory.
    expect(failure({ APP_ID: "1" })).toMatch(/^the \*\.pem file in the working directory/);
  });

  test("GitHub's key, from the variable (with escaped newlines) or a file, passes", () => {
    const env = { APP_ID: "1", PRIVATE_KEY: KEY.replace(/\n/g, "\\n"), WEBHOOK_SECRET: "s" };
    expect(checkStartEnv(env, cwd)).toEqual([]);
    writeFileSync(join(cwd, "app.pem"), KEY);
    expect(
      checkStartEnv({ APP_ID: "1", PRIVATE_KEY_PATH: "app.pem", WEBHOOK_SECRET: "s" }, cwd),
    ).toEqual([]);
    expect(hasCredentials({ APP_ID: "1", PRIVATE_KEY_PATH: "app.pem" }, cwd)).toBe(true);
  });
});

describe("outside production", () => {
  test("without credentials it is the registration flow, and no warning", () => {
    expect(hasCredentials({}, cwd)).toBe(false);
    expect(hasCredentials({ PRIVATE_KEY: KEY }, cwd)).toBe(false);
    expect(checkStartEnv({}, cwd)).toEqual([]);
  });

  test("credentials without a secret of their own stop start-up as in production", () => {
    expect(failure({ APP_ID: "1", PRIVATE_KEY: KEY })).toMatch(
      /^WEBHOOK_SECRET is missing, and is required once the app has credentials/,
    );
    expect(failure({ APP_ID: "1", PRIVATE_KEY: KEY, WEBHOOK_SECRET: "development" })).toMatch(
      /^WEBHOOK_SECRET is "development"/,
    );
    expect(checkStartEnv({ APP_ID: "1", PRIVATE_KEY: KEY, WEBHOOK_SECRET: "s" }, cwd)).toEqual([]);
  });
});
