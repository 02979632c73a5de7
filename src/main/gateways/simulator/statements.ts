import crypto from 'node:crypto'
import { compactDate, dayStart } from './bills/format'
import type { BillTrade } from './bills/types'
import type { SimOrder, SimRefund, SimState, SimStatementDay, SimSyntheticLines } from './state'

// What the simulated gateways put in a day's bill (docs/reconcile.md A14): the trades whose GATEWAY
// time falls on the day (a payment by its success time, a refund by the time the channel books it),
// then what `/_sim/statements` set for that day on top (a line of the same trade replaces the derived
// one, a new one is added, `omit` takes one out), then the synthetic lines, made up as they are
// written. The order is fixed (time, then numbers), so one state gives one file, byte for byte.

const DAY_MS = 86_400_000

/** How a channel's words become bill lines; each protocol's handler passes its own. */
export interface BillRules {
  /** Whether the gateway holds the order as paid (it then carries a payment time). */
  paid(o: SimOrder): boolean
  /**
   * A refund's line, or null when the channel's bill has none for it: its time (when the channel
   * books it) and, for WeChat, its 退款状态 and success time.
   */
  refund(r: SimRefund): { time: number; status?: string; finishedAt?: number } | null
}

export interface BillDay {
  /** The derived and posted lines, in bill order. */
  rows: BillTrade[]
  synthetic: SimSyntheticLines | null
  /** Lines in all, synthetic ones included. */
  count: number
}

const lineKey = (t: { kind: string; orderNo: string; refundNo?: string }) =>
  `${t.kind}\u0000${t.orderNo}\u0000${t.refundNo ?? ''}`

function byBillOrder(a: BillTrade, b: BillTrade): number {
  return (
    a.time - b.time ||
    a.kind.localeCompare(b.kind) ||
    a.orderNo.localeCompare(b.orderNo) ||
    (a.refundNo ?? '').localeCompare(b.refundNo ?? '')
  )
}

/** The bill of `merchant` for `date` (YYYY-MM-DD, Beijing) as the state holds it now. */
export function billDay(state: SimState, merchant: string, date: string, rules: BillRules): BillDay {
  const start = dayStart(date)
  const inDay = (t: number | null): t is number => t !== null && t >= start && t < start + DAY_MS
  const derived: BillTrade[] = []
  const orders = new Map<string, SimOrder>()
  for (const o of state.allOrders()) {
    if (o.merchant !== merchant) continue
    orders.set(o.orderNo, o)
    // Payscore orders are left out of v1's bills, as the reconciliation leaves them out (A6 rule 6).
    if (o.kind !== 'pay' || !rules.paid(o) || !inDay(o.paidAt)) continue
    derived.push({
      kind: 'pay',
      orderNo: o.orderNo,
      amount: o.amount,
      time: o.paidAt,
      ...(o.gatewayTradeNo ? { gatewayTradeNo: o.gatewayTradeNo } : {}),
    })
  }
  const refunds = new Map<string, SimRefund>()
  for (const r of state.allRefunds()) {
    if (r.merchant !== merchant) continue
    refunds.set(r.refundNo, r)
    const line = rules.refund(r)
    if (!line || !inDay(line.time)) continue
    const o = orders.get(r.orderNo)
    derived.push({
      kind: 'refund',
      orderNo: r.orderNo,
      refundNo: r.refundNo,
      amount: r.amount,
      time: line.time,
      gatewayRefundNo: r.gatewayRefundNo,
      ...(o?.gatewayTradeNo ? { gatewayTradeNo: o.gatewayTradeNo } : {}),
      ...(o?.paidAt ? { payTime: o.paidAt } : {}),
      ...(line.status ? { status: line.status } : {}),
      ...(line.finishedAt ? { finishedAt: line.finishedAt } : {}),
    })
  }
  const day: SimStatementDay = state.statementDay(merchant, date) ?? {
    lines: [],
    synthetic: null,
    readyAt: null,
  }
  const posted = new Set(day.lines.map(lineKey))
  const rows = derived.filter((t) => !posted.has(lineKey(t)))
  for (const l of day.lines) {
    if (l.omit) continue
    const o = orders.get(l.orderNo)
    const r = l.refundNo ? refunds.get(l.refundNo) : undefined
    const gatewayTradeNo = l.gatewayTradeNo ?? o?.gatewayTradeNo ?? undefined
    rows.push({
      kind: l.kind,
      orderNo: l.orderNo,
      ...(l.refundNo ? { refundNo: l.refundNo } : {}),
      amount: l.amount,
      time: l.time,
      ...(l.fee ? { feeE5: l.fee * 1000 } : {}),
      ...(gatewayTradeNo ? { gatewayTradeNo } : {}),
      ...(l.kind === 'refund'
        ? { gatewayRefundNo: r?.gatewayRefundNo ?? syntheticNo(date, `${l.orderNo}/${l.refundNo ?? ''}`) }
        : {}),
      ...(l.status ? { status: l.status } : {}),
      ...(l.kind === 'refund' && o?.paidAt ? { payTime: o.paidAt } : {}),
    })
  }
  rows.sort(byBillOrder)
  return { rows, synthetic: day.synthetic, count: rows.length + (day.synthetic?.count ?? 0) }
}

/** A gateway number for a line that has none, the same for the same line every time. */
function syntheticNo(date: string, of: string): string {
  const digits = BigInt(`0x${crypto.createHash('sha256').update(of).digest('hex').slice(0, 15)}`)
  return `${compactDate(date)}${String(digits).padStart(20, '0').slice(-20)}`
}

/** Every line of the day, the synthetic ones made up one at a time: iterate as often as needed. */
export function* billLines(date: string, day: BillDay): Generator<BillTrade> {
  yield* day.rows
  const s = day.synthetic
  if (!s) return
  const start = dayStart(date)
  const stamp = compactDate(date)
  for (let i = 0; i < s.count; i++) {
    const n = String(i + 1)
    yield {
      kind: 'pay',
      orderNo: `${s.prefix}${n.padStart(8, '0')}`,
      amount: s.amount,
      // Spread over the day in whole seconds, in order.
      time: start + Math.floor((i * (DAY_MS / 1000 - 1)) / s.count) * 1000,
      gatewayTradeNo: `${stamp}9${n.padStart(19, '0')}`,
    }
  }
}

/**
 * When the channel has made `merchant`'s bill of `date`: 09:00 Beijing the next day (A1.1, A1.2),
 * unless `/_sim/statements` set the day's `readyAt`.
 */
export function billReadyAt(state: SimState, merchant: string, date: string): number {
  return state.statementDay(merchant, date)?.readyAt ?? dayStart(date) + DAY_MS + 9 * 3600_000
}

/**
 * The download links a bill application hands out (A1: "30 s 内有效"): a random token for what to
 * serve, kept until it expires. The answer is fixed when the link is made, as the real file is.
 */
export class BillLinks<T> {
  private readonly links = new Map<string, { value: T; expires: number }>()

  constructor(private readonly ttlMs = 30_000) {}

  add(value: T, now: number): string {
    for (const [token, link] of this.links) if (link.expires <= now) this.links.delete(token)
    const token = crypto.randomBytes(24).toString('hex')
    this.links.set(token, { value, expires: now + this.ttlMs })
    return token
  }

  get(token: string, now: number): T | null {
    const link = this.links.get(token)
    return link && link.expires > now ? link.value : null
  }
}
