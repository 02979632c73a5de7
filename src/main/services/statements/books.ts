import type { StatementPhase } from '../../../shared/statements'
import type pg from 'pg'
import { fileCalls, teamCalls, type StoreCalls } from '../../store/sql/calls'
import type { ServiceContext } from '../context'
import { progress } from './common'

// The books a statement run writes (docs/team-mode.md B8.12): the desktop's file or a team database,
// reached through the store functions written once (StoreCalls), with the run's clock and where its
// progress is told. On the file every call runs when made, exactly as the direct calls did.

export interface StatementBooks {
  readonly calls: StoreCalls
  now(): number
  progress(statementId: number, phase: StatementPhase, done: number, total: number): void
}

/** The desktop's file, through its ServiceContext. */
export function fileStatementBooks(ctx: ServiceContext): StatementBooks {
  return {
    calls: fileCalls(ctx.db),
    now: ctx.now,
    progress: (statementId, phase, done, total) => progress(ctx, statementId, phase, done, total),
  }
}

/** A team database: each call a round trip or one transaction on its pool. */
export function teamStatementBooks(
  pool: pg.Pool,
  o: { now?: () => number; progress?: StatementBooks['progress'] } = {},
): StatementBooks {
  return { calls: teamCalls(pool), now: o.now ?? Date.now, progress: o.progress ?? (() => {}) }
}
