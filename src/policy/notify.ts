// `environments.<name>.notify`: where an environment's decisions and freezes are announced.
// The policy names environment variables of the app, never webhook URLs: a URL in a repository
// is a secret anyone with read access can post to. And only variables of a few prefixes may be
// named, so a policy author cannot point the app at some other secret of its environment
// (whose value would not be a URL anyway, and is refused when it is not one).
import { z } from "zod";
import { orList } from "../model/words.js";

/** The prefixes a variable named under `notify` must start with. */
export const NOTIFY_PREFIXES = ["SLACK_", "TEAMS_", "RELEASE_POLICY_NOTIFY_"] as const;

/** A variable name the policy may name: upper case, one of the prefixes, then more. */
export const NOTIFY_VARIABLE_PATTERN = /^(?:SLACK|TEAMS|RELEASE_POLICY_NOTIFY)_[A-Z0-9_]{1,100}$/;

/** Whether a variable of the app's environment may carry a notification webhook URL. */
export function isNotifyVariable(name: string): boolean {
  return NOTIFY_VARIABLE_PATTERN.test(name);
}

/** Why `text` cannot name a variable, with the fix; undefined when it can. */
export function notifyVariableProblem(text: string, channel: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text.trim()) || /hooks\.slack\.com|webhook\./i.test(text)) {
    const example = channel === "teams" ? "TEAMS_PRODUCTION_WEBHOOK" : "SLACK_PRODUCTION_WEBHOOK";
    return `a webhook URL in the policy is a secret anyone who can read the repository can post to: set it in an environment variable of the app (e.g. ${example}) and name the variable here`;
  }
  if (isNotifyVariable(text)) return undefined;
  const upper = text.toUpperCase();
  if (upper !== text && isNotifyVariable(upper)) {
    return `environment variable names are upper case: write ${upper}`;
  }
  return `"${text}" is not a notification variable: name an environment variable of the app starting with ${orList([...NOTIFY_PREFIXES])} (e.g. ${channel === "teams" ? "TEAMS" : "SLACK"}_PRODUCTION_WEBHOOK); other variables are never read`;
}

const variable = (channel: "slack" | "teams") =>
  z
    .string()
    .max(120)
    .superRefine((text, ctx) => {
      const problem = notifyVariableProblem(text, channel);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .meta({ pattern: NOTIFY_VARIABLE_PATTERN.source })
    .describe(
      `The environment variable of the app that holds the ${channel === "slack" ? "Slack" : "Microsoft Teams"} incoming-webhook URL (never the URL itself). Its name starts with ${orList([...NOTIFY_PREFIXES])}, and the app's operator must have scoped it to this repository's owner (NOTIFY_SCOPE_<VARIABLE>).`,
    );

export const notifySchema = z
  .strictObject({
    slack: variable("slack").optional(),
    teams: variable("teams").optional(),
  })
  .refine((notify) => notify.slack !== undefined || notify.teams !== undefined, {
    message: "name at least one of slack or teams",
  })
  .describe(
    "Announce this environment's deployments held waiting on people, approved or rejected, and its freezes starting and ending, to a Slack and/or Microsoft Teams channel (docs/notifications.md).",
  );

export type NotifySpec = z.infer<typeof notifySchema>;
