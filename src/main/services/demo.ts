import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { CHANNELS } from '../../shared/domain'
import { type ImportSummary } from '../../shared/import-report'
import { formatBeijing } from '../../shared/time'
import { GATEWAYS } from '../gateways/channels'
import type { Scenario } from '../gateways/simulator/control'
import { startSimulator, type Simulator } from '../gateways/simulator/server'
import type { ServiceContext } from './context'
import { runImport } from './imports'
import { addMerchant } from './merchants'

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
