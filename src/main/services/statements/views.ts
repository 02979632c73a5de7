import type { z } from 'zod'
import type { Page } from '../../../shared/entity-views'
import {
  type CalendarDay,
  type CalendarState,
  type CarryOverView,
  type StatementCalendar,
  type StatementDetail,
  type StatementDiffView,
  type StatementLineView,
  type StatementView,
} from '../../../shared/statements'
import {
  type statementCalendarSchema,
  type statementDiffsSchema,
  type statementLinesSchema,
  type StatementListRequest,
} from '../../../shared/statement-inputs'
import { carryOverOf, carryOverView } from '../../store/carry-over'
import { listStatementDiffs, statementDiffView } from '../../store/statement-diffs'
import { listStatementLines, statementLineView } from '../../store/statement-lines'
import { listStatements, statementsOfDays, statementView, type StatementRow } from '../../store/statements'
import type { ServiceContext } from '../context'
import { merchantByName, statementRow } from './common'

// What the screens and the command line read of the statements: the list, a statement's detail, its
// lines, differences and carry-over, and a merchant's month (docs/reconcile.md A13, A15).

export function listStatementViews(ctx: ServiceContext, f: StatementListRequest): Page<StatementView> {
  const { total, rows } = listStatements(ctx.db, f)
  return { total, items: rows.map(statementView) }
}

export function statementDetail(ctx: ServiceContext, id: number): StatementDetail {
  const st = statementRow(ctx, id)
  const pool = carryOverOf(ctx.db, id)
  return {
    statement: statementView(st),
    file: {
      name: st.file_name,
      sha256: st.file_sha256,
      bytes: st.file_bytes,
      encoding: st.file_encoding,
      format: st.file_format,
      layout: st.file_layout,
      account: st.account_no,
      verified: st.verified === 1,
      gatewayHash: st.gateway_hash,
      hashMatchedOn: st.hash_matched_on,
    },
    checks: JSON.parse(st.checks) as StatementDetail['checks'],
    notices: (JSON.parse(st.notices) as Array<{ messageId: string; zh: string; en: string }>).map((n) => ({
      messageId: n.messageId,
      zh: n.zh,
      en: n.en,
    })),
    carryOver: { from: pool.from.map(carryOverView), into: pool.into.map(carryOverView) },
  }
}

export function statementLines(
  ctx: ServiceContext,
  r: z.output<typeof statementLinesSchema>,
): Page<StatementLineView> {
  const st = statementRow(ctx, r.id)
  const { total, rows } = listStatementLines(ctx.db, st.id, st.lines_run, r)
  return { total, items: rows.map(statementLineView) }
}

export function statementDiffs(
  ctx: ServiceContext,
  r: z.output<typeof statementDiffsSchema>,
): Page<StatementDiffView> {
  const st = statementRow(ctx, r.id)
  const { total, rows } = listStatementDiffs(ctx.db, st.id, r)
  return { total, items: rows.map(statementDiffView) }
}

export function statementCarryOver(
  ctx: ServiceContext,
  id: number,
): { from: CarryOverView[]; into: CarryOverView[] } {
  return statementDetail(ctx, id).carryOver
}

export function statementCalendar(
  ctx: ServiceContext,
  r: z.output<typeof statementCalendarSchema>,
): StatementCalendar {
  const merchant = merchantByName(ctx, r.merchant)
  const first = `${r.month}-01`
  const days = new Date(Date.UTC(Number(r.month.slice(0, 4)), Number(r.month.slice(5, 7)), 0)).getUTCDate()
  const last = `${r.month}-${String(days).padStart(2, '0')}`
  const byDate = new Map(statementsOfDays(ctx.db, merchant.id, first, last).map((s) => [s.bill_date, s]))
  const out: CalendarDay[] = []
  for (let d = 1; d <= days; d++) {
    const date = `${r.month}-${String(d).padStart(2, '0')}`
    const s = byDate.get(date)
    out.push({
      date,
      state: dayState(s),
      statementId: s?.id ?? null,
      openDiffs: s?.open_diffs ?? 0,
    })
  }
  return { merchant: merchant.name, month: r.month, days: out }
}

/** A day's state as the calendar colours it: its result, a status that never got one, or nothing yet. */
export function dayState(s: StatementRow | undefined): CalendarState {
  if (!s) return 'not_reconciled'
  if (s.result) return s.result
  return s.status === 'not_ready' || s.status === 'failed' || s.status === 'empty'
    ? s.status
    : 'not_reconciled'
}
