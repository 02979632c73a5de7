// A team database's address as it may be shown when it does not parse as one (docs/team-mode.md B8.2):
// whatever precedes an @ may hold a password, so the user name goes with it. An address that parses is
// shown by its `PgTarget.masked` form instead, which keeps the user and hides only the password.
// Kept apart from connect.ts so a file's path checks need not load the `pg` driver.

export function hideCredentials(address: string): string {
  return address.replace(/\/\/[^@/]*@/, '//***@')
}
