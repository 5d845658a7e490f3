import { formatDuration, parseDuration } from "../../../src/model/time/duration.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe("parseDuration", () => {
  it.each([
    ["0s", 0],
    ["250ms", 250],
    ["45s", 45_000],
    ["30m", 30 * MINUTE],
    ["24h", 24 * HOUR],
    ["2d", 2 * DAY],
    ["1w", 7 * DAY],
    ["1d 2h", DAY + 2 * HOUR],
    ["1d2h30m", DAY + 2 * HOUR + 30 * MINUTE],
    [" 1h 500ms ", HOUR + 500],
  ])("%j is %d ms", (text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });

  it.each([
    ["", "it is empty"],
    ["24", 'unexpected "24"'],
    ["h", 'unexpected "h"'],
    ["1.5h", 'unexpected "1.5h"'],
    ["5 h", 'unexpected "5 h"'],
    ["3y", 'unexpected "3y"'],
    ["-1h", 'unexpected "-1h"'],
    ["2h 1d", "largest first"],
    ["1h 1h", "largest first"],
    ["99999999999999999999d", "too long"],
  ])("refuses %j (%s)", (text, why) => {
    expect(() => parseDuration(text)).toThrow(RangeError);
    expect(() => parseDuration(text)).toThrow(why);
  });
});

describe("formatDuration", () => {
  it.each([
    [0, {}, "0s"],
    [500, {}, "500ms"],
    [1500, {}, "1s 500ms"],
    [DAY + 2 * HOUR, {}, "1d 2h"],
    [DAY + 2 * HOUR + 59 * MINUTE, {}, "1d 2h"],
    [DAY + 5 * MINUTE, {}, "1d"],
    [10 * DAY, {}, "10d"],
    [3 * HOUR + 12 * MINUTE + 7_000, {}, "3h 12m"],
    [3 * HOUR + 12 * MINUTE + 7_000, { units: 3 }, "3h 12m 7s"],
    [DAY + 5 * MINUTE, { units: 3 }, "1d 5m"],
    [-90 * MINUTE, {}, "-1h 30m"],
    [0.4, {}, "0s"],
  ])("%d ms with %j is %j", (ms, options, expected) => {
    expect(formatDuration(ms, options)).toBe(expected);
  });

  it("refuses a non-finite duration", () => {
    expect(() => formatDuration(Infinity)).toThrow(RangeError);
  });

  it.each(["1d 2h", "3h 12m 7s", "45m", "1s 500ms"])("round-trips %j exactly", (text) => {
    expect(formatDuration(parseDuration(text), { units: 5 })).toBe(text);
  });
});
