// Webhooks are the app's only input that acts: a delivery signed with a secret anyone knows is
// a forged tick, approval or sign-off. Probot checks signatures against `development` when
// WEBHOOK_SECRET is unset, so a server with the app's credentials (APP_ID and a private key)
// must not start without a secret of its own, whatever NODE_ENV says. The real server
// process, against the GitHub stand-in.
import { jest } from "@jest/globals";
import { start, type StandIn } from "../stand-in/server.js";
import { GitHubEvents } from "../e2e/github-events.js";
import { startServer, waitFor, type AppServer } from "../e2e/server-process.js";

jest.setTimeout(120_000);

const OWNER = "acme";
const REPO = "shop";
const PUBLIC_SECRET = "development";
const POLICY = `gates:
  change-record:
    stage: pull_request
    require: { pattern: "CHG[0-9]{7}" }
`;

let gh: StandIn;
let events: GitHubEvents;
let headSha: string;

beforeAll(async () => {
  gh = await start({ app: { id: 4712 } });
  gh.state.addRepo({ owner: OWNER, repo: REPO, installationId: 42 });
  gh.state.addFile(OWNER, REPO, "main", ".github/release-policy.yml", POLICY);
  headSha = gh.state.addPullRequest(OWNER, REPO, {
    number: 7,
    title: "CHG0001234: faster checkout",
    author: "alice",
  }).headSha;
  events = new GitHubEvents(gh, OWNER, REPO);
});

afterAll(async () => {
  await gh?.close();
});

const ownRuns = () => gh.state.ownCheckRuns(OWNER, REPO, headSha);

/**
 * Starts the server with credentials and `secret`. If it comes up, sends it a pull request
 * signed with Probot's public default secret and reports whether the app acted on it.
 */
async function startWith(
  secret: string,
): Promise<
  { started: false; error: string; fatal: string[] } | { started: true; actedOn: boolean }
> {
  let server: AppServer;
  try {
    server = await startServer({ standIn: gh, secret, env: { NODE_ENV: "development" } });
  } catch (error) {
    const output = (error as Error).message;
    return { started: false, error: output.split("\n")[0] ?? "", fatal: fatalLines(output) };
  }
  try {
    const forged = events.opened(7);
    const sent = await server.deliver(forged.event, forged.payload, { secret: PUBLIC_SECRET });
    const actedOn =
      sent.status < 300 &&
      (await waitFor("the forged delivery's check run", () => ownRuns()[0]).then(
        () => true,
        () => false,
      ));
    return { started: true, actedOn };
  } finally {
    await server.stop();
  }
}

/** The messages of the JSON log lines at level fatal. */
function fatalLines(output: string): string[] {
  return output
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { level: number; msg: string })
    .filter((line) => line.level === 60)
    .map((line) => line.msg);
}

describe("a server with credentials", () => {
  test.each([
    ["without a webhook secret", "", /could not start: WEBHOOK_SECRET is missing/],
    [
      "with Probot's public default secret",
      PUBLIC_SECRET,
      /could not start: WEBHOOK_SECRET is "development", Probot's public default/,
    ],
  ])("%s exits 1 with the variable and how to make one", async (_, secret, message) => {
    const outcome = await startWith(secret);
    expect(outcome).toEqual({
      started: false,
      error: "server exited with 1",
      fatal: [expect.stringMatching(message)],
    });
    expect(outcome.started || outcome.fatal[0]).toMatch(/openssl rand -hex 32/);
    expect(ownRuns()).toEqual([]);
  });

  test("with a secret of its own refuses a delivery signed with the public one", async () => {
    const secret = "a-secret-of-its-own";
    const server = await startServer({ standIn: gh, secret, env: { NODE_ENV: "development" } });
    try {
      const forged = events.opened(7);
      const refused = await server.deliver(forged.event, forged.payload, {
        secret: PUBLIC_SECRET,
      });
      expect(refused.status).toBe(400);
      expect(ownRuns()).toEqual([]);
      // The same delivery, signed as GitHub signs it, is acted on: the refusal was the secret.
      const genuine = await server.deliver(forged.event, forged.payload);
      expect(genuine.status).toBe(200);
      const run = await waitFor("the genuine delivery's check run", () => ownRuns()[0], {
        explain: server.output,
      });
      expect(run).toMatchObject({ name: "release-policy" });
      expect(ownRuns()).toHaveLength(1);
    } finally {
      await server.stop();
    }
  });
});
