import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { CHANNELS } from '../../shared/domain'
import type { ImportSummary } from '../../shared/import-report'
import type { ReconcileRun } from '../../shared/statements'
import { formatBeijing, parseBeijing } from '../../shared/time'
import { GATEWAYS } from '../gateways/channels'
import { putStatements, upsertOrders, type Scenario } from '../gateways/simulator/control'
import { startSimulator, type Simulator } from '../gateways/simulator/server'
import type { ServiceContext } from './context'
import { runImport } from './imports'
import { addMerchant } from './merchants'
import { reconcileDay } from './statements/reconcile-day'
import { reconcilableMerchants } from './statements/runs'

// The demo world: a simulated gateway in this process and a day of orders whose local records drifted
// from it in every way the decision tables know (each channel's, from the channel registry:
// gateways/simulator/demo-world.ts). `paysync demo` and the sandbox of the first start
// (services/sandbox.ts) both use it, each on a database of its own.

const MIN = 60_000

export interface DemoData {
  scenario: Scenario
  ordersCsv: string
  refundsCsv: string
}

const csvCell = (v: string | number | null) =>
  v === null ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v)

export function demoData(now: number): DemoData {
  const demos = CHANNELS.map((channel) => ({ channel, ...GATEWAYS[channel].demo }))
  const orders = demos.flatMap((d) => d.orders)
  const refunds = demos.flatMap((d) => d.refunds)
  const at = (minAgo: number) => now - minAgo * MIN
  const scenario: Scenario = {
    merchants: demos.flatMap((d) => d.merchants.map((m) => ({ ...m, channel: d.channel }))),
    orders: orders.map((d) => ({
      merchant: d.merchant,
      orderNo: d.orderNo,
      amount: d.gateway.amount ?? d.amount,
      state: d.gateway.state,
      kind: d.kind ?? 'pay',
      paidAt: d.gateway.paid ? at(d.createdMinAgo - 1) : null,
      createdAt: at(d.createdMinAgo),
    })),
    refunds: refunds
      .filter((r) => r.gateway !== null)
      .map((r) => ({
        merchant: r.merchant,
        orderNo: r.orderNo,
        refundNo: r.refundNo,
        amount: r.amount,
        state: r.gateway!,
        createdAt: at(r.createdMinAgo),
      })),
  }
  const ordersCsv = [
    'orderNo,merchant,kind,title,amountFen,status,createdAt,expiredAt,paidAt',
    ...orders.map((d) =>
      [
        d.orderNo,
        d.merchant,
        d.kind ?? 'pay',
        d.title,
        d.amount,
        d.local,
        formatBeijing(at(d.createdMinAgo)),
        d.expiresInMin === null ? '' : formatBeijing(now + d.expiresInMin * MIN),
        d.local === 'success' ? formatBeijing(at(d.createdMinAgo - 1)) : '',
      ]
        .map(csvCell)
        .join(','),
    ),
  ].join('\r\n')
  const refundsCsv = [
    'refundNo,orderNo,merchant,refundAmountFen,status,createdAt',
    ...refunds.map((r) =>
      [r.refundNo, r.orderNo, r.merchant, r.amount, r.local, formatBeijing(at(r.createdMinAgo))]
        .map(csvCell)
        .join(','),
    ),
  ].join('\r\n')
  return { scenario, ordersCsv, refundsCsv }
}

export interface DemoWorld {
  sim: Simulator
  imports: ImportSummary[]
}

/**
 * Starts the simulator with the demo world and fills this database with it: the simulated merchants'
 * profiles and the demo orders and refunds. Only ever a database of the demo's own (`paysync demo`'s,
 * or the sandbox's, services/sandbox.ts): never the books. The caller closes the simulator.
 */
export async function startDemoWorld(
  ctx: ServiceContext,
  options: { port?: number } = {},
): Promise<DemoWorld> {
  const data = demoData(ctx.now())
  const sim = await startSimulator({ port: options.port, scenario: data.scenario })
  try {
    for (const profile of sim.profiles()) await addMerchant(ctx, profile)
    const imports: ImportSummary[] = []
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paysync-demo-'))
    try {
      const orders = path.join(dir, 'demo-orders.csv')
      const refunds = path.join(dir, 'demo-refunds.csv')
      fs.writeFileSync(orders, data.ordersCsv)
      fs.writeFileSync(refunds, data.refundsCsv)
      imports.push(await runImport(ctx, { file: orders, type: 'pay' }))
      imports.push(await runImport(ctx, { file: refunds, type: 'refund' }))
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
    return { sim, imports }
  } catch (err) {
    await sim.close()
    throw err
  }
}

// ---- the demo's bills (issue 12, item 8) ----

const DAY_MS = 86_400_000

/**
 * The days the demo reconciles, counted back from today (Beijing), oldest first as a person would:
 * one that balances, one with a difference of each common kind, one whose last payment waits for the
 * next day's bill, and yesterday, with differences of its own: the day a newcomer looks for, and the
 * daily run's (docs/reconcile.md A12). The day before yesterday is left to reconcile by hand, against
 * the bill the simulator makes or a file, and it is the day the cross-day payment waits for.
 */
const BILL_DAYS = [
  { back: 5, shape: 'balanced' },
  { back: 4, shape: 'unbalanced' },
  { back: 3, shape: 'cross_day' },
  { back: 1, shape: 'unbalanced' },
] as const

interface BillTradePlan {
  orderNo: string
  title: string
  amount: number
  local: 'success' | 'progress'
  /** Beijing wall-clock of the day, or `next HH:mm:ss` for the day after. */
  localPaid: string | null
  /** What the simulated gateway holds: its amount and its payment time; null: it never saw the order. */
  gateway: { amount: number; paid: string } | null
}

/** A merchant's trades of one bill day, and a line only the bill has. */
function billDayPlan(
  prefix: string,
  shape: (typeof BILL_DAYS)[number]['shape'],
): { trades: BillTradePlan[]; billOnly: Array<{ orderNo: string; amount: number; time: string }> } {
  const no = (n: number) => `${prefix}${n}`
  const both = (n: number, title: string, amount: number, time: string): BillTradePlan => ({
    orderNo: no(n),
    title,
    amount,
    local: 'success',
    localPaid: time,
    gateway: { amount, paid: time },
  })
  if (shape === 'balanced')
    return {
      trades: [
        both(1, '对账演示 - 两边一致', 3_580, '10:15:00'),
        both(2, '对账演示 - 两边一致', 12_800, '14:30:00'),
      ],
      billOnly: [],
    }
  if (shape === 'cross_day')
    return {
      trades: [
        both(1, '对账演示 - 两边一致', 4_200, '09:40:00'),
        // Recorded by the shop's clock two seconds before midnight, paid at the gateway just after:
        // the next day's bill holds it (docs/reconcile.md A8, the second worked example).
        {
          orderNo: no(2),
          title: '对账演示 - 跨日待核',
          amount: 2_990,
          local: 'success',
          localPaid: '23:59:58',
          gateway: { amount: 2_990, paid: 'next 00:00:03' },
        },
      ],
      billOnly: [],
    }
  return {
    trades: [
      both(1, '对账演示 - 两边一致', 6_600, '09:05:00'),
      // The bill says paid, the books say under way: a reconcile sync asks the gateway and repairs it.
      {
        orderNo: no(2),
        title: '对账演示 - 回调丢失',
        amount: 8_800,
        local: 'progress',
        localPaid: null,
        gateway: { amount: 8_800, paid: '11:00:00' },
      },
      // The amounts differ: a person decides.
      {
        orderNo: no(3),
        title: '对账演示 - 金额不符',
        amount: 3_580,
        local: 'success',
        localPaid: '13:20:00',
        gateway: { amount: 3_500, paid: '13:20:00' },
      },
      // Paid in the books only: the sync finds no such order at the gateway.
      {
        orderNo: no(4),
        title: '对账演示 - 通道无此单',
        amount: 1_500,
        local: 'success',
        localPaid: '12:00:00',
        gateway: null,
      },
    ],
    billOnly: [{ orderNo: no(9), amount: 2_000, time: '16:00:00' }],
  }
}

export interface DemoBills {
  /** Each reconciled day's run, per merchant, oldest day first. */
  runs: ReconcileRun[]
}

/**
 * Gives every demo merchant whose channel has bills a few past days of trades on both sides, then
 * reconciles those days by downloading the simulator's bills (derived from its trades, with the lines
 * only a bill has added the way `/_sim/statements` adds them): the 对账 screens open on a balanced
 * day, an unbalanced one with the reason on each difference, and a day waiting for the next one.
 * Only the demo's own database (the caller's): syncs run here, before any schedule starts.
 */
export async function reconcileDemoDays(ctx: ServiceContext, sim: Simulator): Promise<DemoBills> {
  const now = ctx.now()
  const merchants = reconcilableMerchants(ctx)
  const rows: string[] = []
  const gateway: unknown[] = []
  const statements: unknown[] = []
  const days = BILL_DAYS.map((d) => ({ ...d, date: formatBeijing(now - d.back * DAY_MS).slice(0, 10) }))
  merchants.forEach((m, i) => {
    const paidState = GATEWAYS[m.channel].paidStates[0]!
    for (const day of days) {
      const next = formatBeijing(parseBeijing(day.date)! + DAY_MS).slice(0, 10)
      const at = (t: string) => (t.startsWith('next ') ? `${next} ${t.slice(5)}` : `${day.date} ${t}`)
      const prefix = `DEMO-R${GATEWAYS[m.channel].demo.tag}${i + 1}-${day.date.slice(5).replace('-', '')}-`
      const plan = billDayPlan(prefix, day.shape)
      for (const t of plan.trades) {
        rows.push(
          [
            t.orderNo,
            m.name,
            'pay',
            t.title,
            t.amount,
            t.local,
            at('08:00:00'),
            '',
            t.localPaid ? at(t.localPaid) : '',
          ]
            .map(csvCell)
            .join(','),
        )
        if (t.gateway)
          gateway.push({
            merchant: m.name,
            orderNo: t.orderNo,
            amount: t.gateway.amount,
            state: paidState,
            paidAt: at(t.gateway.paid),
            createdAt: at('08:00:00'),
          })
      }
      statements.push({
        merchant: m.name,
        date: day.date,
        lines: plan.billOnly.map((l) => ({
          kind: 'pay',
          orderNo: l.orderNo,
          amount: l.amount,
          time: at(l.time),
        })),
        // The real channels make a day's bill by 09:00 the next day; the demo's own gateway has it
        // out as the day ends, so yesterday is reconciled whatever the hour the demo starts.
        readyAt: at('next 00:00:00'),
      })
    }
  })
  if (merchants.length === 0) return { runs: [] }
  upsertOrders(sim.state, gateway, now)
  putStatements(sim.state, statements)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paysync-demo-bills-'))
  try {
    const file = path.join(dir, 'demo-bill-days.csv')
    fs.writeFileSync(
      file,
      ['orderNo,merchant,kind,title,amountFen,status,createdAt,expiredAt,paidAt', ...rows].join('\r\n'),
    )
    await runImport(ctx, { file, type: 'pay' })
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
  const runs: ReconcileRun[] = []
  for (const m of merchants)
    for (const day of days)
      runs.push(await reconcileDay(ctx, m, day.date, { file: null, dryRun: false, waitForSyncs: true }))
  return { runs }
}
