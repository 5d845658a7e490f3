/**
 * The performance budget, line by line, judged from the measured runs. Each line says what
 * was measured, so a failure names its number.
 */
import type { Run } from "./main.js";
import { isAuth, isWrite } from "./measure.js";
import { LAST_APPROVAL_S } from "./scenarios/deploy-burst.js";
import type { Scenario } from "./scenarios/scenario.js";
import { stepLog } from "./table.js";

export interface Line {
  name: string;
  pass: boolean;
  measured: string;
}

/** Kinds of lifecycle events that cannot change a gate (or are the app's own writes). */
const FREE_KINDS = ["check (unnamed)", "echo", "merge"];
const RSS_LIMIT_MB = 200;
/** A second identical burst may not leave the heap bigger by more than this. */
const LEAK_MB = 10;

export function checkBudget(scenario: Scenario, ours: Run, floor: Run): Line[] {
  const lines: Line[] = [
    {
      name: `${scenario.name}: CPU per event ≤ 1.3× the same-requests floor`,
      pass: ours.cpuMsPerEvent <= 1.3 * floor.cpuMsPerEvent,
      measured: `${ours.cpuMsPerEvent.toFixed(2)} ms vs ${floor.cpuMsPerEvent.toFixed(2)} ms (${(ours.cpuMsPerEvent / floor.cpuMsPerEvent).toFixed(2)}×)`,
    },
    {
      name: `${scenario.name}: no write repeats an unchanged result`,
      pass: ours.repeats.length === 0,
      measured: `${ours.repeats.length} repeated: ${ours.repeats
        .slice(0, 3)
        .map((e) => `${e.method} ${e.path}`)
        .join(", ")}`,
    },
    {
      name: `${scenario.name}: finishes with the right result, no refused request`,
      pass: ours.problems.length === 0,
      measured: ours.problems.length === 0 ? "ok" : ours.problems.join("; "),
    },
  ];
  if (scenario.name.startsWith("PR lifecycle")) lines.push(...lifecycleLines(ours));
  if (scenario.name.startsWith("burst")) lines.push(...burstLines(ours));
  if (scenario.name.startsWith("policy change")) lines.push(...policyChangeLines(ours));
  if (scenario.name.startsWith("deploy burst")) lines.push(...deployBurstLines(ours));
  return lines;
}

function requestsOfKind(run: Run, kind: string): number[] {
  return run.steps
    .filter((step) => step.events[0]?.kind === kind)
    .map((step) => stepLog(run, step.from, step.to).length);
}

function lifecycleLines(run: Run): Line[] {
  const free = FREE_KINDS.flatMap((kind) => requestsOfKind(run, kind));
  const min = run.minimum.reads + run.minimum.writes;
  const held = requestsOfKind(run, "deploy: held");
  const approval = requestsOfKind(run, "deploy: approval");
  return [
    {
      name: "events that cannot change a gate, and echoes of our writes, cost 0 requests",
      pass: free.every((n) => n === 0),
      measured: `${free.filter((n) => n > 0).length} of ${free.length} such events made requests (${free.reduce((a, b) => a + b, 0)} in all)`,
    },
    {
      name: "PR lifecycle ≤ 1.3× the minimum requests",
      pass: run.requests.total <= 1.3 * min,
      measured: `${run.requests.total} vs minimum ${min} (${(run.requests.total / min).toFixed(2)}×)`,
    },
    {
      name: "held protection decision ≤ 3 requests (policy cached)",
      pass: held.length > 0 && held.every((n) => n <= 3),
      measured: `${held.join(", ")} requests`,
    },
    {
      name: "protection approval ≤ 4 requests",
      pass: approval.length > 0 && approval.every((n) => n <= 4),
      measured: `${approval.join(", ")} requests`,
    },
  ];
}

function burstLines(run: Run): Line[] {
  const writesPerPull = new Map<string, number>();
  const evaluationsPerPull = new Map<string, number>();
  for (const e of run.log) {
    const pull = /^\/repos\/([^/]+\/[^/]+)\/pulls\/(\d+)\/reviews$/.exec(e.path);
    if (pull) {
      const key = `${pull[1]}#${pull[2]}`.toLowerCase();
      evaluationsPerPull.set(key, (evaluationsPerPull.get(key) ?? 0) + 1);
    }
  }
  const writes = run.log.filter((e) => isWrite(e) && !isAuth(e));
  for (const w of writes) {
    const key = `${w.path.split("/").slice(2, 4).join("/")}:${w.route}:${JSON.stringify((w.body as { head_sha?: string })?.head_sha ?? w.path)}`;
    writesPerPull.set(key, (writesPerPull.get(key) ?? 0) + 1);
  }
  const pulls = new Set(run.events.map((e) => e.subject)).size;
  const maxEvaluations = Math.max(0, ...evaluationsPerPull.values());
  const byInstallation = new Map<number, number[]>();
  for (const w of writes) {
    const list = byInstallation.get(w.installationId ?? 0) ?? [];
    list.push(w.start);
    byInstallation.set(w.installationId ?? 0, list);
  }
  const span = (list: number[]) => (Math.max(...list) - Math.min(...list)) / 1000;
  const all = writes.map((w) => w.start);
  const longest = Math.max(0, ...[...byInstallation.values()].map(span));
  const independent = writes.length < 4 || span(all) <= longest * 1.2 + 2;
  return [
    {
      name: "burst: one evaluation per PR",
      pass: maxEvaluations <= 1,
      measured: `${run.log.filter((e) => /\/pulls\/\d+\/reviews$/.test(e.path)).length} evaluations for ${pulls} PRs (at most ${maxEvaluations} for one)`,
    },
    {
      name: "burst: at most one write per PR",
      pass: writes.length <= pulls,
      measured: `${writes.length} writes for ${pulls} PRs`,
    },
    {
      name: "burst: installations' writes do not queue behind one another",
      pass: independent,
      measured: `writes per installation ${[...byInstallation].map(([id, l]) => `${id}: ${l.length} over ${span(l).toFixed(1)} s`).join(", ")}; all ${writes.length} over ${writes.length > 0 ? span(all).toFixed(1) : 0} s`,
    },
    {
      name: `burst: RSS < ${RSS_LIMIT_MB} MB at the end`,
      pass: run.rssEndMb < RSS_LIMIT_MB,
      measured: `${run.rssEndMb.toFixed(0)} MB at the end (peak ${run.peakRssMb.toFixed(0)} MB, after GC ${run.rssAfterMb.toFixed(0)} MB)`,
    },
    {
      // What the app keeps is its heap after a full GC: RSS also counts pages the allocator
      // keeps after the first large burst, which a second one reuses rather than adds to.
      name: `burst: no growth across a second identical burst (heap after GC, ≤ ${LEAK_MB} MB)`,
      pass: run.heapAgainMb !== undefined && run.heapAgainMb - run.heapAfterMb <= LEAK_MB,
      measured: `heap after GC ${run.heapAfterMb.toFixed(1)} → ${run.heapAgainMb?.toFixed(1)} MB (RSS ${run.rssAfterMb.toFixed(0)} → ${run.rssAgainMb?.toFixed(0)} MB)`,
    },
  ];
}

/** GitHub gives up on a webhook after 10 s; the app answers deployment webhooks first. */
const DEPLOY_ANSWER_P95_MS = 1000;

function deployBurstLines(run: Run): Line[] {
  const lastApprovalS = run.figures[LAST_APPROVAL_S];
  const writes = run.log.filter((e) => isWrite(e) && !isAuth(e)).length;
  return [
    {
      name: `deploy burst: webhook answer p95 ≤ ${DEPLOY_ANSWER_P95_MS} ms`,
      pass: run.answers.p95 <= DEPLOY_ANSWER_P95_MS,
      measured: `p50 ${run.answers.p50.toFixed(0)} ms, p95 ${run.answers.p95.toFixed(0)} ms`,
    },
    {
      // Writes are spaced about a second apart per installation (GitHub's secondary limits):
      // the last approval comes once the writes ahead of it are through, not later.
      name: "deploy burst: the last run is approved within a second per write after the last review",
      pass: lastApprovalS !== undefined && lastApprovalS <= writes + 5,
      measured:
        lastApprovalS === undefined
          ? "not measured"
          : `${lastApprovalS.toFixed(1)} s after the last review, ${writes} writes for ${run.figures.runs} runs`,
    },
  ];
}

function policyChangeLines(run: Run): Line[] {
  const l = run.limits;
  return [
    {
      name: "policy change within GitHub's secondary limits (≤ 100 concurrent, ≤ 80 writes/min, ≤ 900 points/min/endpoint)",
      pass: l.peakConcurrent <= 100 && l.peakWritesPerMinute <= 80 && l.peakEndpointPoints <= 900,
      measured: `${l.peakConcurrent} concurrent, ${l.peakWritesPerMinute} writes/min, ${l.peakEndpointPoints} points/min on one endpoint`,
    },
  ];
}
