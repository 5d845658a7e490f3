import { describe, expect, it } from "@jest/globals";
import { isRecheckCommand } from "../../src/handlers/recheck-comment.js";

describe("isRecheckCommand", () => {
  it("is the whole comment, surrounding whitespace aside", () => {
    expect(isRecheckCommand("/recheck")).toBe(true);
    expect(isRecheckCommand("  /recheck\n")).toBe(true);
  });

  it("is not a quote, a code block, a sentence or another case", () => {
    for (const body of [
      "> /recheck",
      "`/recheck`",
      "please /recheck",
      "/recheck now",
      "/Recheck",
    ]) {
      expect(isRecheckCommand(body)).toBe(false);
    }
    expect(isRecheckCommand(null)).toBe(false);
  });
});
