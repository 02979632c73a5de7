import type { Exec } from '../store/sql/exec'

// What the lists and detail views need of the books (docs/team-mode.md B8.6): a way to read them on
// whichever store holds them. The desktop's ServiceContext reads its SQLite file; a command on a team
// database reads PostgreSQL (services/team-reads.ts). The same services serve both.

export interface Reads {
  readonly exec: Exec
  /** Several reads as of one moment: the command line's `--all` (docs/cli.md section 1). */
  inOneReading<T>(fn: (r: Reads) => Promise<T>): Promise<T>
}
