/** Prints one run as a row of the table, our app's requests by route, and per-event counts. */
import type { Run } from "./main.js";
import { MINIMUM_READS } from "./scenarios/lifecycle.js";

const ms = (n: number) => (Number.isNaN(n) ? "—" : `${Math.round(n)}`);

let headerPrinted = false;

export function printRun(run: Run): void {
  if (!headerPrinted) {
    headerPrinted = true;
    console.log(
      "app | events | requests (reads/writes) | req/event | CPU ms/event | peak RSS MB | write latency p50/p95 ms | answer p95 ms | run s",
    );
  }
  const r = run.requests;
  console.log(
    [
      run.app,
      run.events.length,
      `${r.total} (${r.reads}/${r.writes})${r.auth ? ` +${r.auth} token` : ""}`,
      (r.total / Math.max(1, run.events.length)).toFixed(2),
      run.cpuMsPerEvent.toFixed(2),
      run.peakRssMb.toFixed(0),
      `${ms(run.latency.p50)}/${ms(run.latency.p95)}`,
      ms(run.answers.p95),
      run.durationS.toFixed(1),
    ].join(" | "),
  );
  if (run.app !== "release-policy") return;
  const m = run.minimum;
  console.log(
    `  minimum: ${m.reads + m.writes} (${m.reads}/${m.writes}), measured/minimum ${(r.total / (m.reads + m.writes)).toFixed(2)}× — ${m.how}`,
  );
  console.log(`  by route: ${r.byRoute.map((x) => `${x.route} ×${x.count}`).join("; ")}`);
  const l = run.limits;
  console.log(
    `  limits: peak concurrent ${l.peakConcurrent}, peak writes/min/installation ${l.peakWritesPerMinute}, ` +
      `peak points/min/endpoint ${l.peakEndpointPoints}, min write gap ${ms(l.minWriteGapMs)} ms; ` +
      `repeated writes ${run.repeats.length}`,
  );
  for (const problem of run.problems) console.log(`  problem: ${problem}`);
}

/** Lifecycle only (one webhook per step): requests per kind of event against the minimum. */
export function printLifecycleEvents(run: Run): void {
  const kinds = new Map<string, { events: number; reads: number; writes: number }>();
  for (const step of run.steps) {
    const kind = step.events[0]?.kind ?? "?";
    const row = kinds.get(kind) ?? { events: 0, reads: 0, writes: 0 };
    row.events += step.events.length;
    const made = stepLog(run, step.from, step.to);
    row.reads += made.filter((e) => e.method === "GET").length;
    row.writes += made.filter((e) => e.method !== "GET").length;
    kinds.set(kind, row);
  }
  console.log("  per event kind: kind | events | reads/writes | minimum reads");
  for (const [kind, row] of kinds) {
    console.log(
      `    ${kind} | ${row.events} | ${row.reads}/${row.writes} | ${(MINIMUM_READS[kind] ?? 0) * row.events}`,
    );
  }
}

/** The run's log covers the measured window only; steps index the whole proxy log. */
export function stepLog(run: Run, from: number, to: number) {
  const offset = run.steps[0]?.from ?? 0;
  return run.log.slice(from - offset, to - offset).filter((e) => !e.route.startsWith("POST /app/"));
}
