// Messages to Slack and Teams, kept in the store until they are sent. Enqueueing claims the
// message's identity (a deployment and what was decided; a freeze and whether it started or
// ended) for as long as a deployment can wait, so a redelivered webhook, a re-check or another
// instance never enqueues it twice. Sending happens later, through the scheduler: a decision
// only waits for the enqueueing. A failed POST is tried again after a back-off, a few times,
// then given up with a log line and a metric; each attempt is leased, so two instances never
// make the same attempt. A process that stops leaves its messages in the store: the next
// sweep (any instance's) sends them. Sending is at least once: a process killed between a
// POST and its record may repeat that one message.
import { createHash } from "node:crypto";
import type { Logger } from "pino";
import { postJson, type Fetch } from "../effects/chat-webhook.js";
import { reEvaluationDelayMs } from "../github/back-off.js";
import {
  mayNotify,
  notifyScopeOf,
  notifyScopeProblem,
  type NotifyScope,
} from "../policy/notify-scope.js";
import type { Store } from "../store/store.js";
import { HOLD_TTL_MS } from "./registry.js";
import type { Scheduler } from "./scheduler.js";

export type NotifyChannel = "slack" | "teams";

/** POSTs per message before it is given up: about 20 minutes of back-off at the default unit. */
export const NOTIFY_ATTEMPTS = 8;
/** A message and its claim are kept as long as GitHub keeps a deployment waiting, and a bit. */
export const NOTIFY_KEEP_MS = HOLD_TTL_MS + 5 * 24 * 60 * 60 * 1000;
/** How long one instance owns an attempt: longer than a POST may take. */
const ATTEMPT_LEASE_MS = 60_000;
const OUTBOX = "notify:outbox";

export interface OutboundMessage {
  /** What the message is about and where it goes: sent once per identity. */
  id: string;
  channel: NotifyChannel;
  /** The environment variable holding the webhook URL; read only when sending. */
  variable: string;
  /** The owner of the repository it is about: the variable must be scoped to it. */
  owner: string;
  body: unknown;
  /** For log lines: what the message is about, never where it goes. */
  about: Record<string, string | number>;
}

interface Entry extends OutboundMessage {
  attempts: number;
  /** ISO 8601: when the next attempt is due. */
  nextAt: string;
}

export type NotifyOutcome = "sent" | "retried" | "gave-up" | "unconfigured";
/** Counts each send's outcome (the server's /metrics); an unset variable shows here. */
export type NotifyObserver = (channel: NotifyChannel, outcome: NotifyOutcome) => void;

/** How notifications are sent (AppOptions.notifications; src/notify-deps.ts). */
export interface NotificationOptions {
  /** The environment the webhook URLs are read from; only notification variables are read. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Counts each send's outcome (the server's /metrics). */
  observe?: NotifyObserver;
  /** The unit of the retry back-off; RETRY_BASE_MS by default. */
  retryBaseMs?: number;
  /** POSTs per message before giving up. */
  attempts?: number;
  /** How long one POST may take. */
  timeoutMs?: number;
  /** The global fetch by default. */
  fetch?: Fetch;
}

export interface OutboxDeps {
  store: Store;
  now: () => Date;
  scheduler: Scheduler;
  /**
   * The app's environment, as far as notifications may read it (src/index.ts filters it): the
   * webhook variables and their NOTIFY_SCOPE_<VARIABLE>.
   */
  env: Readonly<Record<string, string | undefined>>;
  log: Logger;
  /** The unit of the back-off (RETRY_BASE_MS): 10 units, doubling, at most 600. */
  baseMs: number;
  attempts?: number;
  timeoutMs?: number;
  observe?: NotifyObserver;
  fetch?: Fetch;
}

/** The webhook URL a variable holds, or why there is none to send to. */
export function webhookUrl(
  env: OutboxDeps["env"],
  variable: string,
): { url: string } | { problem: string } {
  const value = env[variable]?.trim();
  if (!value) return { problem: `${variable} is not set` };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: `${variable} does not hold a URL` };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return { problem: `${variable} holds a ${url.protocol} URL, not an http(s) one` };
  }
  return { url: url.toString() };
}

const keyOf = (id: string): string => createHash("sha256").update(id).digest("hex").slice(0, 40);

export class NotificationOutbox {
  readonly #scope: NotifyScope;

  constructor(private readonly deps: OutboxDeps) {
    this.#scope = notifyScopeOf(deps.env);
  }

  /**
   * Keeps the message and schedules its first attempt; false when a message of the same
   * identity was enqueued before (it is sent, being sent, or was given up).
   */
  async enqueue(message: OutboundMessage): Promise<boolean> {
    const { store, now } = this.deps;
    const key = keyOf(message.id);
    if (!(await store.claim(`notify:claim:${key}`, NOTIFY_KEEP_MS))) return false;
    const entry: Entry = { ...message, attempts: 0, nextAt: now().toISOString() };
    await store.set(`notify:message:${key}`, JSON.stringify(entry), NOTIFY_KEEP_MS);
    await store.addToSet(OUTBOX, key, NOTIFY_KEEP_MS);
    this.#arm(key, entry);
    return true;
  }

  /** Attempts every message whose time has come; what a sweep runs. Returns how many. */
  async deliverDue(): Promise<number> {
    let attempted = 0;
    for (const key of await this.deps.store.members(OUTBOX)) {
      if (await this.deliver(key)) attempted += 1;
    }
    return attempted;
  }

  /** Messages not yet sent nor given up (for tests and the docs' numbers). */
  async pending(): Promise<number> {
    return (await this.deps.store.members(OUTBOX)).length;
  }

  #arm(key: string, entry: Entry): void {
    this.deps.scheduler.at(new Date(entry.nextAt), async () => {
      try {
        await this.deliver(key);
      } catch (error) {
        // The store failed: the sweep tries again.
        this.deps.log.warn({ err: error, notification: entry.about }, "notification not sent");
      }
    });
  }

  /** One attempt at one message, if it is due and no other instance is making it. */
  async deliver(key: string): Promise<boolean> {
    const { store, now, log } = this.deps;
    const raw = await store.get(`notify:message:${key}`);
    if (raw === null) {
      await store.removeFromSet(OUTBOX, key);
      return false;
    }
    const entry = JSON.parse(raw) as Entry;
    if (Date.parse(entry.nextAt) > now().getTime()) return false;
    if (!(await store.claim(`notify:attempt:${key}:${entry.attempts}`, ATTEMPT_LEASE_MS))) {
      return false;
    }
    const about = { ...entry.about, channel: entry.channel, variable: entry.variable };
    const target = webhookUrl(this.deps.env, entry.variable);
    if ("problem" in target) {
      log.warn(
        { notification: about },
        `notification not sent: ${target.problem}; set it to the channel's incoming-webhook URL (docs/notifications.md)`,
      );
      this.deps.observe?.(entry.channel, "unconfigured");
      await this.#finish(key);
      return true;
    }
    // Checked at each send too: a message kept from before the scope changed posts nowhere new.
    if (typeof entry.owner !== "string" || !mayNotify(this.#scope, entry.owner, entry.variable)) {
      log.warn(
        { notification: about },
        `notification not sent: ${notifyScopeProblem(entry.owner ?? "an unknown owner", entry.variable)}`,
      );
      this.deps.observe?.(entry.channel, "unconfigured");
      await this.#finish(key);
      return true;
    }
    const outcome = await postJson(target.url, entry.body, {
      ...(this.deps.timeoutMs !== undefined ? { timeoutMs: this.deps.timeoutMs } : {}),
      ...(this.deps.fetch ? { fetch: this.deps.fetch } : {}),
      now: () => now().getTime(),
    });
    const attempts = entry.attempts + 1;
    if (outcome.kind === "sent") {
      log.info({ notification: about, attempts }, "notification sent");
      this.deps.observe?.(entry.channel, "sent");
      await this.#finish(key);
      return true;
    }
    const max = this.deps.attempts ?? NOTIFY_ATTEMPTS;
    if (outcome.kind === "give-up" || attempts >= max) {
      log.warn(
        { notification: about, attempts, why: outcome.why },
        outcome.kind === "give-up"
          ? `notification given up: the webhook refused it (${outcome.why}); check the URL in ${entry.variable}`
          : `notification given up after ${attempts} attempts (${outcome.why})`,
      );
      this.deps.observe?.(entry.channel, "gave-up");
      await this.#finish(key);
      return true;
    }
    const delay = reEvaluationDelayMs(this.deps.baseMs, attempts, outcome.retryAfterMs);
    const next: Entry = {
      ...entry,
      attempts,
      nextAt: new Date(now().getTime() + delay).toISOString(),
    };
    await store.set(`notify:message:${key}`, JSON.stringify(next), NOTIFY_KEEP_MS);
    log.info(
      { notification: about, attempts, why: outcome.why, nextAt: next.nextAt },
      "notification not sent: trying again",
    );
    this.deps.observe?.(entry.channel, "retried");
    this.#arm(key, next);
    return true;
  }

  async #finish(key: string): Promise<void> {
    await this.deps.store.delete(`notify:message:${key}`);
    await this.deps.store.removeFromSet(OUTBOX, key);
  }
}
