import type { z } from 'zod'
import type { Page } from '../../../shared/entity-views'
import { AppError } from '../../../shared/errors'
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
import { carryOverOfStatement, carryOverView } from '../../store/carry-over'
import { merchantNamed } from '../../store/merchants'
import { both, type Exec, type Q } from '../../store/sql/exec'
import { statementDiffPage, statementDiffView } from '../../store/statement-diffs'
import { statementLinePage, statementLineView } from '../../store/statement-lines'
import {
  daysStatements,
  statementById,
  statementPage,
  statementView,
  type StatementRow,
} from '../../store/statements'
import type { Reads } from '../reads'

// What the screens and the command line read of the statements: the list, a statement's detail, its
// lines, differences and carry-over, and a merchant's month (docs/reconcile.md A13, A15). Read
// operations: on the desktop's file or on a team database (services/reads.ts).

function* statementOf(x: Exec, id: number): Q<StatementRow> {
  const row = yield* statementById(x, id)
  if (!row) throw AppError.say('not_found', 'statement.notFound', { id })
  return row
}

function* listQ(x: Exec, f: StatementListRequest): Q<Page<StatementView>> {
  const { total, rows } = yield* statementPage(x, f)
  return { total, items: rows.map(statementView) }
}

function* detailQ(x: Exec, id: number): Q<StatementDetail> {
  const st = yield* statementOf(x, id)
  const pool = yield* carryOverOfStatement(x, id)
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

function* linesQ(x: Exec, r: z.output<typeof statementLinesSchema>): Q<Page<StatementLineView>> {
  const st = yield* statementOf(x, r.id)
  const { total, rows } = yield* statementLinePage(x, st.id, st.lines_run, r)
  return { total, items: rows.map(statementLineView) }
}

function* diffsQ(x: Exec, r: z.output<typeof statementDiffsSchema>): Q<Page<StatementDiffView>> {
  const st = yield* statementOf(x, r.id)
  const { total, rows } = yield* statementDiffPage(x, st.id, r)
  return { total, items: rows.map(statementDiffView) }
}

function* calendarQ(x: Exec, r: z.output<typeof statementCalendarSchema>): Q<StatementCalendar> {
  const merchant = yield* merchantNamed(x, r.merchant)
  if (!merchant) throw AppError.say('not_found', 'merchant.noName', { name: r.merchant })
  const first = `${r.month}-01`
  const days = new Date(Date.UTC(Number(r.month.slice(0, 4)), Number(r.month.slice(5, 7)), 0)).getUTCDate()
  const last = `${r.month}-${String(days).padStart(2, '0')}`
  const byDate = new Map((yield* daysStatements(x, merchant.id, first, last)).map((s) => [s.bill_date, s]))
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

const run = {
  list: both(listQ),
  detail: both(detailQ),
  lines: both(linesQ),
  diffs: both(diffsQ),
  calendar: both(calendarQ),
}

export const listStatementViews = (r: Reads, f: StatementListRequest) => run.list.async(r.exec, f)
export const statementDetail = (r: Reads, id: number) => run.detail.async(r.exec, id)
export const statementLines = (r: Reads, q: z.output<typeof statementLinesSchema>) =>
  run.lines.async(r.exec, q)
export const statementDiffs = (r: Reads, q: z.output<typeof statementDiffsSchema>) =>
  run.diffs.async(r.exec, q)
export const statementCalendar = (r: Reads, q: z.output<typeof statementCalendarSchema>) =>
  run.calendar.async(r.exec, q)

export async function statementCarryOver(
  r: Reads,
  id: number,
): Promise<{ from: CarryOverView[]; into: CarryOverView[] }> {
  return (await statementDetail(r, id)).carryOver
}

/** A day's state as the calendar colours it: its result, a status that never got one, or nothing yet. */
export function dayState(s: StatementRow | undefined): CalendarState {
  if (!s) return 'not_reconciled'
  if (s.result) return s.result
  return s.status === 'not_ready' || s.status === 'failed' || s.status === 'empty'
    ? s.status
    : 'not_reconciled'
}
