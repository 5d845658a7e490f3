import { describe, expect, it } from "@jest/globals";
import { parseApproveCommand } from "../../src/holds/approve-command.js";

describe("parseApproveCommand", () => {
  it.each([
    ["/approve production", "production"],
    ["  /approve production  \n", "production"],
    ["/approve\tstaging-eu", "staging-eu"],
    ["/approve Production", "Production"],
  ])("%j signs off for %s", (body, environment) => {
    expect(parseApproveCommand(body)).toBe(environment);
  });

  it.each([
    ["/Approve production"],
    ["/APPROVE production"],
    ["/approve"],
    ["/approve "],
    ["/approveproduction"],
    ["/approve production please"],
    ["please /approve production"],
    ["/approve production\nand some more"],
    ["> /approve production"],
    ["`/approve production`"],
    ["```\n/approve production\n```"],
    ["    /approve production\nx"],
    ['/approve "production"'],
    [""],
  ])("%j is not the command", (body) => {
    expect(parseApproveCommand(body)).toBeNull();
  });

  it("reads no body as no command", () => {
    expect(parseApproveCommand(null)).toBeNull();
    expect(parseApproveCommand(undefined)).toBeNull();
  });
});
