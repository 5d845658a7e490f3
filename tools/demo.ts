/**
 * `npm run demo`: the compiled app, run as a real server against a local stand-in of
 * GitHub, through a scripted story. No network, no GitHub account. Each step says what a
 * developer or release manager does, then shows what GitHub now shows them; the demo exits
 * non-zero as soon as a step's promise is not kept.
 */
import { randomBytes } from "node:crypto";
import { GitHubEvents } from "../test/e2e/github-events.js";
import { startServer, type AppServer } from "../test/e2e/server-process.js";
import { start, type StandIn } from "../test/stand-in/server.js";
import {
  OWNER,
  PULL,
  PULL_REQUEST_POLICY,
  pullRequestStory,
  REPO,
  seedPullRequest,
} from "./demo/pull-request-story.js";
import { deploymentPolicy, deploymentStory, seedMergedChanges } from "./demo/deployment-story.js";
import { DEMO_DESK_INTERVAL, deskStory, seedDesk } from "./demo/desk-story.js";
import { seedChanges, serviceNowEnv } from "./demo/change-record-story.js";
import { startServiceNow, type ServiceNowStandIn } from "../test/stand-in/servicenow.js";
import { bold, dim, red } from "./demo/render.js";
import { DemoFailure, Stage } from "./demo/stage.js";

const APP_ID = 1_234;
/** The webhook secret the demo's app and its GitHub stand-in share: made for this run. */
const SECRET = randomBytes(32).toString("hex");

/** One policy file: the pull-request gates and the deployment gates, merged as YAML text. */
function policyText(now: Date): string {
  const deployment = deploymentPolicy(now);
  const [environments, gates] = deployment.split("gates:\n");
  return `${PULL_REQUEST_POLICY.replace("gates:\n", `${environments ?? ""}gates:\n`)}${gates ?? ""}`;
}

async function main(): Promise<void> {
  let gh: StandIn | undefined;
  let server: AppServer | undefined;
  let sn: ServiceNowStandIn | undefined;
  try {
    gh = await start({ app: { id: APP_ID } });
    sn = await startServiceNow();
    seedChanges(sn, new Date());
    gh.state.addRepo({ owner: OWNER, repo: REPO, installationId: 42 });
    const policy = policyText(new Date());
    gh.state.addFile(OWNER, REPO, "main", ".github/release-policy.yml", policy);
    seedPullRequest(gh);
    const merged = seedMergedChanges(gh);
    seedDesk(gh, 42);

    console.log(bold("Release Policy demo"));
    console.log(dim(`GitHub stand-in at ${gh.url}, ServiceNow stand-in at ${sn.url}`));
    console.log(dim("starting the app (dist/index.js)…"));
    server = await startServer({
      standIn: gh,
      secret: SECRET,
      entry: "dist",
      env: { DESK_EDIT_INTERVAL: DEMO_DESK_INTERVAL, ...serviceNowEnv(sn) },
    });
    console.log(dim(`app listening at ${server.url}`));
    console.log("");
    console.log(`Policy in ${OWNER}/${REPO}:.github/release-policy.yml`);
    for (const line of policy.trimEnd().split("\n")) console.log(dim(`   ${line}`));

    const stage = new Stage(gh, server, OWNER, REPO, PULL);
    const events = new GitHubEvents(gh, OWNER, REPO);
    await pullRequestStory(stage, events);
    await deploymentStory(stage, events, merged, sn);
    await deskStory(stage);
    stage.verdict();
  } catch (error) {
    console.error("");
    if (error instanceof DemoFailure) console.error(red(bold(`Demo failed: ${error.message}`)));
    else console.error(red(bold("Demo crashed:")), error);
    if (server) console.error(dim(`--- app output ---\n${server.output()}`));
    process.exitCode = 1;
  } finally {
    await server?.stop();
    await gh?.close();
    await sn?.close();
  }
}

await main();
