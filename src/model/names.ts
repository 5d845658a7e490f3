// GitHub compares logins, team slugs, organization and environment names without regard to
// case ("Alice" and "alice" are one person; "Production" and "production" one environment).

/** True when two GitHub names are the same name. */
export const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
