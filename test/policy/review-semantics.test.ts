import { describe, expect, it } from "@jest/globals";
import { parsePolicy } from "../../src/policy/parse.js";

const problems = (text: string): string[] =>
  parsePolicy({ location: "acme/shop:.github/release-policy.yml", text }).problems.map(
    (p) => `${p.line}:${p.column}: ${p.path}: ${p.message}`,
  );

describe("post_implementation_review", () => {
  it("accepts true with environments, and a named environment that exists", () => {
    expect(
      problems(`change_types:
  emergency: { labels: [e], post_implementation_review: true }
environments: { production: {} }
`),
    ).toEqual([]);
    expect(
      problems(`change_types:
  emergency: { labels: [e], post_implementation_review: { environment: Production } }
environments: { production: {} }
`),
    ).toEqual([]);
  });

  it("reports an unknown environment, and a review with no environment to open on", () => {
    expect(
      problems(`change_types:
  emergency: { labels: [e], post_implementation_review: { environment: prod } }
environments: { production: {} }
`),
    ).toEqual([
      '2:72: change_types.emergency.post_implementation_review.environment: unknown environment "prod"; defined: "production"',
    ]);
    expect(
      problems(`change_types:
  emergency: { labels: [e], post_implementation_review: true }
`),
    ).toEqual([
      "2:57: change_types.emergency.post_implementation_review: a post-implementation review needs an environment: add environments, or name one here",
    ]);
  });
});
