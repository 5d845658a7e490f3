/**
 * Replays a scenario's webhooks against one app process and records, per webhook, when it
 * was sent and answered and which of the requests the app made belong to its step. A step
 * is one webhook (then the app settles) or a burst (all at once, then the app settles).
 */
import type { MeasuredApp } from "./app-process.js";
import type { Webhook } from "./events.js";
import type { RecordingProxy } from "./proxy.js";

/** What a webhook is about: `owner/repo#7` for a pull request, `owner/repo@sha` for a deploy. */
export type Subject = string;

/** A webhook and what the bench knows about it. */
export interface Tagged {
  webhook: Webhook;
  subject: Subject;
  /** For the table of events: "check (named)", "echo", "held", ... */
  kind: string;
}

export interface SentEvent extends Tagged {
  step: number;
  sent: number;
  answered: number;
  status: number;
}

export interface Step {
  index: number;
  /** Proxy log positions of the requests made while this step ran: [from, to). */
  from: number;
  to: number;
  started: number;
  settled: number;
  events: SentEvent[];
}

/** After an answer, how long without a request means the app is done. */
const QUIET_MS = 200;
/**
 * Past 9 s Probot answers 202 and works on, and an app that answers first (Release Policy
 * evaluates pull requests after answering) works on too: then only a silence longer than
 * the throttle's spacing of writes (1 s, comments 3 s) means done.
 */
const QUIET_AFTER_202_MS = 3_500;

export class Runner {
  readonly steps: Step[] = [];

  constructor(
    private readonly app: MeasuredApp,
    private readonly proxy: RecordingProxy,
    private readonly options: { answersFirst?: boolean } = {},
  ) {}

  get events(): SentEvent[] {
    return this.steps.flatMap((step) => step.events);
  }

  /** One webhook, then wait until the app has settled. */
  async one(tagged: Tagged | null): Promise<void> {
    if (tagged) await this.burst([tagged], 1);
  }

  /** Many webhooks, `concurrency` in flight at once, then wait until the app has settled. */
  async burst(all: Tagged[], concurrency: number): Promise<void> {
    const index = this.steps.length;
    const step: Step = {
      index,
      from: this.proxy.log.length,
      to: 0,
      started: performance.now(),
      settled: 0,
      events: [],
    };
    let next = 0;
    const worker = async () => {
      while (next < all.length) {
        const tagged = all[next++];
        if (!tagged) break;
        const answer = await this.app.deliver(tagged.webhook.event, tagged.webhook.payload);
        step.events.push({ ...tagged, step: index, ...answer });
        if (answer.status >= 300) {
          throw new Error(
            `${tagged.webhook.event} answered ${answer.status}\n${this.app.output()}`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, all.length) }, worker));
    const late = this.options.answersFirst || step.events.some((event) => event.status === 202);
    await this.settle(late ? QUIET_AFTER_202_MS : QUIET_MS, step);
    step.to = this.proxy.log.length;
    step.settled = performance.now();
    this.steps.push(step);
  }

  private async settle(quietMs: number, step: Step): Promise<void> {
    const answered = step.events.reduce((last, event) => Math.max(last, event.answered), 0);
    for (;;) {
      // The app may answer before its first request: quiet counts from the last answer too.
      const quietFor = performance.now() - Math.max(this.proxy.lastActivity(), answered);
      if (this.proxy.inFlight() === 0 && quietFor >= quietMs) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
