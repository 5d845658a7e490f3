// Which owners may name each notification variable. The app's operator sets, beside each
// webhook variable, `NOTIFY_SCOPE_<VARIABLE>` to the owners (organizations or users) whose
// repositories may post through it: `NOTIFY_SCOPE_SLACK_RELEASES=acme,acme-labs`. A variable
// without one is no repository's, so one installation's policy can never post into another
// organization's channel. A policy naming a variable the operator set or scoped for others is
// invalid at the exact `notify` key; the outbox checks the scope again before each POST.
import type { PolicyProblem } from "../model/result.js";
import { isNotifyVariable } from "./notify.js";
import type { PolicyLocator } from "./problems.js";
import type { Policy } from "./schema.js";

/** The operator's variable naming who may use `SLACK_X` is `NOTIFY_SCOPE_SLACK_X`. */
export const NOTIFY_SCOPE_PREFIX = "NOTIFY_SCOPE_";

/** What the operator set for notifications. */
export interface NotifyScope {
  /** The owners (lower case) each scoped variable is for. */
  owners: ReadonlyMap<string, ReadonlySet<string>>;
  /** The notification variables that hold something. */
  set: ReadonlySet<string>;
}

/** The scope the operator set: `NOTIFY_SCOPE_<VARIABLE>=owner,owner` (case and spaces aside). */
export function notifyScopeOf(env: Readonly<Record<string, string | undefined>>): NotifyScope {
  const owners = new Map<string, ReadonlySet<string>>();
  const set = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (!value?.trim()) continue;
    if (isNotifyVariable(name)) set.add(name);
    if (!name.startsWith(NOTIFY_SCOPE_PREFIX)) continue;
    const listed = value
      .split(",")
      .map((owner) => owner.trim().toLowerCase())
      .filter((owner) => owner !== "");
    owners.set(name.slice(NOTIFY_SCOPE_PREFIX.length), new Set(listed));
  }
  return { owners, set };
}

/** Whether repositories of `owner` may post through `variable`: its scope lists the owner. */
export function mayNotify(scope: NotifyScope, owner: string, variable: string): boolean {
  return scope.owners.get(variable)?.has(owner.toLowerCase()) ?? false;
}

/**
 * Whether a policy of `owner` may not name `variable`: the operator set or scoped it, and not
 * for this owner. A variable neither set nor scoped sends nothing, like any unset variable.
 */
export function refusesNotify(scope: NotifyScope, owner: string, variable: string): boolean {
  const known = scope.set.has(variable) || scope.owners.has(variable);
  return known && !mayNotify(scope, owner, variable);
}

/**
 * Why `owner` may not name `variable`, with the fix. The owners it is for are not named: they
 * are other customers of the same app.
 */
export function notifyScopeProblem(owner: string, variable: string): string {
  return `${variable} is not for repositories of ${owner}: the app sends through a variable only for the owners its operator lists in ${NOTIFY_SCOPE_PREFIX}${variable}; name a variable scoped to ${owner}, or ask the operator to add ${owner} there`;
}

/** Every `environments.<name>.notify` variable of the policy that `owner` may not name. */
export function notifyScopeProblems(
  policy: Policy,
  owner: string,
  scope: NotifyScope,
  locator: PolicyLocator,
): PolicyProblem[] {
  return Object.entries(policy.environments ?? {}).flatMap(([name, environment]) =>
    (["slack", "teams"] as const).flatMap((channel) => {
      const variable = environment.notify?.[channel];
      return variable === undefined || !refusesNotify(scope, owner, variable)
        ? []
        : [
            locator.problem(
              ["environments", name, "notify", channel],
              notifyScopeProblem(owner, variable),
            ),
          ];
    }),
  );
}
