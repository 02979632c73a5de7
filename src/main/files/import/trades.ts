import type { Channel } from '../../../shared/domain'
import { say, type MessageId, type Params } from '../../../shared/messages'
import { formatYuan } from '../../../shared/money'
import type { Db } from '../../store/connection'
import { findMerchantByName, listMerchants, type MerchantRow } from '../../store/merchants'
import { IMPORT_FIELDS, type ColumnMapping, type ImportField } from '../../../shared/mapping'
import * as F from './fields'
import { UnreadableFileError } from './row-source'
import type { ImportSink, RowResult } from './sink'

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

export interface RowOptions {
  merchant?: string
  mapping?: ColumnMapping
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

export class MerchantResolver {
  private readonly cache = new Map<string, MerchantRow | null>()
  private readonly only: MerchantRow | null
  private readonly fixed: MerchantRow | null

  constructor(
    private readonly db: Db,
    fixedName: string | undefined,
  ) {
    if (fixedName) {
      const m = findMerchantByName(db, fixedName)
      if (!m)
        throw new UnreadableFileError(
          `there is no merchant profile named "${fixedName}"; add it first with merchant add`,
        )
      this.fixed = m
    } else this.fixed = null
    const all = listMerchants(db)
    this.only = all.length === 1 ? all[0]! : null
  }

  resolve(row: RowCells, channel: Channel | null): MerchantRow {
    const cell = row.cell('merchant')
    if (cell !== undefined) {
      const name = F.cleanCell(cell)
      let m = this.cache.get(name)
      if (m === undefined) {
        m = findMerchantByName(this.db, name) ?? null
        this.cache.set(name, m)
      }
      if (!m) throw new RowError(row.headerOf('merchant'), 'row.noProfile', { name })
      return m
    }
    if (this.fixed) return this.fixed
    if (this.only && (channel === null || this.only.channel === channel)) return this.only
    throw new RowError(null, 'row.noMerchant')
  }
}

function merchantFor(row: RowCells, merchants: MerchantResolver, o: RowOptions): MerchantRow {
  const channel =
    row.read('channel', F.channel) ??
    (o.mapping?.defaults.channel ? F.channel(o.mapping.defaults.channel) : null)
  const merchant = merchants.resolve(row, channel)
  if (channel && channel !== merchant.channel) {
    throw new RowError(row.headerOf('channel'), 'row.channelMismatch', {
      channel,
      name: merchant.name,
      merchantChannel: merchant.channel,
    })
  }
  return merchant
}

export function importPay(
  sink: ImportSink,
  row: RowCells,
  merchants: MerchantResolver,
  o: RowOptions,
  importId: number,
  now: number,
  wantId: boolean,
): { result: RowResult; id: number } {
  const orderNo = row.read('orderNo', F.tradeNumber)
  if (!orderNo) throw new RowError(null, 'row.orderNoEmpty')
  const amount = row.read('amountFen', F.fen) ?? row.read('amountYuan', F.yuan)
  if (amount === undefined) throw new RowError(null, 'row.amountEmpty')
  const merchant = merchantFor(row, merchants, o)
  const status =
    row.read('status', F.payStatus) ??
    (o.mapping?.defaults.status ? F.payStatus(o.mapping.defaults.status) : 'progress')
  const done = sink.upsertPay(
    {
      orderNo,
      bizOrderNo: row.read('bizOrderNo', F.tradeNumber) ?? orderNo,
      gatewayTradeNo: row.read('gatewayTradeNo', F.tradeNumber) ?? null,
      merchantId: merchant.id,
      channel: merchant.channel,
      title: row.read('title', title) ?? '',
      kind: row.read('kind', F.payKind) ?? 'pay',
      amount,
      status,
      createdAt: row.read('createdAt', F.time) ?? now,
      expiredAt: row.read('expiredAt', F.time) ?? null,
      paidAt: row.read('paidAt', F.time) ?? null,
      importId,
    },
    wantId,
  )
  if (done.storedAmount !== undefined) {
    throw new RowError(row.headerOf('amountYuan') ?? row.headerOf('amountFen'), 'row.amountDiffers', {
      orderNo,
      stored: formatYuan(done.storedAmount),
      amount: formatYuan(amount),
    })
  }
  return done
}

export function importRefund(
  sink: ImportSink,
  row: RowCells,
  merchants: MerchantResolver,
  o: RowOptions,
  importId: number,
  now: number,
): { result: RowResult; id: number } {
  const orderNo = row.read('orderNo', F.tradeNumber)
  if (!orderNo) throw new RowError(null, 'row.payOrderNoEmpty')
  const refundNo = row.read('refundNo', F.tradeNumber)
  if (!refundNo) throw new RowError(null, 'row.refundNoEmpty')
  const amount =
    row.read('refundAmountFen', F.fen) ??
    row.read('refundAmountYuan', F.yuan) ??
    row.read('amountFen', F.fen) ??
    row.read('amountYuan', F.yuan)
  if (amount === undefined) throw new RowError(null, 'row.refundAmountEmpty')
  if (amount <= 0) throw new RowError(null, 'row.refundAmountZero')
  const merchant = merchantFor(row, merchants, o)
  const pay = sink.findPay(merchant.id, orderNo)
  if (!pay) {
    throw new RowError(row.headerOf('orderNo'), 'row.payNotImported', { orderNo, name: merchant.name })
  }
  const gatewayRefundNo = row.read('gatewayRefundNo', F.tradeNumber) ?? null
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
    }
  }
  const status =
    row.read('status', F.refundStatus) ??
    (o.mapping?.defaults.status ? F.refundStatus(o.mapping.defaults.status) : 'progress')
  if (
    (status === 'progress' || status === 'success') &&
    amount > pay.refundable_amount &&
    pay.status === 'success'
  ) {
    throw new RowError(null, 'row.refundOverRefundable', {
      amount,
      refundable: pay.refundable_amount,
      orderNo,
    })
  }
  if (amount > pay.amount) throw new RowError(null, 'row.refundOverAmount', { amount: pay.amount })
  const id = sink.insertRefund({
    refundNo,
    bizRefundNo: row.read('bizRefundNo', F.tradeNumber) ?? refundNo,
    gatewayRefundNo,
    payOrderId: pay.id,
    merchantId: merchant.id,
    channel: merchant.channel,
    amount,
    status,
    createdAt: row.read('createdAt', F.time) ?? now,
    finishedAt: status === 'success' ? (row.read('paidAt', F.time) ?? null) : null,
    importId,
  })
  sink.recompute(pay.id)
  return { result: 'inserted', id }
}
