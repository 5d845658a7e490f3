// One timer per held deployment, armed for its re-check time. Re-arming replaces the old
// timer; recovery on start-up arms every hold found in the store.
import type { Hold, HoldRegistry } from "./registry.js";
import type { Scheduler } from "./scheduler.js";

export class HoldTimers {
  readonly #cancel = new Map<string, () => void>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly recheck: (hold: Hold) => Promise<void>,
  ) {}

  arm(hold: Hold): void {
    this.disarm(hold.key);
    if (hold.recheckAt === undefined) return;
    const cancel = this.scheduler.at(new Date(hold.recheckAt), async () => {
      this.#cancel.delete(hold.key);
      await this.recheck(hold);
    });
    this.#cancel.set(hold.key, cancel);
  }

  disarm(key: string): void {
    this.#cancel.get(key)?.();
    this.#cancel.delete(key);
  }

  /**
   * Re-checks every hold in the store at once: while the app was down, approvals may have
   * arrived and windows opened without anyone to see it. Each re-check re-arms its timer.
   */
  async recover(registry: HoldRegistry, now: Date): Promise<number> {
    const holds = await registry.all();
    for (const hold of holds) this.arm({ ...hold, recheckAt: now.toISOString() });
    return holds.length;
  }

  get size(): number {
    return this.#cancel.size;
  }
}
