import type { Actor } from '../../../shared/domain'
import { AppError } from '../../../shared/errors'
import type { StatementPhase } from '../../../shared/statements'
import { findMerchantByName, type MerchantRow } from '../../store/merchants'
import { getStatement, type StatementRow } from '../../store/statements'
import type { ServiceContext } from '../context'

// What the statement operations share: the rows a request names, a profile's public settings, the
// progress event (docs/reconcile.md A13) and what a run is asked to do.

export function merchantByName(ctx: ServiceContext, name: string): MerchantRow {
  const m = findMerchantByName(ctx.db, name)
  if (!m) throw AppError.say('not_found', 'merchant.noName', { name })
  return m
}

export function statementRow(ctx: ServiceContext, id: number): StatementRow {
  const row = getStatement(ctx.db, id)
  if (!row) throw AppError.say('not_found', 'statement.notFound', { id })
  return row
}

export function publicSettings(m: MerchantRow): Record<string, string> {
  return JSON.parse(m.settings) as Record<string, string>
}

export function progress(
  ctx: ServiceContext,
  statementId: number,
  phase: StatementPhase,
  done: number,
  total: number,
) {
  ctx.emit('statement.progress', { statementId, phase, done, total })
}

export interface DayRequest {
  /** A file to read instead of the download: a path main holds (a handle resolved, a re-run's stored file). */
  file?: { path: string; name: string; stored: boolean } | null
  dryRun: boolean
  waitForSyncs: boolean
  rerun?: boolean
  /** Who the run's syncs name, when not the context's own: the daily run acts by the schedule. */
  actor?: Actor
}
