import { expect, it } from 'vitest'
import { ladderInterval } from '../../src/main/engine/ladder'
import { resolveAnomaly } from '../../src/main/engine/manual'
import type { FaultName } from '../../src/main/gateways/simulator/state'
import { listAnomalies } from '../../src/main/store/anomalies'
import { getPayOrder, type PayOrderRow } from '../../src/main/store/orders'
import { getSyncRecord } from '../../src/main/store/records'
import { getRefundOrder } from '../../src/main/store/refunds'
import { listRepairRecords } from '../../src/main/store/repairs'
import type {
  AnomalyKind,
  AutoRepairWay,
  GatewayStatus,
  Outcome,
  PayGatewayStatus,
  PayKind,
  PayStatus,
  RefundGatewayStatus,
  RefundStatus,
  SyncSource,
} from '../../src/shared/domain'
import type { World } from './world'

// The decision tables of docs/domain.md sections 4 and 5, written once: the matrices (every local
// row against every gateway column, including cells no single channel can produce) and the notes
// under them. tests/engine/decide.test.ts checks the pure decision functions against them; the
// channel tests run them through the real engine, store and simulator with runPayCells and
// runRefundCells, giving only the channel's own words and the cells only that channel has.

// ---- the tables ----

export const PAY_COLUMNS = [
  'pay_success',
  'pay_progress',
  'pay_not_found',
  'pay_closed',
  'pay_fail',
  'pay_refund',
  'sync_error',
] as const satisfies readonly Exclude<PayGatewayStatus, 'pay_timeout'>[]
export type PayColumn = (typeof PAY_COLUMNS)[number]

export const PAY_ROWS = [
  'progress, not expired',
  'progress, expired',
  'success',
  'close',
  'cancel',
  'fail',
] as const
export type PayRow = (typeof PAY_ROWS)[number]

export const REFUND_COLUMNS = [
  'refund_success',
  'refund_progress',
  'refund_not_found',
  'refund_closed',
  'refund_abnormal',
  'sync_error',
] as const satisfies readonly RefundGatewayStatus[]
export type RefundColumn = (typeof REFUND_COLUMNS)[number]

export const REFUND_ROWS = [
  'progress, in grace',
  'progress, after grace',
  'success',
  'fail',
  'close',
] as const
export type RefundRow = (typeof REFUND_ROWS)[number]

type Cells<C extends readonly string[]> = { readonly [K in keyof C]: string }

/*
 * Short forms: 'wait' none, outcome waiting; 'ok' none, consistent; 'err' error, nothing changes;
 * 'A:kind' anomaly; 'R:way' repair; 'R:way+kind' repair, then an anomaly for a person. A cell that
 * is recorded as another status than its column says so: 'R:pay_close_gateway as pay_timeout'.
 */
// prettier-ignore
export const PAY_TABLE: Record<PayRow, Cells<typeof PAY_COLUMNS>> = {
  //                         pay_success           pay_progress                          pay_not_found                         pay_closed                      pay_fail                        pay_refund                         sync_error
  'progress, not expired': ['R:pay_success',      'wait',                               'wait',                               'R:pay_close_local',            'R:pay_fail',                   'R:pay_success+refund_unrecorded', 'err'],
  'progress, expired':     ['R:pay_success',      'R:pay_close_gateway as pay_timeout', 'R:pay_close_gateway as pay_timeout', 'R:pay_close_local',            'R:pay_fail',                   'R:pay_success+refund_unrecorded', 'err'],
  success:                 ['ok',                 'A:success_but_gateway_unpaid',       'A:success_but_gateway_missing',      'A:success_but_gateway_closed', 'A:success_but_gateway_failed', 'ok',                              'err'],
  close:                   ['A:paid_after_close', 'R:pay_close_gateway',                'ok',                                 'ok',                           'ok',                           'A:paid_after_close',              'err'],
  cancel:                  ['A:paid_after_close', 'R:pay_close_gateway',                'ok',                                 'ok',                           'ok',                           'A:paid_after_close',              'err'],
  fail:                    ['R:pay_success',      'ok',                                 'ok',                                 'ok',                           'ok',                           'R:pay_success+refund_unrecorded', 'err'],
}

// prettier-ignore
export const REFUND_TABLE: Record<RefundRow, Cells<typeof REFUND_COLUMNS>> = {
  //                         refund_success                    refund_progress            refund_not_found                        refund_closed              refund_abnormal      sync_error
  'progress, in grace':    ['R:refund_success',               'wait',                    'wait',                                 'R:refund_close',          'A:refund_abnormal', 'err'],
  'progress, after grace': ['R:refund_success',               'wait',                    'R:refund_close',                       'R:refund_close',          'A:refund_abnormal', 'err'],
  success:                 ['ok',                             'A:refund_state_conflict', 'A:refund_success_but_gateway_missing', 'A:refund_state_conflict', 'A:refund_abnormal', 'err'],
  fail:                    ['R:refund_success',               'ok',                      'ok',                                   'ok',                      'A:refund_abnormal', 'err'],
  close:                   ['A:refund_succeeded_after_close', 'ok',                      'ok',                                   'ok',                      'A:refund_abnormal', 'err'],
}

/** A pay row of a note: the table's rows, and a paid order whose refunds took it all back. */
export type PayNoteRow = PayRow | 'success, refunded'

/** A cell the notes under a table add: a row and column in a situation the matrix does not show. */
export interface TableNote<R extends string, C extends string> {
  name: string
  row: R
  column: C
  /** The gateway names another amount than the local one. */
  otherAmount?: true
  /**
   * The gateway's paid answer carries no amount. Only the pure table test runs these notes: how a
   * channel comes to such an answer is its own, so its test adds the cells it can produce.
   */
  noAmount?: true
  cell: string
}

/** The notes under the pay table (docs/domain.md section 4). */
export const PAY_NOTES: TableNote<PayNoteRow, PayColumn>[] = [
  {
    name: 'a repair to success with another amount is not applied',
    row: 'progress, not expired',
    column: 'pay_success',
    otherAmount: true,
    cell: 'A:amount_mismatch',
  },
  {
    name: 'a failed order paid with another amount is not repaired',
    row: 'fail',
    column: 'pay_success',
    otherAmount: true,
    cell: 'A:amount_mismatch',
  },
  {
    name: 'a paid order whose gateway amount differs',
    row: 'success',
    column: 'pay_success',
    otherAmount: true,
    cell: 'A:amount_mismatch',
  },
  {
    name: 'a closed gateway order is consistent with a fully refunded local one',
    row: 'success, refunded',
    column: 'pay_closed',
    cell: 'ok',
  },
  {
    name: 'a repair to success without the gateway amount is not applied',
    row: 'progress, not expired',
    column: 'pay_success',
    noAmount: true,
    cell: 'A:amount_unknown',
  },
  {
    name: 'a refunded order without the gateway amount is not repaired to success',
    row: 'progress, expired',
    column: 'pay_refund',
    noAmount: true,
    cell: 'A:amount_unknown',
  },
  {
    name: 'a failed order paid without the gateway amount is not repaired',
    row: 'fail',
    column: 'pay_success',
    noAmount: true,
    cell: 'A:amount_unknown',
  },
  {
    name: 'a paid order whose gateway names no amount changes nothing',
    row: 'success',
    column: 'pay_success',
    noAmount: true,
    cell: 'ok',
  },
]

/** The refund notes (docs/domain.md section 3): an answer naming another amount is not this refund's success. */
export const REFUND_NOTES: TableNote<RefundRow, RefundColumn>[] = (
  ['progress, in grace', 'success', 'fail'] as const
).map((row) => ({
  name: 'a refund success with another amount',
  row,
  column: 'refund_success' as const,
  otherAmount: true as const,
  cell: 'A:amount_mismatch',
}))

export function payCell(row: PayRow, column: PayColumn): string {
  return PAY_TABLE[row][PAY_COLUMNS.indexOf(column)]!
}

export function refundCell(row: RefundRow, column: RefundColumn): string {
  return REFUND_TABLE[row][REFUND_COLUMNS.indexOf(column)]!
}

/** A cell's action in short form and the status it is recorded as. */
export function parseCell(cell: string, column: GatewayStatus): { action: string; recorded: GatewayStatus } {
  const [action, recorded] = cell.split(' as ') as [string, GatewayStatus | undefined]
  return { action, recorded: recorded ?? column }
}

// ---- what a cell comes to in the engine ----

export interface Expectation<S extends string> {
  recorded: GatewayStatus
  outcome: Outcome
  /** The trade's status after the attempt. */
  status: S
  way: AutoRepairWay | null
  anomaly: AnomalyKind | null
  /** The record's error code, when a cell knows it exactly; any non-empty one otherwise. */
  errorCode?: string
}

/** Where a repair takes a pay order. pay_close_gateway closes a progress one; a closed one stays. */
function payTarget(way: AutoRepairWay, local: PayStatus): PayStatus {
  switch (way) {
    case 'pay_success':
    case 'payscore_sync_gateway':
      return 'success'
    case 'pay_close_local':
      return 'close'
    case 'pay_fail':
      return 'fail'
    case 'pay_close_gateway':
      return local === 'progress' ? 'close' : local
    default:
      throw new Error(`${way} is not a pay repair`)
  }
}

function refundTarget(way: AutoRepairWay): RefundStatus {
  if (way === 'refund_success') return 'success'
  if (way === 'refund_close') return 'close'
  throw new Error(`${way} is not a refund repair`)
}

function expectationOf<S extends string>(
  cell: string,
  column: GatewayStatus,
  local: S,
  target: (way: AutoRepairWay) => S,
): Expectation<S> {
  const { action, recorded } = parseCell(cell, column)
  const none = { recorded, status: local, way: null, anomaly: null }
  if (action === 'wait') return { ...none, outcome: 'waiting' }
  if (action === 'ok') return { ...none, outcome: 'consistent' }
  if (action === 'err') return { ...none, outcome: 'error' }
  if (action.startsWith('A:')) return { ...none, outcome: 'anomaly', anomaly: action.slice(2) as AnomalyKind }
  if (!action.startsWith('R:')) throw new Error(`not a table cell: ${cell}`)
  const [way, then] = action.slice(2).split('+') as [AutoRepairWay, AnomalyKind | undefined]
  // A repair that also opens an anomaly counts as an anomaly: a person has something to decide.
  return {
    recorded,
    outcome: then ? 'anomaly' : 'repaired',
    status: target(way),
    way,
    anomaly: then ?? null,
  }
}

export function payRowStatus(row: PayNoteRow): PayStatus {
  return row.startsWith('progress') ? 'progress' : row.startsWith('success') ? 'success' : (row as PayStatus)
}

export function refundRowStatus(row: RefundRow): RefundStatus {
  return row.startsWith('progress') ? 'progress' : (row as RefundStatus)
}

export function payExpectation(row: PayNoteRow, column: PayColumn, cell?: string): Expectation<PayStatus> {
  const local = payRowStatus(row)
  const c = cell ?? payCell(row === 'success, refunded' ? 'success' : row, column)
  return expectationOf(c, column, local, (way) => payTarget(way, local))
}

export function refundExpectation(
  row: RefundRow,
  column: RefundColumn,
  cell = refundCell(row, column),
): Expectation<RefundStatus> {
  return expectationOf(cell, column, refundRowStatus(row), refundTarget)
}

// ---- one channel through the engine ----

/** A gateway order's change by itself after it answered so many queries: see SimOrder.then. */
type Then = { afterQueries: number; state: string }

/**
 * What a channel's simulator is told to produce each column: its own word for the order or refund
 * (`/_sim/orders`, `/_sim/refunds`); null: the gateway has no such trade; absent: the channel cannot
 * produce the column, and its cells are left out. `sync_error` is the word under an injected fault.
 */
export interface ChannelWords {
  /** The world's merchant of this channel. */
  merchant: string
  pay: Partial<Record<PayColumn, string | null>>
  refund: Partial<Record<RefundColumn, string | null>>
  /**
   * How the gateway closes an order (pay_close_gateway): 'call', a close call the simulator counts
   * when it closes something; 'query', no close call, the adapter asks once more (UnionPay); or the
   * word the order says once the gateway has closed it on the next sync (DaxPay), which the simulator
   * is told beforehand.
   */
  close: 'call' | 'query' | { closedWord: string }
  /**
   * The close at the gateway can close only an order the gateway knows (WeChat Pay confirms a close
   * by a query that must name the order): the expired order it has not is an error with this code.
   */
  unknownNotClosed?: string
  /**
   * The refund answers carry no amount (DaxPay's refund syncs, and nothing reads DaxPay's refund
   * order yet): the notes about a refund of another amount are left out.
   */
  noRefundAmount?: true
}

interface CellBase<R extends string, C extends string, S extends string> {
  name: string
  row: R
  column: C
  /** The short form the cell comes to when it is not the matrix's: a note under the table. */
  rule?: string
  /** The gateway's word, when not the channel's word for the column; null: no such trade. */
  word?: string | null
  /** A fault for this call; the sync_error column injects system_error unless this says otherwise. */
  fault?: FaultName | null
  otherAmount?: true
  /** What the table does not say for this channel, or what it adds; the rest is the table's. */
  expect?: Partial<Expectation<S>>
}

export interface PayCell extends CellBase<PayNoteRow, PayColumn, PayStatus> {
  kind?: PayKind
  /** The gateway order changes by itself; null: not even the close of `ChannelWords.close`. */
  then?: Then | null
  /** Close calls the simulator counted; by default what `ChannelWords.close` implies. */
  closes?: number
}

export type RefundCell = CellBase<RefundRow, RefundColumn, RefundStatus>

function standardCells<R extends string, C extends string, Cell extends CellBase<R, C, string>>(
  rows: readonly R[],
  columns: readonly C[],
  notes: TableNote<R, C>[],
  words: Partial<Record<C, string | null>>,
  amounts = true,
): Cell[] {
  const has = (c: C) => words[c] !== undefined
  const cells: CellBase<R, C, string>[] = []
  for (const row of rows)
    for (const column of columns) if (has(column)) cells.push({ name: `${row} x ${column}`, row, column })
  for (const n of notes) {
    if (!has(n.column) || n.noAmount || (n.otherAmount && !amounts)) continue
    cells.push({
      name: `${n.row} x ${n.column}: ${n.name}`,
      row: n.row,
      column: n.column,
      rule: n.cell,
      ...(n.otherAmount ? { otherAmount: n.otherAmount } : {}),
    })
  }
  return cells as Cell[]
}

/** The cells every channel runs, for the columns it can produce. */
export function standardPayCells(words: ChannelWords): PayCell[] {
  const cells = standardCells<PayNoteRow, PayColumn, PayCell>(PAY_ROWS, PAY_COLUMNS, PAY_NOTES, words.pay)
  if (words.unknownNotClosed && words.pay.pay_not_found === null) {
    const errorCode = words.unknownNotClosed
    for (const cell of cells)
      if (cell.row === 'progress, expired' && cell.column === 'pay_not_found' && !cell.rule)
        cell.expect = { outcome: 'error', status: 'progress', way: null, errorCode }
  }
  const paid = words.pay.pay_success
  if (paid && words.pay.pay_progress !== undefined) {
    // docs/domain.md section 4: a close the gateway refuses because the order was paid meanwhile
    // is followed by a query, and the row for pay_success applies.
    cells.push({
      name: 'progress, expired x pay_progress: paid while we close it, repaired to success',
      row: 'progress, expired',
      column: 'pay_progress',
      then: { afterQueries: 1, state: paid },
      expect: { recorded: 'pay_success', outcome: 'repaired', status: 'success', way: 'pay_success' },
      closes: 0,
    })
  }
  return cells
}

export function standardRefundCells(words: ChannelWords): RefundCell[] {
  return standardCells<RefundRow, RefundColumn, RefundCell>(
    REFUND_ROWS,
    REFUND_COLUMNS,
    REFUND_NOTES,
    words.refund,
    !words.noRefundAmount,
  )
}

let seq = 0
/** Trade numbers every gateway takes: letters and digits (UnionPay refuses `-`), unique per run. */
const tradeNo = (prefix: string) => `${prefix}${++seq}T${Date.now()}`

const ORDER_FEN = 1000
const REFUND_FEN = 400
const OTHER_FEN = 999

function wordOf<C extends string>(
  cell: CellBase<string, C, string>,
  words: Partial<Record<C, string | null>>,
) {
  const word = cell.word !== undefined ? cell.word : words[cell.column]
  if (word === undefined) throw new Error(`the channel has no word for ${cell.column}: give the cell one`)
  return word
}

/** Faults after which nothing was received: the connection reset, or no answer in time. */
const SILENT: readonly FaultName[] = ['reset', 'timeout']

/** Sets the cell's fault; says whether the gateway will answer at all. */
function setFault(w: World, cell: { column: string; fault?: FaultName | null }): boolean {
  const fault = cell.fault !== undefined ? cell.fault : cell.column === 'sync_error' ? 'system_error' : null
  w.sim.state.faults = {
    ...w.sim.state.faults,
    faultRate: fault ? 1 : 0,
    faults: fault ? [fault] : [],
  }
  return !fault || !SILENT.includes(fault)
}

function clearFault(w: World): void {
  w.sim.state.faults = { ...w.sim.state.faults, faultRate: 0, faults: [] }
}

const BY: { source: SyncSource; operator: string } = { source: 'manual', operator: 'tester' }

/**
 * The assertions every cell of every channel makes about its attempt, pay or refund: the record
 * (status, outcome, the gateway's text kept), the trade's status, the repair with `version + 1`, the
 * anomaly, and the error count; errors change nothing.
 */
function expectAttempt(
  w: World,
  type: 'pay' | 'refund',
  e: Expectation<string>,
  local: string,
  result: { recordId: number; outcome: Outcome; gatewayStatus: GatewayStatus | null },
  before: { status: string; version: number; sync_error_count: number },
  after: { status: string; version: number; sync_error_count: number },
  tradeId: number,
  answered: boolean,
): { repairNo: string | null } {
  const db = w.ctx.db
  const record = getSyncRecord(db, result.recordId)!
  expect({ recorded: record.gateway_status, outcome: record.outcome, status: after.status }).toEqual({
    recorded: e.recorded,
    outcome: e.outcome,
    status: e.status,
  })
  expect(result).toMatchObject({ outcome: e.outcome, gatewayStatus: e.recorded })
  // The gateway's text is kept exactly as received, also for errors; nothing when nothing came.
  if (answered) expect(record.sync_info).toMatch(/\S/)
  else expect(record.sync_info).toBeNull()

  const repairs = record.repair_no
    ? listRepairRecords(db, { no: record.repair_no, limit: 10, offset: 0 }).items
    : listRepairRecords(db, { type, tradeId, limit: 10, offset: 0 }).items
  if (e.way) {
    const own = repairs.filter((r) => r.tradeType === type && r.tradeId === tradeId)
    expect(own.map((r) => [r.way, r.beforeStatus, r.afterStatus])).toEqual([[e.way, local, e.status]])
    expect(record.repair_no).toBe(own[0]!.repairNo)
    expect(after.version).toBe(before.version + 1)
  } else {
    expect(repairs).toEqual([])
    expect(record.repair_no).toBeNull()
    expect(after.version).toBe(before.version)
  }

  const anomalies = listAnomalies(db, { type, tradeId, limit: 10, offset: 0 }).items
  expect(anomalies.map((a) => [a.kind, a.status])).toEqual(e.anomaly ? [[e.anomaly, 'open']] : [])

  if (e.outcome === 'error') {
    if (e.errorCode) expect(record.error_code).toBe(e.errorCode)
    else expect(record.error_code).toMatch(/\S/)
    expect(after.sync_error_count).toBe(before.sync_error_count + 1)
  } else {
    expect(record.error_code).toBeNull()
    expect(after.sync_error_count).toBe(0)
  }
  return { repairNo: record.repair_no }
}

function closesExpected(words: ChannelWords, cell: PayCell, e: Expectation<PayStatus>, word: string | null) {
  if (cell.closes !== undefined) return cell.closes
  if (e.way !== 'pay_close_gateway') return 0
  // Only a gateway with a close call counts one, and only when it had the order to close.
  return words.close === 'call' && word !== null ? 1 : 0
}

/** Runs one pay cell and checks everything it says; the order's id, for what a test does next. */
export async function checkPayCell(w: World, words: ChannelWords, cell: PayCell): Promise<number> {
  const e: Expectation<PayStatus> = { ...payExpectation(cell.row, cell.column, cell.rule), ...cell.expect }
  const local = payRowStatus(cell.row)
  const orderNo = tradeNo('P')
  const now = Date.now()
  const id = w.payOrder({
    merchant: words.merchant,
    orderNo,
    amount: ORDER_FEN,
    status: local,
    expiredAt: cell.row === 'progress, expired' ? now - 60_000 : now + 3600_000,
    kind: cell.kind,
  })
  if (cell.row === 'success, refunded')
    w.ctx.db.prepare("UPDATE pay_orders SET refund_status = 'refunded' WHERE id = ?").run(id)
  const word = wordOf(cell, words.pay)
  if (word !== null) {
    const closedWord = typeof words.close === 'object' ? words.close.closedWord : null
    const then =
      cell.then !== undefined
        ? cell.then
        : e.way === 'pay_close_gateway' && closedWord
          ? { afterQueries: 1, state: closedWord }
          : null
    w.gatewayOrder({
      merchant: words.merchant,
      orderNo,
      amount: cell.otherAmount ? OTHER_FEN : ORDER_FEN,
      state: word,
      // Paid columns carry a payment time: Alipay tells a refunded order from a closed one by it.
      paidAt: cell.column === 'pay_success' || cell.column === 'pay_refund' ? now - 1000 : undefined,
      kind: cell.kind,
      ...(then ? { then } : {}),
    })
  }
  const answered = setFault(w, cell)
  const closes = w.sim.state.stats.closes
  const before = getPayOrder(w.ctx.db, id)!
  let result
  try {
    result = await w.ctx.engine.syncPay(id, BY)
  } finally {
    clearFault(w)
  }
  const after = getPayOrder(w.ctx.db, id)!

  expectAttempt(w, 'pay', e, local, result, before, after, id, answered)
  expect(w.sim.state.stats.closes - closes).toBe(closesExpected(words, cell, e, word))
  if (e.outcome === 'error') {
    expect(after.gateway_trade_no).toBe(before.gateway_trade_no)
  } else if (cell.column === 'pay_success' || cell.column === 'pay_refund') {
    // A gateway trade number the order did not have yet is filled in (section 4, notes), whatever the
    // row: a paid order has one at every gateway (WeChat names none while unpaid).
    expect(after.gateway_trade_no).toBe(w.sim.state.getOrder(words.merchant, orderNo)!.gatewayTradeNo)
    expect(after.gateway_trade_no).toBeTruthy()
  }
  return id
}

/** Where a refund repair leaves its pay order of 1000 fen, the refund under test being its only one. */
function payAfterRefund(way: AutoRepairWay): Pick<PayOrderRow, 'refund_status' | 'refundable_amount'> {
  return way === 'refund_success'
    ? { refund_status: 'partial_refund', refundable_amount: ORDER_FEN - REFUND_FEN }
    : { refund_status: 'no_refund', refundable_amount: ORDER_FEN }
}

/** Runs one refund cell and checks everything it says; the refund's id. */
export async function checkRefundCell(w: World, words: ChannelWords, cell: RefundCell): Promise<number> {
  const e: Expectation<RefundStatus> = {
    ...refundExpectation(cell.row, cell.column, cell.rule),
    ...cell.expect,
  }
  const local = refundRowStatus(cell.row)
  const orderNo = tradeNo('O')
  const refundNo = tradeNo('R')
  const now = Date.now()
  const payId = w.payOrder({ merchant: words.merchant, orderNo, amount: ORDER_FEN, status: 'success' })
  const refundId = w.refund({
    merchant: words.merchant,
    payOrderId: payId,
    refundNo,
    amount: REFUND_FEN,
    status: local,
    createdAt: now - (cell.row === 'progress, in grace' ? 2 : 30) * 60_000,
  })
  const paid = words.pay.pay_success
  if (!paid) throw new Error('a refund needs a paid gateway order: give the channel a pay_success word')
  w.gatewayOrder({
    merchant: words.merchant,
    orderNo,
    amount: ORDER_FEN,
    state: paid,
    paidAt: now - 3600_000,
  })
  const word = wordOf(cell, words.refund)
  if (word !== null) {
    w.gatewayRefund({
      merchant: words.merchant,
      orderNo,
      refundNo,
      amount: cell.otherAmount ? REFUND_FEN - 1 : REFUND_FEN,
      state: word,
    })
  }
  const answered = setFault(w, cell)
  const before = getRefundOrder(w.ctx.db, refundId)!
  const payBefore = getPayOrder(w.ctx.db, payId)!
  let result
  try {
    result = await w.ctx.engine.syncRefund(refundId, BY)
  } finally {
    clearFault(w)
  }
  const after = getRefundOrder(w.ctx.db, refundId)!
  const payAfter = getPayOrder(w.ctx.db, payId)!

  const { repairNo } = expectAttempt(w, 'refund', e, local, result, before, after, refundId, answered)
  if (e.way && repairNo) {
    // One row for the refund and one for its pay order, under one repair number; the refundable
    // amount follows from the refunds, so it is returned exactly once.
    const rows = listRepairRecords(w.ctx.db, { no: repairNo, limit: 10, offset: 0 }).items
    expect(rows.map((r) => [r.tradeType, r.way]).sort()).toEqual([
      ['pay', e.way],
      ['refund', e.way],
    ])
    expect(payAfter).toMatchObject(payAfterRefund(e.way))
  } else {
    expect(payAfter).toMatchObject({
      refund_status: payBefore.refund_status,
      refundable_amount: payBefore.refundable_amount,
      version: payBefore.version,
    })
  }
  return refundId
}

/** Registers one test per cell: the channel's standard cells of the pay table, then its own. */
export function runPayCells(world: () => World, words: ChannelWords, extraCells: PayCell[] = []): void {
  for (const cell of [...standardPayCells(words), ...extraCells]) {
    const word = cell.word !== undefined ? cell.word : words.pay[cell.column]
    const e = { ...payExpectation(cell.row, cell.column, cell.rule), ...cell.expect }
    it(`pay: ${cell.name} (${word ?? 'no such order'}) -> ${summary(e)}`, () =>
      checkPayCell(world(), words, cell))
  }
}

export function runRefundCells(world: () => World, words: ChannelWords, extraCells: RefundCell[] = []): void {
  for (const cell of [...standardRefundCells(words), ...extraCells]) {
    const word = cell.word !== undefined ? cell.word : words.refund[cell.column]
    const e = { ...refundExpectation(cell.row, cell.column, cell.rule), ...cell.expect }
    it(`refund: ${cell.name} (${word ?? 'no such refund'}) -> ${summary(e)}`, () =>
      checkRefundCell(world(), words, cell))
  }
}

// ---- a person's decision on a cell's anomaly (docs/domain.md 6.6) ----

/**
 * After a person decides the anomaly a cell opened (acknowledge or dismiss, alternately), the next
 * sync with the same answer records it against that decision and opens nothing; the trade is left
 * as it was and asked again at the ladder's back-off.
 */
async function checkDecisionSticks(
  w: World,
  type: 'pay' | 'refund',
  tradeId: number,
  kind: AnomalyKind,
  action: 'acknowledge' | 'dismiss',
): Promise<void> {
  const db = w.ctx.db
  const listed = () => listAnomalies(db, { type, tradeId, limit: 10, offset: 0 }).items
  const [opened] = listed()
  expect(opened).toMatchObject({ kind, status: 'open' })
  resolveAnomaly(db, { id: opened!.id, action, remark: '已线下核对，维持现状', operator: 'fin' })
  const read = () => (type === 'pay' ? getPayOrder(db, tradeId)! : getRefundOrder(db, tradeId)!)
  const before = read()

  const again = await w.ctx.engine.sync(type, tradeId, { source: 'schedule' })
  expect(again).toMatchObject({ outcome: 'decided', anomalyId: opened!.id, errorCode: null })
  expect(listed().map((a) => [a.id, a.status, a.seenAfterDecision])).toEqual([
    [opened!.id, action === 'dismiss' ? 'dismissed' : 'resolved', 1],
  ])
  const after = read()
  expect([after.status, after.version, after.sync_error_count]).toEqual([before.status, before.version, 0])
  if (after.status === 'progress') {
    const base = ladderInterval(after.last_sync_at! - after.created_at)
    expect(after.next_sync_at! - after.last_sync_at!).toBe(Math.min(86_400_000, base * 8))
  }
}

/** Every cell that opens an anomaly for a person, and nothing else: a decision on it must stick. */
function decidableCells<C extends { expect?: Partial<Expectation<string>> }>(
  cells: C[],
  expectation: (c: C) => Expectation<string>,
): Array<{ cell: C; kind: AnomalyKind }> {
  return cells.flatMap((cell) => {
    const e = { ...expectation(cell), ...cell.expect }
    return e.anomaly && !e.way ? [{ cell, kind: e.anomaly }] : []
  })
}

/**
 * Registers, for every cell of the channel that opens an anomaly (a repair's anomaly aside: the
 * repair changes the question), a test that a person's decision on it sticks while the gateway
 * answers the same.
 */
export function runDecisionCells(
  world: () => World,
  words: ChannelWords,
  extra: { pay?: PayCell[]; refund?: RefundCell[] } = {},
): void {
  const pays = decidableCells([...standardPayCells(words), ...(extra.pay ?? [])], (c) =>
    payExpectation(c.row, c.column, c.rule),
  )
  const refunds = decidableCells([...standardRefundCells(words), ...(extra.refund ?? [])], (c) =>
    refundExpectation(c.row, c.column, c.rule),
  )
  let n = 0
  for (const { cell, kind } of pays) {
    const action = n++ % 2 ? 'dismiss' : 'acknowledge'
    it(`decided, pay: ${cell.name} (${action}) stays decided while the answer is the same`, async () => {
      const w = world()
      await checkDecisionSticks(w, 'pay', await checkPayCell(w, words, cell), kind, action)
    })
  }
  for (const { cell, kind } of refunds) {
    const action = n++ % 2 ? 'dismiss' : 'acknowledge'
    it(`decided, refund: ${cell.name} (${action}) stays decided while the answer is the same`, async () => {
      const w = world()
      await checkDecisionSticks(w, 'refund', await checkRefundCell(w, words, cell), kind, action)
    })
  }
}

function summary(e: Expectation<string>): string {
  const parts: string[] = [e.outcome]
  if (e.way) parts.push(e.way)
  if (e.anomaly) parts.push(e.anomaly)
  if (e.errorCode) parts.push(e.errorCode)
  return `${parts.join(' ')}, ${e.status}`
}
