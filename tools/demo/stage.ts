/**
 * The demo's stage: the GitHub stand-in, the real server process, and a narrator that
 * prints each step and checks that what GitHub now shows is what the step promised.
 */
import type { CheckRunRecord, CommentRecord } from "../../test/stand-in/records.js";
import type { StandIn } from "../../test/stand-in/server.js";
import type { Webhook } from "../../test/e2e/github-events.js";
import { waitFor, type AppServer } from "../../test/e2e/server-process.js";
import { bold, checkRunLines, checklistLines, dim, green, red } from "./render.js";

/** A promise about what GitHub shows after a step: null when kept, else what is missing. */
export type Expectation = (view: View) => string | null;

/** What the people in the story can see on GitHub right now. */
export interface View {
  run: CheckRunRecord | undefined;
  comment: CommentRecord | undefined;
}

export class DemoFailure extends Error {}

export class Stage {
  private stepNumber = 0;

  constructor(
    readonly gh: StandIn,
    readonly server: AppServer,
    readonly owner: string,
    readonly repo: string,
    readonly pullNumber: number,
  ) {}

  /** The pull request's current head commit. */
  headSha(): string {
    const pull = this.gh.state.pullRequest(this.owner, this.repo, this.pullNumber);
    if (!pull) throw new DemoFailure(`pull request #${this.pullNumber} is missing`);
    return pull.headSha;
  }

  view(): View {
    const runs = this.gh.state.ownCheckRuns(this.owner, this.repo, this.headSha());
    const comment = this.gh.state
      .comments(this.owner, this.repo, this.pullNumber)
      .find((c) => c.user === this.gh.state.botLogin());
    return { run: runs.at(-1), comment };
  }

  heading(title: string): void {
    this.stepNumber += 1;
    console.log("");
    console.log(bold(`${this.stepNumber}. ${title}`));
  }

  say(...lines: string[]): void {
    for (const line of lines) console.log(line === "" ? "" : `   ${line}`);
  }

  /** Delivers webhooks as GitHub would; a refused delivery ends the demo. */
  async send(...webhooks: Webhook[]): Promise<void> {
    for (const webhook of webhooks) {
      const answer = await this.server.deliver(webhook.event, webhook.payload);
      const action = typeof webhook.payload.action === "string" ? `.${webhook.payload.action}` : "";
      this.say(dim(`webhook ${webhook.event}${action} → HTTP ${answer.status}`));
      if (answer.status >= 300)
        throw new DemoFailure(`the app refused ${webhook.event}: ${answer.body}`);
    }
  }

  /**
   * Waits until the app has finished the work the step set off and the expectation holds
   * (or fails the demo), then shows the pull request. Waiting for the expectation alone
   * would print a check run one step stale: a tick shows in the comment before the check
   * run that counts it is written.
   */
  async expectPullRequest(promise: string, expectation: Expectation): Promise<View> {
    let missing: string | null = "nothing seen yet";
    let view: View;
    try {
      view = await waitFor(
        promise,
        async () => {
          if (!(await this.settled())) {
            missing = "the app is still working";
            return undefined;
          }
          const seen = this.view();
          missing = expectation(seen);
          return missing === null ? seen : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 50 },
      );
    } catch {
      throw new DemoFailure(`expected ${promise}, but ${missing}`);
    }
    if (view.run) this.say("", ...checkRunLines(view.run));
    if (view.comment) this.say("", ...checklistLines(view.comment.body));
    this.say("", green(`✓ ${promise}`));
    return view;
  }

  /** True when the app reports no webhook work in flight, its evaluations included. */
  private async settled(): Promise<boolean> {
    const metrics = await (await fetch(`${this.server.url}/metrics`)).text();
    return /^release_policy_webhooks_in_flight 0$/m.test(metrics);
  }

  /** Ends the demo: the stand-in must have seen only requests GitHub would accept. */
  verdict(): void {
    const violations = this.gh.violations();
    const unmodelled = this.gh.unmodelled();
    console.log("");
    if (violations.length > 0 || unmodelled.length > 0) {
      for (const v of violations) console.log(red(`✗ ${v.method} ${v.path}: ${v.reason}`));
      for (const u of unmodelled) console.log(red(`✗ not modelled: ${u.route}`));
      throw new DemoFailure("the app made requests GitHub would refuse (listed above)");
    }
    const count = this.gh.requests().length;
    console.log(
      green(bold(`Demo complete: every step as expected; ${count} API requests, all valid.`)),
    );
  }
}

/** Checks on a view, composed into one expectation. */
export const when = {
  check(conclusion: string | null, title?: RegExp): Expectation {
    return ({ run }) => {
      if (!run) return "there is no check run yet";
      const actual = run.status === "completed" ? run.conclusion : null;
      if (actual !== conclusion)
        return `the check run is ${run.status}/${run.conclusion ?? "-"}: ${run.output.title}`;
      if (title && !title.test(run.output.title ?? ""))
        return `the check run's title is "${run.output.title}"`;
      return null;
    };
  },
  gate(gate: string, status: RegExp): Expectation {
    return ({ run }) => {
      const row = (run?.output.summary ?? "")
        .split("\n")
        .find((line) => line.startsWith(`| **${gate}**`));
      if (!row) return `gate ${gate} is not in the check run`;
      return status.test(row) ? null : `gate ${gate} reads: ${row}`;
    };
  },
  comment(text: RegExp): Expectation {
    return ({ comment }) =>
      !comment
        ? "there is no checklist comment"
        : text.test(comment.body)
          ? null
          : `the checklist comment does not match ${text}`;
  },
  all(...expectations: Expectation[]): Expectation {
    return (view) => {
      for (const expectation of expectations) {
        const missing = expectation(view);
        if (missing !== null) return missing;
      }
      return null;
    };
  },
};
