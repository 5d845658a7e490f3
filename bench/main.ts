/**
 * `npm run bench [-- --quick] [-- --only=<scenario name prefix>]`: replays four scenarios
 * (a pull request's life, a burst, a policy change, a deployment burst) against the real app process and
 * the GitHub stand-in, and against two floors on the same webhooks; prints one table and
 * the budget, and exits non-zero when a budget line fails. `--only=glob` runs only the glob
 * matching case (hostile globs against 4 KB paths, in this process).
 */
import { cpus } from "node:os";
import { startApp, type AppName } from "./app-process.js";
import { checkBudget, type Line } from "./budget.js";
import {
  answerTimes,
  countRequests,
  isAuth,
  isWrite,
  latency,
  limitFigures,
  repeatedWrites,
  type LimitFigures,
  type Latency,
  type Requests,
} from "./measure.js";
import { GLOB_BENCH, globLines } from "./globs.js";
import { startProxy, type Exchange } from "./proxy.js";
import { Runner, type SentEvent } from "./runner.js";
import { burst } from "./scenarios/burst.js";
import { deployBurst } from "./scenarios/deploy-burst.js";
import { lifecycle } from "./scenarios/lifecycle.js";
import { policyChange } from "./scenarios/policy-change.js";
import type { Minimum, Scenario } from "./scenarios/scenario.js";
import { printRun, printLifecycleEvents } from "./table.js";
import { APP_ID, freshStandIn } from "./world.js";

export interface Run {
  scenario: string;
  app: AppName;
  events: SentEvent[];
  steps: Runner["steps"];
  log: Exchange[];
  requests: Requests;
  cpuMsPerEvent: number;
  peakRssMb: number;
  /** RSS right at the end of the run, and after a full GC. */
  rssEndMb: number;
  rssAfterMb: number;
  /** After a second identical burst (burst only), in MB after a full GC. */
  rssAgainMb?: number;
  /** Heap in use after a full GC, after the run and after a second identical one. */
  heapAfterMb: number;
  heapAgainMb?: number;
  latency: Latency;
  answers: Latency;
  durationS: number;
  repeats: Exchange[];
  limits: LimitFigures;
  problems: string[];
  minimum: Minimum;
  /** The scenario's own figures (World.figures). */
  figures: Record<string, number>;
}

const MB = 1024 * 1024;

async function runOnce(
  scenario: Scenario,
  app: AppName,
  env: Record<string, string> = {},
): Promise<Run> {
  const gh = await freshStandIn();
  const proxy = await startProxy(gh);
  const world = await scenario.seed(gh);
  const child = await startApp({ name: app, gheHost: proxy.gheHost, appId: APP_ID, env });
  try {
    // Release Policy answers pull-request webhooks before evaluating (src/handlers/timing.ts),
    // so a step ends only after a long silence; the floors' steps wait as long, so that CPU
    // per event compares runs of the same length (an idle process still spends some).
    const answersFirst = { answersFirst: true };
    const warm = new Runner(child, proxy, answersFirst);
    for (const webhook of world.warmups) await warm.one(webhook);
    const from = proxy.log.length;
    proxy.resetPeak();
    const before = await child.probe({ gc: true, resetPeak: true });
    const runner = new Runner(child, proxy, answersFirst);
    const started = performance.now();
    await world.play(runner);
    const durationS = (performance.now() - started) / 1000;
    const to = proxy.log.length;
    const peak = await child.probe();
    const after = await child.probe({ gc: true });
    const problems = app === "release-policy" ? world.expect() : [];
    let againProbe: { rssBytes: number; heapUsedBytes: number } | undefined;
    const again = (world as { again?: (r: Runner) => Promise<void> }).again;
    if (again && app === "release-policy") {
      await again(new Runner(child, proxy, answersFirst));
      againProbe = await child.probe({ gc: true });
    }
    proxy.resolveRoutes();
    const log = proxy.log.slice(from, to);
    const events = runner.events;
    const visible = log.filter((e) => isWrite(e) && !isAuth(e)).length;
    const repeats = repeatedWrites(gh, log);
    problems.push(
      ...gh.violations().map((v) => `stand-in violation: ${v.method} ${v.path}: ${v.reason}`),
      ...gh.unmodelled().map((u) => `unmodelled request: ${u.route}`),
    );
    return {
      scenario: scenario.name,
      app,
      events,
      steps: runner.steps,
      log,
      requests: countRequests(log),
      cpuMsPerEvent: (after.cpuMicros - before.cpuMicros) / 1000 / Math.max(1, events.length),
      peakRssMb: peak.peakRssBytes / MB,
      rssEndMb: peak.rssBytes / MB,
      rssAfterMb: after.rssBytes / MB,
      heapAfterMb: after.heapUsedBytes / MB,
      ...(againProbe === undefined
        ? {}
        : { rssAgainMb: againProbe.rssBytes / MB, heapAgainMb: againProbe.heapUsedBytes / MB }),
      latency: latency(gh, proxy.log, runner.steps),
      answers: answerTimes(events),
      durationS,
      repeats,
      limits: limitFigures(log, proxy.peakInFlight()),
      problems,
      minimum: scenario.minimum(events, visible - repeats.length),
      figures: world.figures?.() ?? {},
    };
  } catch (error) {
    console.error(child.output());
    throw error;
  } finally {
    await child.stop();
    await proxy.close();
    await gh.close();
  }
}

async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const all = quick
    ? [lifecycle, burst(20), policyChange(50), deployBurst(20)]
    : [lifecycle, burst(100), policyChange(500), deployBurst(20)];
  const only = process.argv.find((arg) => arg.startsWith("--only="))?.slice("--only=".length);
  const scenarios = only ? all.filter((s) => s.name.startsWith(only)) : all;
  console.log(
    `Release Policy bench${quick ? " (--quick)" : ""}: node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? "?"})`,
  );
  const lines: Line[] = [];
  const started = performance.now();
  for (const scenario of scenarios) {
    console.log(`\n## ${scenario.name}`);
    const ours = await runOnce(scenario, "release-policy");
    printRun(ours);
    if (scenario === lifecycle) printLifecycleEvents(ours);
    const events = Math.max(1, ours.events.length);
    const noop = await runOnce(scenario, "floor: no-op");
    printRun(noop);
    const same = await runOnce(scenario, "floor: same requests", {
      BENCH_READS_PER_EVENT: String(ours.requests.reads / events),
      BENCH_WRITES_PER_EVENT: String(ours.requests.writes / events),
    });
    printRun(same);
    lines.push(...checkBudget(scenario, ours, same));
  }
  if (!only || GLOB_BENCH.startsWith(only)) {
    console.log(`\n## ${GLOB_BENCH}`);
    lines.push(...globLines());
  }
  console.log(`\n## Budget (${((performance.now() - started) / 1000).toFixed(0)} s in all)`);
  for (const line of lines) {
    console.log(`${line.pass ? "PASS" : "FAIL"}  ${line.name}: ${line.measured}`);
  }
  const failed = lines.filter((line) => !line.pass);
  if (failed.length > 0) {
    console.log(`\n${failed.length} budget line(s) failed.`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 2;
});
