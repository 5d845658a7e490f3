// `environments.<name>.notify` names environment variables of a few prefixes, never URLs.
import { parsePolicy } from "../../src/policy/parse.js";
import { formatProblem } from "../../src/policy/problems.js";
import { isNotifyVariable } from "../../src/policy/notify.js";

const FILE = "acme/svc:.github/release-policy.yml";

function parse(notify: string) {
  const text = `environments:\n  production:\n    notify: ${notify}\n`;
  const parsed = parsePolicy({ location: FILE, text });
  return {
    policy: parsed.policy,
    problems: parsed.problems.map((p) => formatProblem(p).slice(FILE.length + 1)),
  };
}

describe("environments.<name>.notify", () => {
  it("takes a Slack and a Teams variable", () => {
    const { policy, problems } = parse(
      "{ slack: SLACK_PRODUCTION_WEBHOOK, teams: RELEASE_POLICY_NOTIFY_TEAMS }",
    );
    expect(problems).toEqual([]);
    expect(policy?.environments?.production?.notify).toEqual({
      slack: "SLACK_PRODUCTION_WEBHOOK",
      teams: "RELEASE_POLICY_NOTIFY_TEAMS",
    });
  });

  it("refuses a URL, saying to put it in a variable", () => {
    const { problems } = parse('{ slack: "https://hooks.slack.com/services/T000/B000/XXXX" }');
    expect(problems).toEqual([
      expect.stringMatching(
        /^3:\d+: environments\.production\.notify\.slack: a webhook URL in the policy is a secret .* \(e\.g\. SLACK_PRODUCTION_WEBHOOK\) and name the variable here$/,
      ),
    ]);
  });

  it("refuses a variable of another prefix, and says upper case where that is all", () => {
    expect(parse("{ teams: GITHUB_TOKEN }").problems).toEqual([
      expect.stringContaining(
        '"GITHUB_TOKEN" is not a notification variable: name an environment variable of the app starting with SLACK_, TEAMS_ or RELEASE_POLICY_NOTIFY_',
      ),
    ]);
    expect(parse("{ slack: slack_prod }").problems).toEqual([
      expect.stringContaining("environment variable names are upper case: write SLACK_PROD"),
    ]);
  });

  it("needs one of slack or teams, and nothing else", () => {
    expect(parse("{}").problems).toEqual([
      expect.stringContaining("name at least one of slack or teams"),
    ]);
    expect(parse("{ email: SLACK_X }").problems).toContainEqual(
      expect.stringContaining('unknown key "email"; allowed keys: slack, teams'),
    );
  });

  it("knows which variables may carry a webhook URL", () => {
    expect(["SLACK_A", "TEAMS_B_2", "RELEASE_POLICY_NOTIFY_X"].map(isNotifyVariable)).toEqual([
      true,
      true,
      true,
    ]);
    expect(["SLACK_", "PATH", "slack_a", "SLACKX_A", "PRIVATE_KEY"].map(isNotifyVariable)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});
