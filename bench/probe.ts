/**
 * Loaded into the measured app process with `--import` (never part of the app): answers the
 * bench over the IPC channel with the process's own CPU time and memory, after a full
 * garbage collection when asked, so readings are the process's and not the clock's.
 */
import { readFileSync, writeFileSync } from "node:fs";

export interface ProbeReading {
  /** User + system CPU time of the process so far, in microseconds. */
  cpuMicros: number;
  rssBytes: number;
  /** Peak resident set size (VmHWM) since start or the last reset, in bytes. */
  peakRssBytes: number;
  heapUsedBytes: number;
}

export interface ProbeRequest {
  probe: true;
  gc?: boolean;
  resetPeak?: boolean;
}

function peakRss(): number {
  const status = readFileSync("/proc/self/status", "utf8");
  const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : 0;
}

function reading(): ProbeReading {
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  return {
    cpuMicros: cpu.user + cpu.system,
    rssBytes: memory.rss,
    peakRssBytes: peakRss(),
    heapUsedBytes: memory.heapUsed,
  };
}

const collect = (globalThis as { gc?: () => void }).gc;

process.on("message", (message: ProbeRequest) => {
  if (!message || message.probe !== true) return;
  if (message.gc) collect?.();
  // Writing 5 to clear_refs resets VmHWM to the current RSS (Linux).
  if (message.resetPeak) {
    try {
      writeFileSync("/proc/self/clear_refs", "5");
    } catch {
      // Without the reset the peak is the process's whole life: still an upper bound.
    }
  }
  process.send?.(reading());
});
