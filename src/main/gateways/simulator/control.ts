import { z } from 'zod'
import { CHANNELS, PAY_KINDS } from '../../../shared/domain'
import { parseBeijing } from '../../../shared/time'
import { GATEWAYS } from '../channels'
import { FAULTS, type SimState } from './state'
import type { SimResponse } from './types'

// The /_sim/ control endpoints of docs/cli.md 2.2: seed gateway-side orders and refunds, set faults,
// read the counters. Amounts are fen everywhere here.

const time = z.union([z.number().int(), z.string()]).transform((v, ctx) => {
  const ms = typeof v === 'number' ? v : parseBeijing(v)
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: `not a time: ${String(v)}` })
    return z.NEVER
  }
  return ms
})

export const simOrderSchema = z.object({
  merchant: z.string().min(1),
  orderNo: z.string().min(1).max(64),
  amount: z.number().int().nonnegative(),
  state: z.string().min(1),
  paidAt: time.optional().nullable(),
  gatewayTradeNo: z.string().min(1).optional().nullable(),
  kind: z.enum(PAY_KINDS).optional(),
  createdAt: time.optional(),
  /** The gateway changes the order by itself after this many queries (e.g. the buyer pays meanwhile). */
  then: z.object({ afterQueries: z.number().int().min(1), state: z.string().min(1) }).optional(),
})

export const simRefundSchema = z.object({
  merchant: z.string().min(1),
  orderNo: z.string().min(1),
  refundNo: z.string().min(1).max(64),
  amount: z.number().int().positive(),
  state: z.string().min(1),
  createdAt: time.optional(),
})

const billLineSchema = z.object({
  kind: z.enum(['pay', 'refund', 'revoke']),
  orderNo: z.string().min(1).max(64),
  refundNo: z.string().min(1).max(64).optional(),
  amount: z.number().int().nonnegative(),
  time,
  /** Fen, signed as the channel writes it. */
  fee: z.number().int().optional(),
  gatewayTradeNo: z.string().min(1).max(64).optional(),
  status: z.string().min(1).max(16).optional(),
  omit: z.boolean().optional(),
})

/** The lines of one day's bill over the derived ones (docs/reconcile.md A14; docs/cli.md 2.2). */
export const statementsSchema = z.array(
  z.object({
    merchant: z.string().min(1),
    date: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'date is YYYY-MM-DD')
      .refine((d) => parseBeijing(d) !== null, 'not a day of the calendar'),
    lines: z.array(billLineSchema).default([]),
    synthetic: z
      .object({
        count: z.number().int().min(1).max(10_000_000),
        amount: z.number().int().positive().default(100),
        prefix: z
          .string()
          .regex(/^[A-Za-z0-9]{1,16}$/)
          .default('SYN'),
      })
      .optional(),
    /** The bill is out from this time rather than 09:00 Beijing the next day (the demo's yesterday). */
    readyAt: time.optional(),
  }),
)

/** Each day given replaces what an earlier call set for that merchant and day. */
export function putStatements(state: SimState, input: unknown): number {
  const days = statementsSchema.parse(input)
  for (const d of days) {
    if (!state.merchants.has(d.merchant)) throw new Error(`unknown simulated merchant "${d.merchant}"`)
    state.putStatementDay(d.merchant, d.date, {
      lines: d.lines,
      synthetic: d.synthetic ?? null,
      readyAt: d.readyAt ?? null,
    })
  }
  return days.length
}

export const faultsSchema = z
  .object({
    latencyMs: z.number().min(0).max(60_000),
    jitterMs: z.number().min(0).max(60_000),
    qps: z.number().min(0),
    faultRate: z.number().min(0).max(1),
    faults: z.array(z.enum(FAULTS)),
  })
  .partial()

export const scenarioSchema = z.object({
  merchants: z
    .array(
      z.object({
        name: z.string().min(1),
        channel: z.enum(CHANNELS),
        mode: z.enum(['direct', 'partner']).optional(),
        keys: z.record(z.string(), z.string()).optional(),
        ids: z.record(z.string(), z.string()).optional(),
      }),
    )
    .min(1),
  orders: z.array(simOrderSchema).default([]),
  refunds: z.array(simRefundSchema).default([]),
})
export type Scenario = z.input<typeof scenarioSchema>

export function upsertOrders(state: SimState, input: unknown, now = Date.now()): number {
  const orders = z.array(simOrderSchema).parse(input)
  for (const o of orders) {
    const merchant = state.merchants.get(o.merchant)
    if (!merchant) throw new Error(`unknown simulated merchant "${o.merchant}"`)
    const existing = state.getOrder(o.merchant, o.orderNo)
    const created = o.state !== 'NOT_CREATED'
    const { paidStates, tradeNoTag, tradeNoLength } = GATEWAYS[merchant.channel]
    // A paid state carries a payment time: now, unless the order says when.
    const paidAt = o.paidAt ?? existing?.paidAt ?? (paidStates.includes(o.state) ? now : null)
    state.putOrder({
      merchant: o.merchant,
      orderNo: o.orderNo,
      amount: o.amount,
      state: o.state,
      paidAt,
      gatewayTradeNo:
        o.gatewayTradeNo ??
        existing?.gatewayTradeNo ??
        (created ? state.nextTradeNo(tradeNoTag, now, tradeNoLength) : null),
      kind: o.kind ?? existing?.kind ?? 'pay',
      createdAt: o.createdAt ?? existing?.createdAt ?? now,
      ...(o.then ? { then: { ...o.then } } : {}),
    })
  }
  return orders.length
}

export function upsertRefunds(state: SimState, input: unknown, now = Date.now()): number {
  const refunds = z.array(simRefundSchema).parse(input)
  for (const r of refunds) {
    const merchant = state.merchants.get(r.merchant)
    if (!merchant) throw new Error(`unknown simulated merchant "${r.merchant}"`)
    const existing = state.getRefund(r.merchant, r.refundNo)
    state.putRefund({
      merchant: r.merchant,
      orderNo: r.orderNo,
      refundNo: r.refundNo,
      amount: r.amount,
      state: r.state,
      gatewayRefundNo:
        existing?.gatewayRefundNo ??
        state.nextTradeNo('50301', now, GATEWAYS[merchant.channel].tradeNoLength),
      createdAt: r.createdAt ?? existing?.createdAt ?? now,
    })
  }
  return refunds.length
}

function json(status: number, value: unknown): SimResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(value),
  }
}

export function handleControl(
  state: SimState,
  method: string,
  path: string,
  body: string,
  extra: { merchants: () => unknown[] },
): SimResponse {
  try {
    const input = body ? (JSON.parse(body) as unknown) : undefined
    const route = `${method} ${path}`
    switch (route) {
      case 'POST /_sim/orders':
        return json(200, { upserted: upsertOrders(state, input) })
      case 'POST /_sim/refunds':
        return json(200, { upserted: upsertRefunds(state, input) })
      case 'POST /_sim/statements':
        return json(200, { days: putStatements(state, input) })
      case 'POST /_sim/faults':
        state.faults = { ...state.faults, ...faultsSchema.parse(input ?? {}) }
        return json(200, state.faults)
      case 'GET /_sim/faults':
        return json(200, state.faults)
      case 'GET /_sim/stats':
        return json(200, {
          ...state.stats,
          inFlight: state.inFlight,
          meanServiceMs: state.served ? Math.round((state.serviceMs / state.served) * 100) / 100 : null,
        })

      case 'POST /_sim/reset':
        state.reset()
        return json(200, { reset: true })
      case 'GET /_sim/orders':
        return json(200, state.allOrders())
      case 'GET /_sim/refunds':
        return json(200, state.allRefunds())
      case 'GET /_sim/merchants':
        return json(200, extra.merchants())
      default:
        return json(404, { error: `no control endpoint ${route}` })
    }
  } catch (err) {
    const message =
      err instanceof z.ZodError
        ? err.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')
        : (err as Error).message
    return json(400, { error: message })
  }
}
