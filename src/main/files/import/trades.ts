import type { Channel } from '../../../shared/domain'
import { label } from '../../../shared/labels'
import { say, type MessageId, type Params } from '../../../shared/messages'
import { formatYuan } from '../../../shared/money'
import { formatBeijing } from '../../../shared/time'
import type { Db } from '../../store/connection'
import { findMerchantByName, listMerchants, type MerchantRow } from '../../store/merchants'
import { IMPORT_FIELDS, type ColumnMapping, type ImportField } from '../../../shared/mapping'
import * as F from './fields'
import { UnreadableFileError } from './row-source'
import type { ImportSink, RowResult, StoredTrade } from './sink'

// One row of a list into one trade: the cells read in a fixed order, so that a row with several
// mistakes is rejected for the same one every time, and the first mistake wins.

export class RowError extends Error {
  constructor(
    readonly column: string | null,
    readonly id: MessageId,
    readonly params: Params = {},
  ) {
    super(say(id, params))
  }
}

/** Who reads the sentences: the command line's name flags, the window's name its controls. */
export type Audience = 'cli' | 'window'

export interface RowOptions {
  mapping?: ColumnMapping
  audience: Audience
}

/** A sentence about a row that does not refuse it (a warning), with the column it is about. */
export interface Said {
  id: MessageId
  params: Params
  column: string | null
}

/** What a row did: its trade, and what the importer reports beside the count. */
export interface RowOutcome {
  result: RowResult
  id: number
  /** The trade's merchant and number (order number, or refund number): what a repeat is told by. */
  merchantId: number
  no: string
  /** In fen, as stored. */
  amount: number
  /** The trade was here already and the row says otherwise about it (not changed). */
  differs: { what: 'status' | 'title'; stored: string; value: string } | null
  warnings: Said[] | null
}

/**
 * The cells of the current row by field. Set `cells` for each row; nothing is allocated per row,
 * which matters at a million rows.
 */
export class RowCells {
  cells: string[] = []
  private readonly index: Record<ImportField, number>
  private readonly header: Record<ImportField, string | null>

  constructor(fields: Map<number, ImportField>, headers: string[]) {
    this.index = {} as Record<ImportField, number>
    this.header = {} as Record<ImportField, string | null>
    for (const f of IMPORT_FIELDS) {
      this.index[f] = -1
      this.header[f] = null
    }
    for (const [i, f] of fields) {
      this.index[f] = i
      this.header[f] = headers[i] ?? ''
    }
  }

  /** The header of the field's column, or null when the file has none. */
  headerOf(field: ImportField): string | null {
    return this.header[field]
  }

  /** The cell, or undefined when the file has no such column or the cell is blank. */
  cell(field: ImportField): string | undefined {
    const i = this.index[field]
    if (i < 0) return undefined
    const v = this.cells[i]
    return v === undefined || F.isBlank(v) ? undefined : v
  }

  read<T>(field: ImportField, parse: (v: string, header: string) => T): T | undefined {
    const v = this.cell(field)
    if (v === undefined) return undefined
    const header = this.header[field]!
    try {
      return parse(v, header)
    } catch (err) {
      if (err instanceof F.FieldError) throw new RowError(header, err.id, err.params)
      throw err
    }
  }
}

const title = (v: string, h: string) => F.text(v, 256, h)

/**
 * The merchant of each row. A merchant chosen for the whole file (the import panel's 商户,
 * `--merchant`) applies to every row and the file's merchant column is not read: the person's choice
 * on the screen is the most explicit statement there is, and a file's column is often a name from
 * another system (m2 of the newcomer report: every row refused until the column was unmapped). The
 * names that column held are kept, to be told beside the preview. Without a choice: the column, the
 * mapping's default, or the only profile there is.
 */
export class MerchantResolver {
  private readonly cache = new Map<string, MerchantRow | null>()
  private readonly only: MerchantRow | null
  private readonly fixed: MerchantRow | null
  private readonly fallback: MerchantRow | null
  private readonly none: boolean
  /** Names the file's merchant column gave that the chosen merchant overrode (a few, for the notice). */
  readonly ignored = new Set<string>()

  private readonly named: (name: string) => MerchantRow | undefined

  /** `book`: the file's merchants, or a team database's read before (it has no synchronous query). */
  constructor(book: Db | MerchantRow[], chosen: string | undefined, mappingDefault: string | undefined) {
    this.named = Array.isArray(book)
      ? (name) => book.find((m) => m.name === name)
      : (name) => findMerchantByName(book, name)
    const find = (name: string | undefined) => {
      if (!name) return null
      const m = this.named(name)
      if (!m)
        throw new UnreadableFileError(
          `there is no merchant profile named "${name}"; add it first with merchant add`,
          { id: 'merchant.noName', params: { name } },
        )
      return m
    }
    this.fixed = find(chosen)
    this.fallback = this.fixed ? null : find(mappingDefault)
    const all = Array.isArray(book) ? book : listMerchants(book)
    this.none = all.length === 0
    this.only = all.length === 1 ? all[0]! : null
  }

  resolve(row: RowCells, channel: Channel | null, audience: Audience): MerchantRow {
    const cell = row.cell('merchant')
    if (this.fixed) {
      if (cell !== undefined && this.ignored.size < 5) {
        const name = F.cleanCell(cell)
        if (name !== this.fixed.name) this.ignored.add(name.slice(0, 64))
      }
      return this.fixed
    }
    if (cell !== undefined) {
      const name = F.cleanCell(cell)
      let m = this.cache.get(name)
      if (m === undefined) {
        m = this.named(name) ?? null
        this.cache.set(name, m)
      }
      if (!m) throw new RowError(row.headerOf('merchant'), 'row.noProfile', { name })
      return m
    }
    if (this.fallback) return this.fallback
    if (this.only && (channel === null || this.only.channel === channel)) return this.only
    if (this.none) throw new RowError(null, 'row.noMerchants')
    throw new RowError(null, audience === 'cli' ? 'row.noMerchant.cli' : 'row.noMerchant.window')
  }
}

function merchantFor(row: RowCells, merchants: MerchantResolver, o: RowOptions): MerchantRow {
  const channel =
    row.read('channel', F.channel) ??
    (o.mapping?.defaults.channel ? F.channel(o.mapping.defaults.channel) : null)
  const merchant = merchants.resolve(row, channel, o.audience)
  if (channel && channel !== merchant.channel) {
    throw new RowError(row.headerOf('channel'), 'row.channelMismatch', {
      channel,
      name: merchant.name,
      merchantChannel: merchant.channel,
    })
  }
  return merchant
}

/** A trade number, with a warning when it looks like one Excel has already cut to 15 digits. */
function number(row: RowCells, field: ImportField, warnings: { list: Said[] | null }): string | undefined {
  const no = row.read(field, F.tradeNumber)
  if (no !== undefined && F.excelZeroed(no)) {
    const what = row.headerOf(field)
    ;(warnings.list ??= []).push({
      id: 'warn.excelZeros',
      params: { what: what ?? field, value: no },
      column: what,
    })
  }
  return no
}

/** A fen column: its decimals refusal names the fix the reader has. */
function fenOf(o: RowOptions): (v: string, what: string) => number {
  return o.audience === 'cli'
    ? (v, what) => F.fen(v, what, 'row.decimalsInFen.cli')
    : (v, what) => F.fen(v, what, 'row.decimalsInFen.window')
}

/** Beyond this a creation time is "in the future": clocks of shop systems drift by a few minutes. */
const FUTURE_SLACK_MS = 5 * 60_000

/** A row's time, with a warning when it lies in the future. */
function createdAt(row: RowCells, now: number, warnings: { list: Said[] | null }): number | undefined {
  const at = row.read('createdAt', F.time)
  if (at !== undefined && at > now + FUTURE_SLACK_MS) {
    const what = row.headerOf('createdAt')
    ;(warnings.list ??= []).push({
      id: 'warn.future',
      params: { what: what ?? 'createdAt', value: formatBeijing(at) },
      column: what,
    })
  }
  return at
}

/** What a stored trade and a row say differently, of what an import never changes. */
function difference(
  stored: StoredTrade | undefined,
  status: string,
  rowTitle: string,
  names: 'payStatus' | 'refundStatus',
): RowOutcome['differs'] {
  if (!stored) return null
  if (stored.status !== status)
    return { what: 'status', stored: label(names, stored.status), value: label(names, status) }
  if (stored.title !== null && stored.title !== '' && rowTitle !== '' && stored.title !== rowTitle)
    return { what: 'title', stored: stored.title.slice(0, 64), value: rowTitle.slice(0, 64) }
  return null
}

export function importPay(
  sink: ImportSink,
  row: RowCells,
  merchants: MerchantResolver,
  o: RowOptions,
  importId: number,
  now: number,
  wantId: boolean,
): RowOutcome {
  const warnings: { list: Said[] | null } = { list: null }
  const orderNo = number(row, 'orderNo', warnings)
  if (!orderNo) throw new RowError(null, 'row.orderNoEmpty')
  const amount = row.read('amountFen', fenOf(o)) ?? row.read('amountYuan', F.yuan)
  if (amount === undefined) throw new RowError(null, 'row.amountEmpty')
  const merchant = merchantFor(row, merchants, o)
  const status =
    row.read('status', F.payStatus) ??
    (o.mapping?.defaults.status ? F.payStatus(o.mapping.defaults.status) : 'progress')
  const rowTitle = row.read('title', title) ?? ''
  const done = sink.upsertPay(
    {
      orderNo,
      bizOrderNo: number(row, 'bizOrderNo', warnings) ?? orderNo,
      gatewayTradeNo: number(row, 'gatewayTradeNo', warnings) ?? null,
      merchantId: merchant.id,
      channel: merchant.channel,
      title: rowTitle,
      kind: row.read('kind', F.payKind) ?? 'pay',
      amount,
      status,
      createdAt: createdAt(row, now, warnings) ?? now,
      expiredAt: row.read('expiredAt', F.time) ?? null,
      paidAt: row.read('paidAt', F.time) ?? null,
      importId,
    },
    wantId,
  )
  if (done.stored && done.stored.amount !== amount) {
    throw new RowError(row.headerOf('amountYuan') ?? row.headerOf('amountFen'), 'row.amountDiffers', {
      orderNo,
      stored: formatYuan(done.stored.amount),
      amount: formatYuan(amount),
    })
  }
  if (amount === 0) (warnings.list ??= []).push({ id: 'warn.zeroAmount', params: {}, column: null })
  return {
    result: done.result,
    id: done.id,
    merchantId: merchant.id,
    no: orderNo,
    amount,
    differs: difference(done.stored, status, rowTitle, 'payStatus'),
    warnings: warnings.list,
  }
}

export function importRefund(
  sink: ImportSink,
  row: RowCells,
  merchants: MerchantResolver,
  o: RowOptions,
  importId: number,
  now: number,
): RowOutcome {
  const warnings: { list: Said[] | null } = { list: null }
  const orderNo = number(row, 'orderNo', warnings)
  if (!orderNo) throw new RowError(null, 'row.payOrderNoEmpty')
  const refundNo = number(row, 'refundNo', warnings)
  if (!refundNo) throw new RowError(null, 'row.refundNoEmpty')
  const fen = fenOf(o)
  const amount =
    row.read('refundAmountFen', fen) ??
    row.read('refundAmountYuan', F.yuan) ??
    row.read('amountFen', fen) ??
    row.read('amountYuan', F.yuan)
  if (amount === undefined) throw new RowError(null, 'row.refundAmountEmpty')
  if (amount <= 0) throw new RowError(null, 'row.refundAmountZero')
  const merchant = merchantFor(row, merchants, o)
  const pay = sink.findPay(merchant.id, orderNo)
  if (!pay) {
    throw new RowError(row.headerOf('orderNo'), 'row.payNotImported', { orderNo, name: merchant.name })
  }
  const gatewayRefundNo = number(row, 'gatewayRefundNo', warnings) ?? null
  const status =
    row.read('status', F.refundStatus) ??
    (o.mapping?.defaults.status ? F.refundStatus(o.mapping.defaults.status) : 'progress')
  const existing = sink.findRefund(merchant.id, refundNo)
  if (existing) {
    if (existing.pay_order_id !== pay.id) {
      throw new RowError(row.headerOf('refundNo'), 'row.refundOfOther', {
        refundNo,
        orderNo: existing.order_no ?? '',
      })
    }
    if (existing.amount !== amount) {
      throw new RowError(null, 'row.refundAmountDiffers', {
        refundNo,
        stored: formatYuan(existing.amount),
        amount: formatYuan(amount),
      })
    }
    return {
      result: sink.fillRefund(existing.id, gatewayRefundNo) ? 'updated' : 'unchanged',
      id: existing.id,
      merchantId: merchant.id,
      no: refundNo,
      amount,
      differs: difference({ amount, status: existing.status, title: null }, status, '', 'refundStatus'),
      warnings: warnings.list,
    }
  }
  if (
    (status === 'progress' || status === 'success') &&
    amount > pay.refundable_amount &&
    pay.status === 'success'
  ) {
    throw new RowError(null, 'row.refundOverRefundable', {
      amount: formatYuan(amount),
      refundable: formatYuan(pay.refundable_amount),
      orderNo,
    })
  }
  if (amount > pay.amount)
    throw new RowError(null, 'row.refundOverAmount', {
      refund: formatYuan(amount),
      amount: formatYuan(pay.amount),
    })
  if (pay.status !== 'success') {
    ;(warnings.list ??= []).push({
      id: 'warn.refundUnpaid',
      params: { orderNo, status: label('payStatus', pay.status) },
      column: row.headerOf('orderNo'),
    })
  }
  const id = sink.insertRefund({
    refundNo,
    bizRefundNo: number(row, 'bizRefundNo', warnings) ?? refundNo,
    gatewayRefundNo,
    payOrderId: pay.id,
    merchantId: merchant.id,
    channel: merchant.channel,
    amount,
    status,
    createdAt: createdAt(row, now, warnings) ?? now,
    finishedAt: status === 'success' ? (row.read('paidAt', F.time) ?? null) : null,
    importId,
  })
  sink.recompute(pay.id)
  return {
    result: 'inserted',
    id,
    merchantId: merchant.id,
    no: refundNo,
    amount,
    differs: null,
    warnings: warnings.list,
  }
}
