import path from 'node:path'
import type { Channel, ImportRowError, ImportSummary, TradeType } from '../../../shared/domain'
import type { Db } from '../../store/connection'
import { addImportError, createImportRun, finishImportRun } from '../../store/imports'
import { findMerchantByName, listMerchants, type MerchantRow } from '../../store/merchants'
import {
  fillPayOrder,
  findPayOrder,
  getPayOrder,
  insertPayOrder,
  recomputeRefundState,
} from '../../store/orders'
import { fillRefundOrder, findRefundOrder, insertRefundOrder } from '../../store/refunds'
import * as F from './fields'
import { matchHeaders, type ColumnMapping, type ImportField } from './headers'
import { openRows, UnreadableFileError, type SourceRow } from './rows'

// An order or refund list into the local copy. Every bad row is rejected with its line, column and
// reason while the good rows go in; rows are written in transactions of a few thousand, streaming,
// so a million-row file imports in bounded memory. Importing the same file again changes nothing.

export interface ImportOptions {
  type: TradeType
  /** Merchant profile for the whole file, when it has no merchant column. */
  merchant?: string
  mapping?: ColumnMapping
  operator?: string | null
  /** Errors kept in the returned summary; all of them are stored with the import run. */
  maxErrorsInSummary?: number
  /** Every trade the file names, new or not: `sync --file` syncs exactly these. */
  onTrade?: (type: TradeType, id: number) => void
  onProgress?: (rowsRead: number) => void
  now?: () => number
  /** Check every row and count what would happen, writing nothing: the preview of the batch screen. */
  dryRun?: boolean
}

type ExistingPay = NonNullable<ReturnType<typeof findPayOrder>>
type NewPay = Parameters<typeof insertPayOrder>[1]
type NewRefund = Parameters<typeof insertRefundOrder>[1]
type Fill = Parameters<typeof fillPayOrder>[2]

/** Where rows go: the store, or (dry run) an overlay that remembers what the file would add. */
interface ImportSink {
  findPay(
    merchantId: number,
    orderNo: string,
  ): Pick<ExistingPay, 'id' | 'amount' | 'status' | 'refundable_amount'> | undefined
  fillPay(id: number, fill: Fill): boolean
  insertPay(o: NewPay): number
  findRefund(
    merchantId: number,
    refundNo: string,
  ): { id: number; pay_order_id: number; order_no?: string } | undefined
  fillRefund(id: number, gatewayRefundNo: string | null): boolean
  insertRefund(r: NewRefund): number
  recompute(payOrderId: number): void
}

function storeSink(db: Db, now: () => number): ImportSink {
  return {
    findPay: (m, no) => findPayOrder(db, m, no),
    fillPay: (id, fill) => fillPayOrder(db, id, fill, now()),
    insertPay: (o) => insertPayOrder(db, o, now()),
    findRefund: (m, no) => findRefundOrder(db, m, no),
    fillRefund: (id, no) => fillRefundOrder(db, id, no, now()),
    insertRefund: (r) => insertRefundOrder(db, r, now()),
    recompute: (id) => recomputeRefundState(db, id, now()),
  }
}

function dryRunSink(db: Db): ImportSink {
  let next = -1
  const pays = new Map<
    string,
    { id: number; amount: number; status: ExistingPay['status']; refundable_amount: number }
  >()
  const refunds = new Map<string, { id: number; pay_order_id: number }>()
  const byId = new Map<number, { refundable_amount: number }>()
  const key = (m: number, no: string) => `${m}\u0000${no}`
  return {
    findPay: (m, no) => pays.get(key(m, no)) ?? findPayOrder(db, m, no),
    fillPay: (id, fill) => {
      const row = id < 0 ? undefined : getPayOrder(db, id)
      if (!row) return false
      return (
        (row.gateway_trade_no === null && fill.gatewayTradeNo !== null) ||
        (row.title === '' && fill.title !== '') ||
        (row.expired_at === null && fill.expiredAt !== null) ||
        (row.paid_at === null && fill.paidAt !== null)
      )
    },
    insertPay: (o) => {
      const id = next--
      const row = {
        id,
        amount: o.amount,
        status: o.status,
        refundable_amount: o.status === 'success' ? o.amount : 0,
      }
      pays.set(key(o.merchantId, o.orderNo), row)
      byId.set(id, row)
      return id
    },
    findRefund: (m, no) => refunds.get(key(m, no)) ?? findRefundOrder(db, m, no),
    fillRefund: () => false,
    insertRefund: (r) => {
      const id = next--
      refunds.set(key(r.merchantId, r.refundNo), { id, pay_order_id: r.payOrderId })
      const pay = byId.get(r.payOrderId)
      if (pay && (r.status === 'progress' || r.status === 'success')) pay.refundable_amount -= r.amount
      return id
    },
    recompute: () => undefined,
  }
}

const CHUNK = 2_000

class RowError extends Error {
  constructor(
    readonly column: string | null,
    message: string,
  ) {
    super(message)
  }
}

type Cells = Partial<Record<ImportField, { value: string; header: string }>>

export async function importFile(db: Db, file: string, options: ImportOptions): Promise<ImportSummary> {
  const now = options.now ?? Date.now
  const source = await openRows(file)
  const iterator = source.rows[Symbol.asyncIterator]()
  const first = await iterator.next()
  if (first.done)
    throw new UnreadableFileError(
      `${path.basename(file)} is empty: the first row must hold the column headers`,
    )
  const header = first.value
  const match = matchHeaders(header.cells, options.mapping)
  requireColumns(match.fields, options, path.basename(file), header.cells)

  const dry = options.dryRun === true
  const sink = dry ? dryRunSink(db) : storeSink(db, now)
  const importId = dry
    ? 0
    : createImportRun(db, {
        fileName: path.basename(file),
        tradeType: options.type,
        encoding: source.encoding,
        operator: options.operator ?? null,
      })
  const counts = { rows: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0 }
  const errors: ImportRowError[] = []
  const keep = options.maxErrorsInSummary ?? 1000
  const merchants = new MerchantResolver(db, options.merchant ?? options.mapping?.defaults.merchant)
  const reject = (row: SourceRow, column: string | null, reason: string) => {
    counts.rejected += 1
    const e: ImportRowError = {
      line: row.line,
      column,
      reason,
      raw: row.raw.length > 2000 ? row.raw.slice(0, 2000) : row.raw,
    }
    if (!dry) addImportError(db, importId, e)
    if (errors.length < keep) errors.push({ line: e.line, column: e.column, reason: e.reason })
  }

  let chunk: SourceRow[] = []
  const apply = (rows: SourceRow[]) => {
    for (const row of rows) {
      try {
        const cells: Cells = {}
        for (const [i, field] of match.fields) {
          const v = row.cells[i]
          if (v !== undefined && v.trim() !== '') cells[field] = { value: v, header: header.cells[i]! }
        }
        const outcome =
          options.type === 'pay'
            ? importPay(sink, cells, merchants, options, importId, now())
            : importRefund(sink, cells, merchants, options, importId, now())
        counts[outcome.result] += 1
        options.onTrade?.(options.type, outcome.id)
      } catch (err) {
        if (err instanceof RowError) reject(row, err.column, err.message)
        else throw err
      }
    }
  }
  const write = db.transaction(apply)
  const flush = (rows: SourceRow[]) => (dry ? apply(rows) : write.immediate(rows))

  for (;;) {
    const next = await iterator.next()
    if (next.done) break
    counts.rows += 1
    chunk.push(next.value)
    if (chunk.length >= CHUNK) {
      flush(chunk)
      chunk = []
      options.onProgress?.(counts.rows)
    }
  }
  if (chunk.length) flush(chunk)
  options.onProgress?.(counts.rows)
  if (!dry) finishImportRun(db, importId, { encoding: source.encoding, ...counts })
  return {
    importId,
    file: path.basename(file),
    encoding: source.encoding,
    type: options.type,
    ...counts,
    errors,
  }
}

function requireColumns(
  fields: Map<number, ImportField>,
  o: ImportOptions,
  name: string,
  headers: string[],
): void {
  const have = new Set(fields.values())
  const missing: string[] = []
  if (!have.has('orderNo'))
    missing.push(o.type === 'refund' ? 'orderNo (the pay order it belongs to)' : 'orderNo')
  if (o.type === 'refund' && !have.has('refundNo')) missing.push('refundNo')
  const amount =
    o.type === 'pay'
      ? ['amountFen', 'amountYuan']
      : ['amountFen', 'amountYuan', 'refundAmountFen', 'refundAmountYuan']
  if (!amount.some((f) => have.has(f as ImportField)))
    missing.push(o.type === 'pay' ? 'amount (fen) or 金额(元)' : 'refundAmount or 退款金额(元)')
  if (missing.length) {
    throw new UnreadableFileError(
      `${name} has no column for ${missing.join(', ')}; its headers are: ${headers.filter(Boolean).join(', ') || '(none)'}. ` +
        'Rename the columns or pass a column mapping (--mapping)',
    )
  }
}

class MerchantResolver {
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

  resolve(cell: { value: string; header: string } | undefined, channel: Channel | null): MerchantRow {
    if (cell) {
      const name = F.cleanCell(cell.value)
      if (!this.cache.has(name)) this.cache.set(name, findMerchantByName(this.db, name) ?? null)
      const m = this.cache.get(name)
      if (!m)
        throw new RowError(cell.header, `merchant "${name}" has no profile; add it first or correct the name`)
      return m
    }
    if (this.fixed) return this.fixed
    if (this.only && (channel === null || this.only.channel === channel)) return this.only
    throw new RowError(null, 'no merchant: add a merchant column or name one for the whole file (--merchant)')
  }
}

function read<T>(cells: Cells, field: ImportField, parse: (v: string, header: string) => T): T | undefined {
  const c = cells[field]
  if (!c) return undefined
  try {
    return parse(c.value, c.header)
  } catch (err) {
    if (err instanceof F.FieldError) throw new RowError(c.header, err.message)
    throw err
  }
}

function merchantFor(cells: Cells, merchants: MerchantResolver, o: ImportOptions): MerchantRow {
  const channel =
    read(cells, 'channel', F.channel) ??
    (o.mapping?.defaults.channel ? F.channel(o.mapping.defaults.channel) : null)
  const merchant = merchants.resolve(cells.merchant, channel)
  if (channel && channel !== merchant.channel) {
    throw new RowError(
      cells.channel?.header ?? null,
      `channel ${channel} does not match merchant ${merchant.name}, which is ${merchant.channel}`,
    )
  }
  return merchant
}

function importPay(
  sink: ImportSink,
  cells: Cells,
  merchants: MerchantResolver,
  o: ImportOptions,
  importId: number,
  now: number,
): { result: 'inserted' | 'updated' | 'unchanged'; id: number } {
  const orderNo = read(cells, 'orderNo', (v, h) => F.tradeNumber(v, h))
  if (!orderNo) throw new RowError(null, 'the order number is empty')
  const amount =
    read(cells, 'amountFen', (v, h) => F.fen(v, h)) ?? read(cells, 'amountYuan', (v, h) => F.yuan(v, h))
  if (amount === undefined) throw new RowError(null, 'the amount is empty')
  const merchant = merchantFor(cells, merchants, o)
  const status =
    read(cells, 'status', F.payStatus) ??
    (o.mapping?.defaults.status ? F.payStatus(o.mapping.defaults.status) : 'progress')
  const row = {
    bizOrderNo: read(cells, 'bizOrderNo', (v, h) => F.tradeNumber(v, h)) ?? orderNo,
    gatewayTradeNo: read(cells, 'gatewayTradeNo', (v, h) => F.tradeNumber(v, h)) ?? null,
    title: read(cells, 'title', (v, h) => F.text(v, 256, h)) ?? '',
    kind: read(cells, 'kind', F.payKind) ?? 'pay',
    createdAt: read(cells, 'createdAt', (v, h) => F.time(v, h)) ?? now,
    expiredAt: read(cells, 'expiredAt', (v, h) => F.time(v, h)) ?? null,
    paidAt: read(cells, 'paidAt', (v, h) => F.time(v, h)) ?? null,
  }
  const existing = sink.findPay(merchant.id, orderNo)
  if (existing) {
    const changed = sink.fillPay(existing.id, row)
    return { result: changed ? 'updated' : 'unchanged', id: existing.id }
  }
  const id = sink.insertPay({
    ...row,
    orderNo,
    merchantId: merchant.id,
    channel: merchant.channel,
    amount,
    status,
    importId,
  })
  return { result: 'inserted', id }
}

function importRefund(
  sink: ImportSink,
  cells: Cells,
  merchants: MerchantResolver,
  o: ImportOptions,
  importId: number,
  now: number,
): { result: 'inserted' | 'updated' | 'unchanged'; id: number } {
  const orderNo = read(cells, 'orderNo', (v, h) => F.tradeNumber(v, h))
  if (!orderNo) throw new RowError(null, 'the pay order number is empty')
  const refundNo = read(cells, 'refundNo', (v, h) => F.tradeNumber(v, h))
  if (!refundNo) throw new RowError(null, 'the refund number is empty')
  const amount =
    read(cells, 'refundAmountFen', (v, h) => F.fen(v, h)) ??
    read(cells, 'refundAmountYuan', (v, h) => F.yuan(v, h)) ??
    read(cells, 'amountFen', (v, h) => F.fen(v, h)) ??
    read(cells, 'amountYuan', (v, h) => F.yuan(v, h))
  if (amount === undefined) throw new RowError(null, 'the refund amount is empty')
  if (amount <= 0) throw new RowError(null, 'the refund amount must be more than zero')
  const merchant = merchantFor(cells, merchants, o)
  const pay = sink.findPay(merchant.id, orderNo)
  if (!pay) {
    throw new RowError(
      cells.orderNo?.header ?? null,
      `pay order ${orderNo} of merchant ${merchant.name} is not imported; import the order list first`,
    )
  }
  const gatewayRefundNo = read(cells, 'gatewayRefundNo', (v, h) => F.tradeNumber(v, h)) ?? null
  const existing = sink.findRefund(merchant.id, refundNo)
  if (existing) {
    if (existing.pay_order_id !== pay.id) {
      throw new RowError(
        cells.refundNo?.header ?? null,
        `refund ${refundNo} already belongs to pay order ${existing.order_no}`,
      )
    }
    return {
      result: sink.fillRefund(existing.id, gatewayRefundNo) ? 'updated' : 'unchanged',
      id: existing.id,
    }
  }
  const status =
    read(cells, 'status', F.refundStatus) ??
    (o.mapping?.defaults.status ? F.refundStatus(o.mapping.defaults.status) : 'progress')
  if (
    (status === 'progress' || status === 'success') &&
    amount > pay.refundable_amount &&
    pay.status === 'success'
  ) {
    throw new RowError(
      null,
      `refund ${amount} fen is more than the ${pay.refundable_amount} fen still refundable on ${orderNo}`,
    )
  }
  if (amount > pay.amount)
    throw new RowError(null, `the refund amount is more than the order's amount (${pay.amount} fen)`)
  const id = sink.insertRefund({
    refundNo,
    bizRefundNo: read(cells, 'bizRefundNo', (v, h) => F.tradeNumber(v, h)) ?? refundNo,
    gatewayRefundNo,
    payOrderId: pay.id,
    merchantId: merchant.id,
    channel: merchant.channel,
    amount,
    status,
    createdAt: read(cells, 'createdAt', (v, h) => F.time(v, h)) ?? now,
    finishedAt: status === 'success' ? (read(cells, 'paidAt', (v, h) => F.time(v, h)) ?? null) : null,
    importId,
  })
  sink.recompute(pay.id)
  return { result: 'inserted', id }
}
