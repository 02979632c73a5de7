import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { CHANNELS, type ImportSummary } from '../../shared/domain'
import { formatBeijing } from '../../shared/time'
import { GATEWAYS } from '../gateways/channels'
import type { Scenario } from '../gateways/simulator/control'
import { startSimulator, type Simulator } from '../gateways/simulator/server'
import type { ServiceContext } from './context'
import { runImport } from './imports'
import { addMerchant, updateMerchantProfile } from './merchants'
import { findMerchantByName } from '../store/merchants'

// The built-in sandbox: a simulated gateway in this process and a day of orders whose local records
// drifted from it in every way the decision tables know (each channel's, from the channel registry:
// gateways/simulator/demo-world.ts). `paysync demo` and the desktop app's first start (when no
// merchant is configured) both use it.

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

export interface Sandbox {
  sim: Simulator
  imports: ImportSummary[]
}

/**
 * Starts the simulator with the demo world and points this database at it: its merchant profiles
 * are added (or, on a later start, moved to the new address and keys), and the demo orders imported.
 */
export async function startSandbox(
  ctx: ServiceContext,
  options: { port?: number; seedOrders?: boolean } = {},
): Promise<Sandbox> {
  const now = ctx.now()
  const data = demoData(now)
  const sim = await startSimulator({ port: options.port, scenario: data.scenario })
  for (const profile of sim.profiles()) {
    const existing = findMerchantByName(ctx.db, String(profile.name))
    if (existing) await updateMerchantProfile(ctx, existing.id, profile)
    else await addMerchant(ctx, profile)
  }
  const imports: ImportSummary[] = []
  if (options.seedOrders !== false) {
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
  }
  ctx.sandbox = { url: sim.url, close: () => sim.close() }
  return { sim, imports }
}
