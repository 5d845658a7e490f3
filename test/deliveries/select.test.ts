import {
  failedGuids,
  lookbackStart,
  readNextPage,
  selectRedeliveries,
  succeeded,
  type Bounds,
} from "../../src/deliveries/select.js";
import { attempt, NOW } from "./deliveries.js";

const HOUR = 60 * 60_000;
const bounds = (over: Partial<Bounds> = {}): Bounds => ({
  since: new Date(NOW.getTime() - 6 * HOUR),
  maxPages: 10,
  maxRequests: 20,
  ...over,
});
const none = new Set<string>();
const guidsOf = (list: { guid: string }[]) => list.map((d) => d.guid);

describe("which failed deliveries to redeliver", () => {
  test("a delivery that never connected or got a 5xx is redelivered, oldest first", () => {
    const page = [attempt("b", 5, 503), attempt("ok", 7, 202), attempt("a", 10, 0)];
    const selection = selectRedeliveries(page, none, bounds());
    expect(guidsOf(selection.redeliver)).toEqual(["a", "b"]);
    expect(selection).toMatchObject({ failed: 2, deferred: 0 });
  });

  test("a guid with any 2xx attempt is fine, even when a later redelivery failed", () => {
    const page = [
      attempt("x", 1, 502, { redelivery: true }),
      attempt("y", 2, 200, { redelivery: true }),
      attempt("x", 20, 200),
      attempt("y", 30, 0),
    ];
    expect(selectRedeliveries(page, none, bounds()).redeliver).toEqual([]);
  });

  test("the latest failed attempt of a guid is the one asked for", () => {
    const older = attempt("g", 30, 0);
    const newer = attempt("g", 10, 500);
    expect(selectRedeliveries([newer, older], none, bounds()).redeliver).toEqual([newer]);
  });

  test("a guid asked for already is skipped: by the app (store) or anyone (a redelivery on GitHub)", () => {
    const page = [
      attempt("asked", 5, 0),
      attempt("by-hand", 3, 500, { redelivery: true }),
      attempt("by-hand", 9, 0),
      attempt("new", 8, 0),
    ];
    const selection = selectRedeliveries(page, new Set(["asked"]), bounds());
    expect(guidsOf(selection.redeliver)).toEqual(["new"]);
    // The one asked for is still a failed delivery in the window.
    expect(selection.failed).toBe(2);
  });

  test("failures before the window are left alone", () => {
    const page = [attempt("recent", 60, 0), attempt("old", 7 * 60, 0)];
    expect(guidsOf(selectRedeliveries(page, none, bounds()).redeliver)).toEqual(["recent"]);
  });

  test("at most maxRequests a pass; the rest are deferred, the oldest go first", () => {
    const page = Array.from({ length: 25 }, (_, i) => attempt(`g${i}`, i + 1, 0));
    const selection = selectRedeliveries(page, none, bounds({ maxRequests: 20 }));
    expect(selection.redeliver).toHaveLength(20);
    expect(selection.deferred).toBe(5);
    expect(selection.redeliver[0]?.guid).toBe("g24");
    // A later pass with those asked for takes the rest.
    const next = selectRedeliveries(page, new Set(guidsOf(selection.redeliver)), bounds());
    expect(guidsOf(next.redeliver)).toEqual(["g4", "g3", "g2", "g1", "g0"]);
  });

  test("an original and its successful redelivery on different pages: fine once both are read", () => {
    const page1 = [attempt("g", 2, 200, { redelivery: true })];
    const page2 = [attempt("g", 50, 0)];
    expect(selectRedeliveries([...page1, ...page2], none, bounds()).redeliver).toEqual([]);
  });

  test("GitHub's status OK counts as delivered whatever the code", () => {
    expect(succeeded(attempt("g", 1, 0, { status: "OK" }))).toBe(true);
    expect(succeeded(attempt("g", 1, 302))).toBe(false);
  });
});

describe("reading pages", () => {
  test("the next page is read while the oldest on this one is inside the window", () => {
    expect(readNextPage([attempt("a", 10), attempt("b", 60)], 1, bounds())).toBe(true);
  });

  test("a page that reaches back before the window is the last", () => {
    expect(readNextPage([attempt("a", 10), attempt("b", 7 * 60)], 1, bounds())).toBe(false);
  });

  test("an empty page is the last", () => {
    expect(readNextPage([], 1, bounds())).toBe(false);
  });

  test("no more than maxPages a pass", () => {
    const page = [attempt("a", 10)];
    expect(readNextPage(page, 9, bounds({ maxPages: 10 }))).toBe(true);
    expect(readNextPage(page, 10, bounds({ maxPages: 10 }))).toBe(false);
  });
});

describe("how far back a pass looks", () => {
  test("the lookback window when no pass completed", () => {
    expect(lookbackStart(NOW, undefined, 6 * HOUR, 15 * 60_000)).toEqual(
      new Date(NOW.getTime() - 6 * HOUR),
    );
  });

  test("the last complete pass minus the margin", () => {
    const last = new Date(NOW.getTime() - 5 * 60_000);
    expect(lookbackStart(NOW, last, 6 * HOUR, 15 * 60_000)).toEqual(
      new Date(NOW.getTime() - 20 * 60_000),
    );
  });

  test("never further back than the window, however long ago the last pass was", () => {
    const last = new Date(NOW.getTime() - 48 * HOUR);
    expect(lookbackStart(NOW, last, 6 * HOUR, 15 * 60_000)).toEqual(
      new Date(NOW.getTime() - 6 * HOUR),
    );
  });
});

describe("which guids the store is asked about", () => {
  test("only failed ones inside the window", () => {
    const page = [
      attempt("ok", 1, 200),
      attempt("fixed", 2, 200, { redelivery: true }),
      attempt("fixed", 5, 0),
      attempt("failed", 3, 503),
      attempt("old", 7 * 60, 0),
    ];
    expect(failedGuids(page, bounds().since)).toEqual(["failed"]);
  });
});
