import {
  decodeReleaseState,
  emptyReleaseState,
  encodeReleaseState,
  withDeployment,
  type ReleaseDeployment,
} from "../../src/facts/release-state.js";
import { parseRecordMarker, recordMarker } from "../../src/report/release-record.js";

const deployment = (id: number, state: ReleaseDeployment["state"]): ReleaseDeployment => ({
  id,
  environment: "production",
  state,
  at: "2026-11-26T10:00:00Z",
  approvedBy: [],
});

describe("the record's signed state", () => {
  const state = withDeployment({ ...emptyReleaseState(), pusher: "tom" }, deployment(1, "success"));

  it("reads back what was written with the same key", () => {
    expect(decodeReleaseState(`text\n${encodeReleaseState(state, "k1")}\n`, "k1")).toEqual(state);
  });

  it.each([
    ["another key", (block: string) => block, "k2"],
    [
      "an altered payload",
      (block: string) => block.replace(/state ([A-Za-z0-9_-])/, "state x$1"),
      "k1",
    ],
    ["a doubled block", (block: string) => `${block}\n${block}`, "k1"],
    ["no block", () => "", "k1"],
  ])("reads as empty with %s: a forged pusher never counts", (_, edit, key) => {
    expect(decodeReleaseState(edit(encodeReleaseState(state, "k1")), key)).toEqual(
      emptyReleaseState(),
    );
  });

  it("replaces a deployment by id and keeps the order first seen", () => {
    const next = withDeployment(
      withDeployment(state, deployment(2, "failure")),
      deployment(1, "inactive"),
    );
    expect(next.deployments.map((d) => [d.id, d.state])).toEqual([
      [1, "inactive"],
      [2, "failure"],
    ]);
  });
});

describe("the record's marker", () => {
  it.each(["v1.2.0", "weird-->tag", "rel/2026 x"])("round-trips the tag %s", (tag) => {
    const sha = "a".repeat(40);
    expect(parseRecordMarker(`x ${recordMarker(tag, sha)} y`)).toEqual({ tag, sha });
    expect(parseRecordMarker(recordMarker(tag, undefined))).toEqual({ tag });
  });
});
