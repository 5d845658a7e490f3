// When a change system asked the app to wait: a `retry-after` (seconds or an HTTP date) on any
// failed answer, or a back-off after a 429 or 503 that names none. Until then nothing is sent
// to that system's instance by anyone in the process, and, through the store when there is one,
// by any other instance: a read or a write asked meanwhile fails at once, saying until when.

import type { Store } from "../store/store.js";

/** The longest wait honoured: a system naming a later time is asked again after this. */
export const MAX_WAIT_MS = 60 * 60 * 1000;
/** A 429 or 503 without `retry-after`: this long, doubling while they follow one another. */
const FIRST_BACK_OFF_MS = 10_000;
const MAX_BACK_OFF_MS = 10 * 60 * 1000;

/** `retry-after` in milliseconds from `now`: delay-seconds or an HTTP date; nonsense is none. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  const text = header?.trim();
  if (!text) return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** "12:00:08 UTC": the time a wait ends, as the gate's reason shows it (at most an hour off). */
export function clockTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 19)} UTC`;
}

export class Waits {
  readonly #until = new Map<string, number>();
  /** 429s and 503s without a `retry-after` in a row, per instance: the back-off doubles. */
  readonly #strikes = new Map<string, number>();

  constructor(
    private readonly now: () => number,
    private readonly store?: Store,
  ) {}

  /** The time before which nothing may be sent to `instance`, while it is to come. */
  async until(instance: string): Promise<number | undefined> {
    const now = this.now();
    let until = this.#until.get(instance) ?? 0;
    if (until <= now && this.store) {
      until = Math.max(until, await this.#shared(instance));
      if (until > now) this.#until.set(instance, until);
    }
    return until > now ? until : undefined;
  }

  /**
   * An answer came from `instance`: the time it asked the app to wait until, if it did (a
   * failed answer's `retry-after`, or a 429's or 503's back-off). A success ends the back-off.
   */
  async heard(instance: string, response: Response): Promise<number | undefined> {
    if (response.ok) {
      this.#strikes.delete(instance);
      return undefined;
    }
    const now = this.now();
    let wait = retryAfterMs(response.headers.get("retry-after"), now);
    if (wait === undefined && (response.status === 429 || response.status === 503)) {
      const strikes = (this.#strikes.get(instance) ?? 0) + 1;
      this.#strikes.set(instance, strikes);
      wait = Math.min(MAX_BACK_OFF_MS, FIRST_BACK_OFF_MS * 2 ** (strikes - 1));
    }
    if (wait === undefined || wait <= 0) return undefined;
    const until = now + Math.min(wait, MAX_WAIT_MS);
    this.#until.set(instance, Math.max(until, this.#until.get(instance) ?? 0));
    await this.#share(instance, until);
    return until;
  }

  // The store is a courtesy to the system: when it cannot be read or written, this instance's
  // own knowledge still holds, and the request is judged by its answer as ever.
  async #shared(instance: string): Promise<number> {
    try {
      const raw = await this.store?.get(storeKey(instance));
      const until = raw ? Number(raw) : 0;
      return Number.isFinite(until) ? until : 0;
    } catch {
      return 0;
    }
  }

  async #share(instance: string, until: number): Promise<void> {
    try {
      await this.store?.set(storeKey(instance), String(until), until - this.now() + 1000);
    } catch {
      // See #shared.
    }
  }
}

const storeKey = (instance: string): string => `change-system:wait:${instance}`;
