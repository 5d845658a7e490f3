import {
  SEARCH_DAYS,
  WindowSpecError,
  describeWindow,
  windowState,
} from "../../../src/model/time/window.js";
import type { WindowRequirement } from "../../../src/model/time/window-spec.js";

const at = (iso: string): Date => new Date(iso);
const iso = (value: Date | undefined): string | undefined => value?.toISOString();
const HOUR = 3_600_000;

const berlinWeek: WindowRequirement = {
  timezone: "Europe/Berlin",
  allow: ["Mon-Thu 09:00-16:00", "Fri 09:00-12:00"],
};

describe("windowState: inside and outside allow periods", () => {
  // Each row pins `now` in UTC; the comment gives the local time it stands for.
  it.each([
    // Thu 26 Nov 2026 10:00 CET
    [berlinWeek, "2026-11-26T09:00:00.000Z", true, undefined, "2026-11-26T15:00:00.000Z"],
    // Thu 09:00 CET: the first instant of the period is inside it
    [berlinWeek, "2026-11-26T08:00:00.000Z", true, undefined, "2026-11-26T15:00:00.000Z"],
    // Thu 08:59:59.999 CET
    [berlinWeek, "2026-11-26T07:59:59.999Z", false, "2026-11-26T08:00:00.000Z", undefined],
    // Thu 16:00 CET: the end is exclusive
    [berlinWeek, "2026-11-26T15:00:00.000Z", false, "2026-11-27T08:00:00.000Z", undefined],
    // Fri 11:00 CET: the Friday rule
    [berlinWeek, "2026-11-27T10:00:00.000Z", true, undefined, "2026-11-27T11:00:00.000Z"],
    // Fri 14:00 CET: over the weekend to Monday
    [berlinWeek, "2026-11-27T13:00:00.000Z", false, "2026-11-30T08:00:00.000Z", undefined],
    // Sat 7 Mar 2026 07:00 EST: next Monday is already EDT
    [
      { timezone: "America/New_York", allow: ["Mon-Fri 09:00-17:00"] },
      "2026-03-07T12:00:00.000Z",
      false,
      "2026-03-09T13:00:00.000Z",
      undefined,
    ],
    // Fri 27 Nov 2026 18:30 IST
    [
      { timezone: "Asia/Kolkata", allow: ["Mon-Fri 10:00-18:00"] },
      "2026-11-27T13:00:00.000Z",
      false,
      "2026-11-30T04:30:00.000Z",
      undefined,
    ],
    // Periods that touch merge: Mon 09:00 until Tue 12:00 CET
    [
      { timezone: "Europe/Berlin", allow: ["Mon 09:00-24:00", "Tue 00:00-12:00"] },
      "2026-11-30T09:00:00.000Z",
      true,
      undefined,
      "2026-12-01T11:00:00.000Z",
    ],
    // A window that never closes has no closesAt
    [
      { timezone: "Asia/Kolkata", allow: ["Mon-Sun 00:00-24:00"] },
      "2026-11-27T13:00:00.000Z",
      true,
      undefined,
      undefined,
    ],
  ] as const)("%j at %s: open %s, opens %s, closes %s", (spec, now, open, opensAt, closesAt) => {
    const state = windowState(spec as WindowRequirement, at(now));
    expect(state.open).toBe(open);
    expect(iso(state.opensAt)).toBe(opensAt);
    expect(iso(state.closesAt)).toBe(closesAt);
    expect(state.freeze).toBeUndefined();
  });
});

describe("windowState: a window crossing midnight", () => {
  const overnight: WindowRequirement = {
    timezone: "America/New_York",
    allow: ["Fri 22:00-02:00"],
  };
  it.each([
    ["Fri 21:59 EST", "2026-11-21T02:59:00.000Z", false, "2026-11-21T03:00:00.000Z", undefined],
    ["Fri 22:00 EST", "2026-11-21T03:00:00.000Z", true, undefined, "2026-11-21T07:00:00.000Z"],
    ["Sat 00:30 EST", "2026-11-21T05:30:00.000Z", true, undefined, "2026-11-21T07:00:00.000Z"],
    ["Sat 01:59 EST", "2026-11-21T06:59:00.000Z", true, undefined, "2026-11-21T07:00:00.000Z"],
    ["Sat 02:00 EST", "2026-11-21T07:00:00.000Z", false, "2026-11-28T03:00:00.000Z", undefined],
    ["Thu 23:00 EST", "2026-11-20T04:00:00.000Z", false, "2026-11-21T03:00:00.000Z", undefined],
  ] as const)("%s: open %s, opens %s, closes %s", (_local, now, open, opensAt, closesAt) => {
    const state = windowState(overnight, at(now));
    expect(state.open).toBe(open);
    expect(iso(state.opensAt)).toBe(opensAt);
    expect(iso(state.closesAt)).toBe(closesAt);
  });
});

describe("windowState: daylight-saving changes", () => {
  // `now` is the Saturday before; the period found is then checked from inside and at its end.
  it.each([
    ["Europe/Berlin", "Sun 01:00-04:00", "2026-03-28T12:00:00Z", "2026-03-29T00:00:00Z", 2],
    ["Europe/Berlin", "Sun 01:00-04:00", "2026-10-24T12:00:00Z", "2026-10-24T23:00:00Z", 4],
    ["America/New_York", "Sun 01:00-04:00", "2026-03-07T12:00:00Z", "2026-03-08T06:00:00Z", 2],
    ["America/New_York", "Sun 01:00-04:00", "2026-10-31T12:00:00Z", "2026-11-01T05:00:00Z", 4],
    ["Asia/Kolkata", "Sun 01:00-04:00", "2026-03-28T12:00:00Z", "2026-03-28T19:30:00Z", 3],
    // 02:30 does not exist: the period starts at the jump (03:00 CEST / 03:00 EDT)
    ["Europe/Berlin", "Sun 02:30-05:00", "2026-03-28T12:00:00Z", "2026-03-29T01:00:00Z", 2],
    ["America/New_York", "Sun 02:30-05:00", "2026-03-07T12:00:00Z", "2026-03-08T07:00:00Z", 2],
    // 02:30 CEST / 01:30 EDT happen twice: the first occurrence counts
    ["Europe/Berlin", "Sun 02:30-05:00", "2026-10-24T12:00:00Z", "2026-10-25T00:30:00Z", 3.5],
    ["America/New_York", "Sun 01:30-05:00", "2026-10-31T12:00:00Z", "2026-11-01T05:30:00Z", 4.5],
    ["Europe/Berlin", "Sun 00:00-02:30", "2026-10-24T12:00:00Z", "2026-10-24T22:00:00Z", 2.5],
    // Overnight into the jump: 02:00 does not exist, so the period ends at the jump
    ["Europe/Berlin", "Sat 22:00-02:00", "2026-03-28T12:00:00Z", "2026-03-28T21:00:00Z", 4],
  ])("%s %j after %s opens %s for %d real hours", (timezone, allow, now, opensAt, hours) => {
    const spec = { timezone, allow: [allow] };
    const before = windowState(spec, at(now));
    expect(before.open).toBe(false);
    expect(iso(before.opensAt)).toBe(at(opensAt).toISOString());

    const start = at(opensAt);
    const inside = windowState(spec, start);
    expect(inside.open).toBe(true);
    const closesAt = inside.closesAt as Date;
    expect((closesAt.getTime() - start.getTime()) / HOUR).toBe(hours);
    expect(windowState(spec, new Date(closesAt.getTime() - 1)).open).toBe(true);
    expect(windowState(spec, closesAt).open).toBe(false);
  });

  it("skips a period that lies wholly inside the spring-forward gap", () => {
    const spec = { timezone: "Europe/Berlin", allow: ["Sun 02:00-02:45"] };
    const state = windowState(spec, at("2026-03-28T12:00:00Z"));
    // Not on 29 Mar (02:00-03:00 never happens there) but on 5 Apr, 02:00 CEST.
    expect(iso(state.opensAt)).toBe("2026-04-05T00:00:00.000Z");
  });
});

describe("windowState: freezes", () => {
  const yearEnd = { from: "2026-12-20", to: "2027-01-04", reason: "Year-end freeze" };
  const blackFriday = { from: "2026-11-27T18:00", to: "2026-11-30T06:00", reason: "Black Friday" };
  const frozenOnly: WindowRequirement = {
    timezone: "Europe/Berlin",
    freeze: [yearEnd, blackFriday],
  };

  it.each([
    // [now, open, freeze until, closesAt]
    ["2026-12-19T22:59:59.999Z", true, undefined, "2026-12-19T23:00:00.000Z"], // 19 Dec 23:59:59.999
    ["2026-12-19T23:00:00.000Z", false, "2027-01-04T23:00:00.000Z", undefined], // 20 Dec 00:00
    ["2027-01-04T22:59:59.999Z", false, "2027-01-04T23:00:00.000Z", undefined], // 4 Jan 23:59:59.999
    ["2027-01-04T23:00:00.000Z", true, undefined, undefined], // 5 Jan 00:00
    ["2026-11-27T16:59:59.999Z", true, undefined, "2026-11-27T17:00:00.000Z"], // 27 Nov 17:59:59.999
    ["2026-11-27T17:00:00.000Z", false, "2026-11-30T05:00:00.000Z", undefined], // 27 Nov 18:00
    ["2026-11-30T04:59:59.999Z", false, "2026-11-30T05:00:00.000Z", undefined], // 30 Nov 05:59:59.999
    ["2026-11-30T05:00:00.000Z", true, undefined, "2026-12-19T23:00:00.000Z"], // 30 Nov 06:00
  ] as const)("Europe/Berlin at %s: open %s, frozen until %s", (now, open, until, closesAt) => {
    const state = windowState(frozenOnly, at(now));
    expect(state.open).toBe(open);
    expect(iso(state.freeze?.until)).toBe(until);
    expect(iso(state.opensAt)).toBe(until);
    expect(iso(state.closesAt)).toBe(closesAt);
  });

  it.each([
    // Inclusive local dates, whatever the offset: Thanksgiving in New York (EST)
    [
      "America/New_York",
      "2026-11-26",
      "2026-11-27",
      "2026-11-26T05:00:00Z",
      "2026-11-28T05:00:00Z",
    ],
    // A frozen day that is 23 hours long (EU spring forward) …
    ["Europe/Berlin", "2026-03-29", "2026-03-29", "2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z"],
    // … and one that is 25 hours long (US fall back)
    [
      "America/New_York",
      "2026-11-01",
      "2026-11-01",
      "2026-11-01T04:00:00Z",
      "2026-11-02T05:00:00Z",
    ],
    ["Asia/Kolkata", "2026-08-15", "2026-08-15", "2026-08-14T18:30:00Z", "2026-08-15T18:30:00Z"],
  ])("%s freeze %s..%s covers [%s, %s)", (timezone, from, to, first, end) => {
    const spec = { timezone, freeze: [{ from, to, reason: "Holiday" }] };
    const firstInstant = at(first).getTime();
    const endInstant = at(end).getTime();
    expect(windowState(spec, new Date(firstInstant - 1)).open).toBe(true);
    expect(windowState(spec, new Date(firstInstant)).open).toBe(false);
    expect(windowState(spec, new Date(endInstant - 1)).open).toBe(false);
    expect(windowState(spec, new Date(endInstant)).open).toBe(true);
    expect(iso(windowState(spec, new Date(firstInstant)).freeze?.until)).toBe(
      at(end).toISOString(),
    );
  });

  it("reports the freeze reason and when it lifts, in local time", () => {
    expect(windowState(frozenOnly, at("2026-12-21T12:00:00Z"))).toEqual({
      open: false,
      reason: "Year-end freeze until 4 Jan 2027 23:59 CET",
      freeze: {
        reason: "Year-end freeze",
        until: at("2027-01-04T23:00:00Z"),
        // The instant the reason writes: 4 Jan 2027 23:59 CET.
        shownUntil: at("2027-01-04T22:59:00Z"),
      },
      opensAt: at("2027-01-04T23:00:00Z"),
    });
    expect(windowState(frozenOnly, at("2026-11-28T12:00:00Z")).reason).toBe(
      "Black Friday freeze until 30 Nov 06:00 CET",
    );
  });

  it("follows a chain of overlapping freezes to its end", () => {
    const spec = {
      timezone: "Europe/Berlin",
      freeze: [
        { from: "2026-12-28", to: "2027-01-06", reason: "Inventory" },
        { from: "2026-12-20", to: "2026-12-31", reason: "Year-end freeze" },
      ],
    };
    const state = windowState(spec, at("2026-12-22T12:00:00Z"));
    expect(state.freeze).toMatchObject({
      reason: "Year-end freeze",
      until: at("2027-01-06T23:00:00Z"),
    });
    expect(iso(state.opensAt)).toBe("2027-01-06T23:00:00.000Z");
  });

  it("uses a default reason when the freeze has none", () => {
    const spec = { timezone: "UTC", freeze: [{ from: "2026-06-01", to: "2026-06-02" }] };
    expect(windowState(spec, at("2026-06-01T12:00:00Z")).reason).toBe(
      "Change freeze until 2 Jun 23:59 UTC",
    );
  });
});

describe("windowState: opensAt skips freezes", () => {
  // Frozen from Friday through Monday: the weekend lies inside the freeze.
  const spec: WindowRequirement = {
    ...berlinWeek,
    freeze: [{ from: "2026-11-27", to: "2026-11-30", reason: "Release train" }],
  };

  it.each([
    // [local, now, open, opensAt, closesAt, freeze until]
    [
      "Thu 26 Nov 10:00",
      "2026-11-26T09:00:00.000Z",
      true,
      undefined,
      "2026-11-26T15:00:00.000Z",
      undefined,
    ],
    [
      "Thu 26 Nov 17:00",
      "2026-11-26T16:00:00.000Z",
      false,
      "2026-12-01T08:00:00.000Z",
      undefined,
      undefined,
    ],
    [
      "Sat 28 Nov 13:00",
      "2026-11-28T12:00:00.000Z",
      false,
      "2026-12-01T08:00:00.000Z",
      undefined,
      "2026-11-30T23:00:00.000Z",
    ],
    [
      "Mon 30 Nov 10:00",
      "2026-11-30T09:00:00.000Z",
      false,
      "2026-12-01T08:00:00.000Z",
      undefined,
      "2026-11-30T23:00:00.000Z",
    ],
  ] as const)("%s CET", (_local, now, open, opensAt, closesAt, until) => {
    const state = windowState(spec, at(now));
    expect(state.open).toBe(open);
    expect(iso(state.opensAt)).toBe(opensAt);
    expect(iso(state.closesAt)).toBe(closesAt);
    expect(iso(state.freeze?.until)).toBe(until);
  });

  it("closes an open period early when a freeze begins", () => {
    const early = {
      ...berlinWeek,
      freeze: [{ from: "2026-11-26T12:00", to: "2026-11-26T18:00", reason: "Migration" }],
    };
    const state = windowState(early, at("2026-11-26T09:00:00Z"));
    expect(iso(state.closesAt)).toBe("2026-11-26T11:00:00.000Z");
    expect(state.reason).toBe(
      "Inside the deployment window (Mon-Thu 09:00-16:00, Fri 09:00-12:00 Europe/Berlin) until Thu 26 Nov 12:00 CET, when the Migration freeze begins",
    );
  });
});

describe("windowState: a long freeze over overnight periods", () => {
  it("opens inside the overnight period that outlasts the freeze", () => {
    const spec = {
      timezone: "Europe/Berlin",
      allow: ["Mon-Sun 22:00-02:00", "Wed 12:00-13:00"],
      freeze: [{ from: "2026-01-01", to: "2026-06-30", reason: "Platform migration" }],
    };
    // Sat 10 Jan 2026: the next opening is 1 Jul 00:00 CEST, inside Tue 30 Jun 22:00-02:00.
    const state = windowState(spec, at("2026-01-10T12:00:00Z"));
    expect(iso(state.opensAt)).toBe("2026-06-30T22:00:00.000Z");
    const inside = windowState(spec, at("2026-06-30T22:00:00Z"));
    expect(inside.open).toBe(true);
    expect(iso(inside.closesAt)).toBe("2026-07-01T00:00:00.000Z");
  });
});

describe("windowState: reasons", () => {
  it.each([
    [
      { timezone: "Europe/Berlin", allow: ["Mon-Thu 09:00-16:00"] },
      "2026-11-27T12:00:00Z",
      "Outside the deployment window (Mon-Thu 09:00-16:00 Europe/Berlin); opens Mon 30 Nov 09:00 CET",
    ],
    [
      berlinWeek,
      "2026-11-26T09:00:00Z",
      "Inside the deployment window (Mon-Thu 09:00-16:00, Fri 09:00-12:00 Europe/Berlin) until Thu 26 Nov 16:00 CET",
    ],
    [
      {
        ...berlinWeek,
        freeze: [{ from: "2026-12-20", to: "2027-01-04", reason: "Year-end freeze" }],
      },
      "2026-12-18T13:00:00Z",
      "Outside the deployment window (Mon-Thu 09:00-16:00, Fri 09:00-12:00 Europe/Berlin); opens Tue 5 Jan 2027 09:00 CET, after the Year-end freeze",
    ],
    [
      {
        ...berlinWeek,
        freeze: [{ from: "2026-12-20", to: "2027-01-04", reason: "Year-end freeze" }],
      },
      "2026-12-21T13:00:00Z",
      "Year-end freeze until 4 Jan 2027 23:59 CET; the window opens Tue 5 Jan 2027 09:00 CET",
    ],
    [
      { timezone: "America/New_York", allow: ["Mon-Fri 09:00-17:00"] },
      "2026-03-07T12:00:00Z",
      "Outside the deployment window (Mon-Fri 09:00-17:00 America/New_York); opens Mon 9 Mar 09:00 EDT",
    ],
    [
      {
        timezone: "Europe/Berlin",
        freeze: [{ from: "2026-12-20", to: "2027-01-04", reason: "Year-end freeze" }],
      },
      "2026-12-01T12:00:00Z",
      "No freeze is on and no deployment window is set (Europe/Berlin); the Year-end freeze begins Sun 20 Dec 00:00 CET",
    ],
    [
      { timezone: "Asia/Kolkata" },
      "2026-12-01T12:00:00Z",
      "No freeze is on and no deployment window is set (Asia/Kolkata)",
    ],
  ] as const)("%j at %s", (spec, now, reason) => {
    expect(windowState(spec as WindowRequirement, at(now)).reason).toBe(reason);
  });

  it("describes the window for fix texts", () => {
    expect(describeWindow(berlinWeek)).toBe("Mon-Thu 09:00-16:00, Fri 09:00-12:00 Europe/Berlin");
  });
});

describe("windowState: bounded search", () => {
  it("gives no opensAt when the window does not open within the search bound", () => {
    const spec = {
      timezone: "Europe/Berlin",
      allow: ["Mon 09:00-10:00"],
      freeze: [{ from: "2026-01-01", to: "2027-12-31", reason: "Moratorium" }],
    };
    const state = windowState(spec, at("2026-06-01T12:00:00Z"));
    expect(state.open).toBe(false);
    expect(state.opensAt).toBeUndefined();
    expect(state.reason).toBe(
      `Moratorium freeze until 31 Dec 2027 23:59 CET; the window does not open within ${SEARCH_DAYS} days`,
    );
  });

  it("finds an opening just inside the bound", () => {
    const spec = {
      timezone: "UTC",
      freeze: [{ from: "2026-01-01", to: "2026-12-30" }],
    };
    const state = windowState(spec, at("2026-01-01T00:00:00Z"));
    expect(iso(state.opensAt)).toBe("2026-12-31T00:00:00.000Z");
  });
});

describe("windowState: refuses what it cannot judge", () => {
  it.each([
    [{ timezone: "Mars/Olympus_Mons" }, "unknown time zone"],
    [{ timezone: "Europe/Berlin", allow: ["Mon-Thu 9-16"] }, "is not a time range"],
    [{ timezone: "Europe/Berlin", freeze: [{ from: "2026-02-30", to: "2026-03-01" }] }, "calendar"],
  ])("%j throws WindowSpecError", (spec, message) => {
    expect(() => windowState(spec, at("2026-06-01T12:00:00Z"))).toThrow(WindowSpecError);
    expect(() => windowState(spec, at("2026-06-01T12:00:00Z"))).toThrow(message);
  });

  it("refuses an invalid now", () => {
    expect(() => windowState({ timezone: "UTC" }, new Date("not a date"))).toThrow(RangeError);
  });
});
