import type { Scheduler } from "../../src/holds/scheduler.js";

/** Tasks run only when the test says time has come. */
export class ManualScheduler implements Scheduler {
  readonly #tasks = new Set<{ when: number; task: () => Promise<void> }>();

  at(when: Date, task: () => Promise<void>): () => void {
    const entry = { when: when.getTime(), task };
    this.#tasks.add(entry);
    return () => this.#tasks.delete(entry);
  }

  /** Runs every task due at `now`, including ones those tasks schedule for then or earlier. */
  async runDue(now: Date): Promise<number> {
    let ran = 0;
    for (;;) {
      const due = [...this.#tasks].filter((t) => t.when <= now.getTime());
      if (due.length === 0) return ran;
      for (const entry of due) {
        this.#tasks.delete(entry);
        await entry.task();
        ran += 1;
      }
    }
  }

  /** When the next task is due, if any. */
  get next(): Date | undefined {
    const times = [...this.#tasks].map((t) => t.when);
    return times.length > 0 ? new Date(Math.min(...times)) : undefined;
  }
}
