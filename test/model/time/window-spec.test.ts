import { parse } from "yaml";
import { z } from "zod";
import {
  ALLOW_SPEC_PATTERN,
  parseAllowSpec,
  parseLocalDateTime,
  windowRequirementSchema,
} from "../../../src/model/time/window-spec.js";

const EXAMPLE = `
window:
  timezone: Europe/Berlin
  allow: ["Mon-Thu 09:00-16:00", "Fri 09:00-12:00"]
  freeze:
    - { from: 2026-12-20, to: 2027-01-04, reason: Year-end freeze }
    - { from: "2026-11-27T18:00", to: "2026-11-30T06:00", reason: Black Friday }
  outside: wait
`;

describe("parseAllowSpec", () => {
  it.each([
    ["Mon-Thu 09:00-16:00", [1, 2, 3, 4], 540, 960],
    ["Fri 09:00-12:00", [5], 540, 720],
    ["Mon,Wed,Fri 08:00-09:30", [1, 3, 5], 480, 570],
    ["Mon-Tue,Thu 00:00-24:00", [1, 2, 4], 0, 1440],
    ["Fri-Mon 10:00-11:00", [1, 5, 6, 7], 600, 660],
    ["Sat-Sun,Sat 10:00-11:00", [6, 7], 600, 660],
    // An end at or before the start is on the next day.
    ["Fri 22:00-02:00", [5], 1320, 1560],
    ["Sat 18:00-00:00", [6], 1080, 1440],
    ["  Sun  01:00-04:00 ", [7], 60, 240],
  ])("%j → days %j, %d to %d", (spec, days, start, end) => {
    expect(parseAllowSpec(spec)).toEqual({
      ok: true,
      value: { text: spec.trim(), days, start, end },
    });
  });

  it.each([
    ["Mon-Thu", "write days, a space, then hours"],
    ["09:00-16:00", "write days, a space, then hours"],
    ["Mon 09:00 - 16:00", "write days, a space, then hours"],
    ["", "write days, a space, then hours"],
    ["Monday 09:00-16:00", '"Monday" is not a day or a day range'],
    ["mon 09:00-16:00", '"mon" is not a day or a day range'],
    ["Mon- 09:00-16:00", '"Mon-" is not a day or a day range'],
    ["Mon-Tue-Wed 09:00-16:00", '"Mon-Tue-Wed" is not a day or a day range'],
    ["Mon,,Tue 09:00-16:00", '"" is not a day or a day range'],
    ["Mon 9:00-16:00", '"9:00-16:00" is not a time range'],
    ["Mon 09:00-16:60", "HH:MM-HH:MM in 24-hour time"],
    ["Mon 09:00-25:00", "HH:MM-HH:MM in 24-hour time"],
    ["Mon 09:00-24:30", "HH:MM-HH:MM in 24-hour time"],
    ["Mon 24:00-02:00", "HH:MM-HH:MM in 24-hour time"],
    ["Mon 09:00", "HH:MM-HH:MM in 24-hour time"],
    ["Mon 09:00-09:00", "starts and ends at the same time: use 00:00-24:00"],
  ])("refuses %j: %s", (spec, message) => {
    const parsed = parseAllowSpec(spec);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? "" : parsed.error).toContain(message);
  });

  it.each(["Mon-Thu 09:00-16:00", "Fri-Mon 22:00-02:00", "Mon,Wed 00:00-24:00"])(
    "publishes a JSON Schema pattern that accepts %j",
    (spec) => expect(new RegExp(ALLOW_SPEC_PATTERN).test(spec)).toBe(true),
  );
  it.each(["Mon 24:00-02:00", "mon 09:00-10:00", "Mon 9:00-10:00"])(
    "publishes a JSON Schema pattern that refuses %j",
    (spec) => expect(new RegExp(ALLOW_SPEC_PATTERN).test(spec)).toBe(false),
  );
});

describe("parseLocalDateTime", () => {
  it.each([
    ["2026-12-20", { year: 2026, month: 12, day: 20 }],
    ["2026-11-27T18:00", { year: 2026, month: 11, day: 27, minutes: 1080 }],
    ["2026-11-27 06:05", { year: 2026, month: 11, day: 27, minutes: 365 }],
    ["2028-02-29", { year: 2028, month: 2, day: 29 }],
  ])("%j", (text, value) => {
    expect(parseLocalDateTime(text)).toEqual({ ok: true, value });
  });

  it.each([
    ["2026-02-30", "is not a calendar date"],
    ["2026-13-01", "is not a calendar date"],
    ["2026-11-27T24:00", "has no valid time"],
    ["2026-11-27T18:00Z", "has a UTC offset"],
    ["2026-11-27T18:00+01:00", "has a UTC offset"],
    ["20.12.2026", "is not a date"],
    ["2026-11-27T18:00:00", "is not a date"],
    ["next friday", "is not a date"],
  ])("refuses %j: %s", (text, message) => {
    const parsed = parseLocalDateTime(text);
    expect(parsed.ok ? "" : parsed.error).toContain(message);
  });
});

function issuesOf(window: unknown) {
  const result = windowRequirementSchema.safeParse(window);
  return result.success ? [] : result.error.issues.map(({ path, message }) => ({ path, message }));
}

describe("windowRequirementSchema", () => {
  it("accepts the documented example as the yaml package parses it", () => {
    const { window } = parse(EXAMPLE) as { window: unknown };
    // The core schema keeps an unquoted date a string.
    expect((window as { freeze: Array<{ from: unknown }> }).freeze[0]?.from).toBe("2026-12-20");
    expect(windowRequirementSchema.parse(window)).toEqual({
      timezone: "Europe/Berlin",
      allow: ["Mon-Thu 09:00-16:00", "Fri 09:00-12:00"],
      freeze: [
        { from: "2026-12-20", to: "2027-01-04", reason: "Year-end freeze" },
        { from: "2026-11-27T18:00", to: "2026-11-30T06:00", reason: "Black Friday" },
      ],
      outside: "wait",
    });
  });

  it("accepts dates that a YAML 1.1 loader turned into Date objects", () => {
    const { window } = parse(EXAMPLE, { schema: "yaml-1.1" }) as { window: unknown };
    expect((window as { freeze: Array<{ from: unknown }> }).freeze[0]?.from).toBeInstanceOf(Date);
    expect(windowRequirementSchema.parse(window).freeze?.[0]).toEqual({
      from: "2026-12-20",
      to: "2027-01-04",
      reason: "Year-end freeze",
    });
  });

  it.each([
    [new Date("2026-11-27T18:00:00Z"), "2026-11-27T18:00"],
    [new Date("2026-12-20T00:00:00Z"), "2026-12-20"],
  ])("reads a Date %s as local %j", (from, expected) => {
    const parsed = windowRequirementSchema.parse({
      timezone: "UTC",
      freeze: [{ from, to: "2027-01-01" }],
    });
    expect(parsed.freeze?.[0]?.from).toBe(expected);
  });

  it.each([
    { timezone: "Asia/Kolkata" },
    { timezone: "UTC", allow: ["Mon-Sun 00:00-24:00"], outside: "reject" },
    { timezone: "Europe/Berlin", freeze: [{ from: "2026-12-24", to: "2026-12-24" }] },
    { timezone: "Europe/Berlin", freeze: [{ from: "2026-12-24T10:00", to: "2026-12-24" }] },
  ])("accepts %j", (window) => {
    expect(issuesOf(window)).toEqual([]);
  });

  it.each([
    [{ timezone: "Europe/Berln" }, ["timezone"], 'unknown time zone "Europe/Berln"'],
    [{ timezone: "+01:00" }, ["timezone"], "use an IANA name such as Europe/Berlin"],
    // Node 24's Intl accepts fixed offsets as time zones; a policy must mean the same on any Node.
    [{ timezone: "-05:00" }, ["timezone"], "use an IANA name such as Europe/Berlin"],
    [{ timezone: "+0530" }, ["timezone"], "use an IANA name such as Europe/Berlin"],
    [{ allow: ["Mon 09:00-10:00"] }, ["timezone"], "expected string"],
    [{ timezone: "UTC", allow: ["Mon-Thu 9:00-16:00"] }, ["allow", 0], "is not a time range"],
    [{ timezone: "UTC", allow: ["Mon 09:00-10:00", "Tues 09:00-10:00"] }, ["allow", 1], '"Tues"'],
    [{ timezone: "UTC", allow: [] }, ["allow"], "or leave allow out to allow every hour"],
    [
      { timezone: "UTC", freeze: [{ from: "2027-01-04", to: "2026-12-20" }] },
      ["freeze", 0, "to"],
      "the freeze ends before it starts: to (2026-12-20) must be after from (2027-01-04)",
    ],
    [
      { timezone: "UTC", freeze: [{ from: "2026-11-27T18:00", to: "2026-11-27T18:00" }] },
      ["freeze", 0, "to"],
      "the freeze ends before it starts",
    ],
    [
      { timezone: "UTC", freeze: [{ from: "2026-11-27T18:00", to: "2026-11-27T12:00" }] },
      ["freeze", 0, "to"],
      "the freeze ends before it starts",
    ],
    [
      { timezone: "UTC", freeze: [{ from: "2026-02-30", to: "2026-03-02" }] },
      ["freeze", 0, "from"],
      "not a calendar date",
    ],
    [
      { timezone: "UTC", freeze: [{ from: new Date("2026-11-27T18:00:30Z"), to: "2026-12-01" }] },
      ["freeze", 0, "from"],
      "is not a date",
    ],
    [
      { timezone: "UTC", freeze: [{ from: "2026-12-20", until: "2026-12-21" }] },
      ["freeze", 0, "to"],
      "expected string",
    ],
    [
      { timezone: "UTC", freeze: [{ from: "2026-12-20", to: "2026-12-21", why: "x" }] },
      ["freeze", 0],
      'Unrecognized key: "why"',
    ],
    [{ timezone: "UTC", outside: "later" }, ["outside"], '"wait"|"reject"'],
    [{ timezone: "UTC", zone: "UTC" }, [], 'Unrecognized key: "zone"'],
  ])("refuses %j at %j: %s", (window, path, message) => {
    const issues = issuesOf(window);
    expect(issues).toContainEqual({ path, message: expect.stringContaining(message) });
  });

  it("converts to JSON Schema with descriptions and patterns for editors", () => {
    const schema = z.toJSONSchema(windowRequirementSchema) as {
      description: string;
      properties: Record<string, { description?: string; items?: { pattern?: string } }>;
    };
    expect(schema.description).toMatch(/deployment window/);
    expect(schema.properties.allow?.items?.pattern).toBe(ALLOW_SPEC_PATTERN);
    for (const key of ["timezone", "allow", "freeze", "outside"]) {
      expect(schema.properties[key]?.description).toBeTruthy();
    }
  });
});
