import type { TeamHandlers } from './team-handlers'
import { statementOriginalOn } from './statements/original'

// A statement's bill on a team database (docs/team-mode.md B8.21): 下载原始文件 by the function the
// desktop's file uses, reading the bytes the team database kept when this desktop has no copy of its
// own, written where the window's export goes (services/export-target.ts, which a TeamHost fills).

export const statementOps: TeamHandlers = {
  'statements.original': async (host, r) =>
    statementOriginalOn({ exec: host.desk.reads.exec, target: host }, r),
}
