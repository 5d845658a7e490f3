/**
 * The stand-in app's webhook deliveries, as GitHub records them: every webhook sent to the
 * app is an attempt (its guid, event, action and what the app answered, 0 when nothing
 * answered), listed newest first by `GET /app/hook/deliveries`; a redelivery re-sends the
 * same signed body with the same X-GitHub-Delivery and is recorded as an attempt too.
 */
import { createHmac, randomUUID } from "node:crypto";

export interface HookAttempt {
  id: number;
  guid: string;
  deliveredAt: string;
  redelivery: boolean;
  /** What the app answered; 0 when the connection failed. */
  statusCode: number;
  durationSeconds: number;
  event: string;
  action: string | null;
  installationId: number | null;
  repositoryId: number | null;
  /** The JSON body sent, re-sent as is on redelivery. */
  body: string;
}

/** Where GitHub sends the app's webhooks: its webhook URL and secret. */
export interface HookTarget {
  url: string;
  secret: string;
}

export interface Sent {
  guid: string;
  status: number;
  /** The app's answer, empty when it never answered. */
  body: string;
}

/** `sha256=<hex>`: GitHub's X-Hub-Signature-256 of a body. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export class HookDeliveries {
  /** Oldest first; listed newest first. */
  readonly attempts: HookAttempt[] = [];
  target: HookTarget | undefined;
  #nextId = 90_000;
  readonly #sending = new Set<Promise<unknown>>();

  constructor(private readonly clock: () => Date) {}

  /** Records an attempt made elsewhere (a test harness that posts itself). */
  record(
    attempt: Omit<HookAttempt, "id" | "deliveredAt" | "durationSeconds" | "redelivery"> & {
      redelivery?: boolean;
    },
  ): HookAttempt {
    const recorded: HookAttempt = {
      id: ++this.#nextId,
      deliveredAt: this.clock()
        .toISOString()
        .replace(/\.\d+Z$/, "Z"),
      durationSeconds: 0.05,
      redelivery: false,
      ...attempt,
    };
    this.attempts.push(recorded);
    return recorded;
  }

  /** Records a webhook sent elsewhere (the e2e harness posts its own), read from its body. */
  recordSent(sent: {
    guid: string;
    event: string;
    body: string;
    statusCode: number;
    redelivery?: boolean;
  }): HookAttempt {
    const parsed = JSON.parse(sent.body) as {
      action?: string;
      installation?: { id?: number };
      repository?: { id?: number };
    };
    return this.record({
      guid: sent.guid,
      event: sent.event,
      action: parsed.action ?? null,
      installationId: parsed.installation?.id ?? null,
      repositoryId: parsed.repository?.id ?? null,
      statusCode: sent.statusCode,
      body: sent.body,
      redelivery: sent.redelivery ?? false,
    });
  }

  /** Sends a webhook to the target as GitHub would, and records the attempt. */
  send(event: string, payload: object, guid: string = randomUUID()): Promise<Sent> {
    return this.#post({ guid, event, body: JSON.stringify(payload), redelivery: false });
  }

  /** `POST /app/hook/deliveries/{id}/attempts`: re-sends that attempt's body, in the background. */
  redeliver(id: number): boolean {
    const original = this.attempts.find((a) => a.id === id);
    if (!original) return false;
    const sending = this.#post({ ...original, redelivery: true });
    this.#sending.add(sending);
    void sending.finally(() => this.#sending.delete(sending));
    return true;
  }

  /** Resolves once every redelivery started so far has been answered (or failed). */
  async settled(): Promise<void> {
    while (this.#sending.size > 0) await Promise.allSettled([...this.#sending]);
  }

  attemptsOf(guid: string): HookAttempt[] {
    return this.attempts.filter((a) => a.guid === guid);
  }

  async #post(send: {
    guid: string;
    event: string;
    body: string;
    redelivery: boolean;
  }): Promise<Sent> {
    let status = 0;
    let answer = "";
    if (this.target) {
      try {
        const response = await fetch(this.target.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "user-agent": "GitHub-Hookshot/stand-in",
            "x-github-event": send.event,
            "x-github-delivery": send.guid,
            "x-hub-signature-256": signBody(this.target.secret, send.body),
          },
          body: send.body,
        });
        status = response.status;
        answer = await response.text();
      } catch {
        status = 0; // nothing listening: GitHub says "failed to connect"
      }
    }
    this.recordSent({ ...send, statusCode: status });
    return { guid: send.guid, status, body: answer };
  }
}

/** GitHub's `hook-delivery-item`. */
export function hookDelivery(attempt: HookAttempt): Record<string, unknown> {
  const ok = attempt.statusCode >= 200 && attempt.statusCode < 300;
  return {
    id: attempt.id,
    guid: attempt.guid,
    delivered_at: attempt.deliveredAt,
    redelivery: attempt.redelivery,
    duration: attempt.durationSeconds,
    status: ok
      ? "OK"
      : attempt.statusCode === 0
        ? "failed to connect"
        : `Invalid HTTP Response: ${attempt.statusCode}`,
    status_code: attempt.statusCode,
    event: attempt.event,
    action: attempt.action,
    installation_id: attempt.installationId,
    repository_id: attempt.repositoryId,
  };
}
