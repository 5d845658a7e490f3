// How often a held deployment waiting on people is looked at against GitHub's record, from
// the environment: HOLD_RECHECK_INTERVAL (default 5m). Each look costs about one request per
// waiting hold (GitHub's list of the run's reviews): 12 an hour at the default. A pull request
// waiting on a change record is looked at as often (src/holds/pull-watch.ts).
import { parseDuration } from "../model/time/duration.js";

/** A hold waiting on people is looked at again this often by default. */
export const DEFAULT_RECHECK_INTERVAL_MS = 5 * 60 * 1000;
const MIN_MS = 1000;

/** Throws on a setting that cannot be used, so a typo stops start-up. */
export function recheckIntervalOf(env: Readonly<Record<string, string | undefined>>): number {
  const text = env.HOLD_RECHECK_INTERVAL?.trim();
  if (!text) return DEFAULT_RECHECK_INTERVAL_MS;
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (error) {
    throw new Error(`HOLD_RECHECK_INTERVAL: ${(error as Error).message}`, { cause: error });
  }
  if (ms < MIN_MS) throw new Error(`HOLD_RECHECK_INTERVAL: "${text}" is shorter than 1s`);
  return ms;
}
