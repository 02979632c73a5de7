import { z } from 'zod'
import type { MessageId, Params } from './messages'

// A team database on PostgreSQL as the window and the command line see it (docs/team-mode.md B8):
// the connection check's answer, the copy of this desktop's books into it, and its progress. An
// address goes in with its password; whatever comes back names it masked (`postgres://u:***@…`).

/** What the connection check found, in the order docs/team-mode.md B8.2's table lists them. */
export type TeamDbState =
  | 'unreachable'
  | 'auth'
  | 'no_database'
  | 'foreign'
  | 'newer_schema'
  | 'no_permission'
  | 'failed'
  | 'empty'
  | 'older'
  | 'ready'

/** A PostgreSQL address as the person types it; whether it is one is said by main, in a sentence. */
export const teamDbAddressSchema = z.object({ address: z.string().trim().min(1).max(2_000) })

/** The desktop app's books changed (docs/team-mode.md B8.14): it starts again on them. */
export interface TeamDbSwitch {
  /** The team database, its password masked, or `file`: this computer's own. */
  books: string
  restarting: true
}

/** What the connection check found (store/pg/check.ts). */
export interface TeamDbCheck {
  ok: boolean
  state: TeamDbState
  /** The schema version found, when the database could be read. */
  schema: number | null
  /** PostgreSQL's version, when it answered. */
  server: string | null
  id: MessageId
  params: Params
}

/** The check as the window and `paysync db check` show it. */
export interface TeamDbReport extends TeamDbCheck {
  /** The address with its password masked. */
  address: string
  /** The schema this version writes. */
  knows: number
  message: string
  messageZh: string
}

export interface TeamDbTableCopied {
  table: string
  rows: number
  /** SHA-256 over the table's rows in key order, the same on both ends. */
  sha256: string
}

/** What copying this desktop's books into a team database answers. */
export interface TeamDbCopyView {
  /** copied: the team database was empty and holds the books now; equal: it held the same rows already. */
  outcome: 'copied' | 'equal'
  /** The team database, its password masked. */
  to: string
  tables: TeamDbTableCopied[]
  rows: number
  ms: number
}

/** A copy into a team database moving on: a phase over every table, one table at a time. */
export interface TeamDbProgressEvent {
  phase: 'copy' | 'verify' | 'compare'
  table: string
  /** The table's place in the copy (from 0) and how many there are. */
  index: number
  tables: number
  done: number
  total: number
}
