import { describe, expect, it } from "@jest/globals";
import {
  DEFAULT_RECHECK_INTERVAL_MS,
  recheckIntervalOf,
} from "../../src/holds/recheck-interval.js";

describe("HOLD_RECHECK_INTERVAL", () => {
  it("defaults to five minutes when unset or blank", () => {
    expect(recheckIntervalOf({})).toBe(DEFAULT_RECHECK_INTERVAL_MS);
    expect(recheckIntervalOf({ HOLD_RECHECK_INTERVAL: " " })).toBe(5 * 60 * 1000);
  });

  it("reads a duration", () => {
    expect(recheckIntervalOf({ HOLD_RECHECK_INTERVAL: "2m" })).toBe(120_000);
    expect(recheckIntervalOf({ HOLD_RECHECK_INTERVAL: "1s" })).toBe(1000);
  });

  it("stops start-up on a typo or an interval under a second", () => {
    expect(() => recheckIntervalOf({ HOLD_RECHECK_INTERVAL: "5 minutes" })).toThrow(
      /^HOLD_RECHECK_INTERVAL: /,
    );
    expect(() => recheckIntervalOf({ HOLD_RECHECK_INTERVAL: "500ms" })).toThrow(
      'HOLD_RECHECK_INTERVAL: "500ms" is shorter than 1s',
    );
  });
});
