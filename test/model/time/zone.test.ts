import { IANAZone } from "luxon";
import {
  addDays,
  formatInstant,
  isoWeekday,
  localDateAt,
  wallClockToInstant,
} from "../../../src/model/time/zone.js";

const at = (iso: string): number => new Date(iso).getTime();
const date = (text: string) => {
  const [year, month, day] = text.split("-").map(Number) as [number, number, number];
  return { year, month, day };
};

describe("wallClockToInstant", () => {
  it.each([
    // zone, local date, local time, instant, why
    ["Europe/Berlin", "2026-01-15", "09:00", "2026-01-15T08:00:00Z", "winter (CET)"],
    ["Europe/Berlin", "2026-07-15", "09:00", "2026-07-15T07:00:00Z", "summer (CEST)"],
    ["Europe/Berlin", "2026-03-29", "01:59", "2026-03-29T00:59:00Z", "just before the jump"],
    ["Europe/Berlin", "2026-03-29", "02:00", "2026-03-29T01:00:00Z", "missing: the jump"],
    ["Europe/Berlin", "2026-03-29", "02:30", "2026-03-29T01:00:00Z", "missing: the jump"],
    ["Europe/Berlin", "2026-03-29", "03:00", "2026-03-29T01:00:00Z", "first time after"],
    ["Europe/Berlin", "2026-10-25", "02:30", "2026-10-25T00:30:00Z", "twice: the first"],
    ["Europe/Berlin", "2026-10-25", "03:00", "2026-10-25T02:00:00Z", "after the repeat"],
    ["America/New_York", "2026-03-08", "02:30", "2026-03-08T07:00:00Z", "missing: the jump"],
    ["America/New_York", "2026-11-01", "01:30", "2026-11-01T05:30:00Z", "twice: the first"],
    ["America/New_York", "2026-11-01", "02:00", "2026-11-01T07:00:00Z", "after the repeat"],
    ["Asia/Kolkata", "2026-03-29", "01:00", "2026-03-28T19:30:00Z", "half-hour offset"],
  ])("%s %s %s is %s (%s)", (zone, day, time, expected) => {
    const [hours, minutes] = time.split(":").map(Number) as [number, number];
    const instant = wallClockToInstant(IANAZone.create(zone), date(day), hours * 60 + minutes);
    expect(new Date(instant).toISOString()).toBe(new Date(expected).toISOString());
  });

  it("reads minutes past a day as the next date (24:00 and overnight ends)", () => {
    const berlin = IANAZone.create("Europe/Berlin");
    expect(wallClockToInstant(berlin, date("2026-12-31"), 24 * 60)).toBe(
      at("2026-12-31T23:00:00Z"),
    );
    expect(wallClockToInstant(berlin, date("2026-03-28"), 26 * 60)).toBe(
      at("2026-03-29T01:00:00Z"),
    );
  });
});

describe("calendar helpers", () => {
  it.each([
    ["2026-11-30", 1],
    ["2026-11-26", 4],
    ["2026-03-29", 7],
  ])("%s has ISO weekday %d", (day, weekday) => {
    expect(isoWeekday(date(day))).toBe(weekday);
  });

  it("adds days across months and years", () => {
    expect(addDays(date("2026-12-30"), 3)).toEqual(date("2027-01-02"));
    expect(addDays(date("2026-03-01"), -1)).toEqual(date("2026-02-28"));
  });

  it("reads the local date of an instant", () => {
    const newYork = IANAZone.create("America/New_York");
    expect(localDateAt(at("2026-11-27T03:00:00Z"), newYork)).toEqual(date("2026-11-26"));
    expect(localDateAt(at("2026-11-27T05:00:00Z"), newYork)).toEqual(date("2026-11-27"));
  });
});

describe("formatInstant", () => {
  const now = at("2026-11-26T12:00:00Z");
  it.each([
    ["Europe/Berlin", "2026-11-30T08:00:00Z", true, "Mon 30 Nov 09:00 CET"],
    ["Europe/Berlin", "2026-07-01T08:00:00Z", true, "Wed 1 Jul 10:00 CEST"],
    ["Europe/Berlin", "2027-01-04T22:59:00Z", false, "4 Jan 2027 23:59 CET"],
    ["America/New_York", "2026-11-30T14:00:00Z", true, "Mon 30 Nov 09:00 EST"],
    ["America/New_York", "2026-03-09T13:00:00Z", true, "Mon 9 Mar 09:00 EDT"],
    ["Asia/Kolkata", "2026-11-30T04:30:00Z", true, "Mon 30 Nov 10:00 GMT+5:30"],
  ])("%s %s → %j", (zone, iso, weekday, expected) => {
    expect(formatInstant(at(iso), IANAZone.create(zone), { weekday, relativeTo: now })).toBe(
      expected,
    );
  });
});
