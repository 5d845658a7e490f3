/** Team members and memberships, as the approval gates read them. */
import {
  GitHubError,
  notFound,
  ok,
  paged,
  type HandlerContext,
  type HandlerTable,
} from "../handler.js";
import type { TeamRecord } from "../records.js";
import { user } from "../shapes.js";

/** An installation sees only the teams of the account it is installed on. */
function teamOf(ctx: HandlerContext): TeamRecord {
  const org = ctx.params.org ?? "";
  if (ctx.caller.kind === "installation") {
    const installation = ctx.state.installations.get(ctx.caller.installationId);
    if (installation?.account.toLowerCase() !== org.toLowerCase()) {
      throw new GitHubError(
        404,
        `Not Found (installation ${ctx.caller.installationId} cannot see org ${org})`,
        true,
      );
    }
  }
  const team = ctx.state.team(org, ctx.params.team_slug ?? "");
  if (!team) throw notFound();
  return team;
}

export const teamRoutes: HandlerTable = {
  "teams/list-members-in-org": (ctx) => {
    const team = teamOf(ctx);
    const role = ctx.query.get("role") ?? "all";
    const logins =
      role === "maintainer"
        ? team.maintainers
        : role === "member"
          ? team.members
          : [...team.maintainers, ...team.members];
    return paged(ctx, [...new Set(logins)], (login) => user(ctx, login));
  },

  "teams/get-membership-for-user-in-org": (ctx) => {
    const team = teamOf(ctx);
    const login = (ctx.params.username ?? "").toLowerCase();
    const maintainer = team.maintainers.some((m) => m.toLowerCase() === login);
    const member = team.members.some((m) => m.toLowerCase() === login);
    if (!maintainer && !member) throw notFound();
    return ok({
      url: `${ctx.urls.api}/organizations/${team.org}/team/${team.id}/memberships/${ctx.params.username ?? ""}`,
      role: maintainer ? "maintainer" : "member",
      state: "active",
    });
  },
};
