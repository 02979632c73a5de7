import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Channel, PayKind, PayStatus, RefundStatus } from '../../src/shared/domain'
import { upsertOrders, upsertRefunds } from '../../src/main/gateways/simulator/control'
import { startSimulator, type Simulator } from '../../src/main/gateways/simulator/server'
import type { MerchantMode } from '../../src/shared/domain'
import { ServiceContext } from '../../src/main/services/context'
import type { ContextOptions } from '../../src/main/services/context-options'
import { addMerchant } from '../../src/main/services/merchants'
import { insertPayOrder, recomputeRefundState, getPayOrder } from '../../src/main/store/orders'
import { insertRefundOrder } from '../../src/main/store/refunds'
import type { RetryPolicy } from '../../src/main/gateways/http'

// A real world for a test: an SQLite file in a temp folder, the simulator on a loopback port, and
// merchant profiles pointing at it. Nothing of our own is mocked.

export const FAST_RETRY: RetryPolicy = { timeoutMs: 1_500, retries: 1, backoffMs: 10, maxBackoffMs: 20 }

export function tempDir(prefix = 'paysync-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix))
}

export interface WorldOptions {
  merchants?: Array<{ name: string; channel: Channel; mode?: MerchantMode; ids?: Record<string, string> }>
  retry?: RetryPolicy
  now?: () => number
  /** More of the context's options (a shorter busy timeout, ...). */
  context?: Partial<ContextOptions>
}

export interface World {
  dir: string
  dbFile: string
  ctx: ServiceContext
  sim: Simulator
  merchantId(name: string): number
  payOrder(o: {
    merchant: string
    orderNo: string
    amount?: number
    status?: PayStatus
    expiredAt?: number | null
    createdAt?: number
    paidAt?: number | null
    kind?: PayKind
    gatewayTradeNo?: string | null
  }): number
  refund(r: {
    merchant: string
    payOrderId: number
    refundNo: string
    amount: number
    status?: RefundStatus
    createdAt?: number
  }): number
  gatewayOrder(o: {
    merchant: string
    orderNo: string
    amount: number
    state: string
    paidAt?: number | null
    kind?: PayKind
    /** The gateway changes the order by itself after this many queries (the buyer pays meanwhile). */
    then?: { afterQueries: number; state: string }
  }): void
  gatewayRefund(r: {
    merchant: string
    orderNo: string
    refundNo: string
    amount: number
    state: string
  }): void
  close(): Promise<void>
}

export async function createWorld(options: WorldOptions = {}): Promise<World> {
  const dir = tempDir()
  const dbFile = path.join(dir, 'paysync.db')
  const merchants = options.merchants ?? [{ name: 'ali', channel: 'alipay' as const }]
  const sim = await startSimulator({ scenario: { merchants, orders: [], refunds: [] } })
  const ctx = new ServiceContext({
    dbFile,
    retry: options.retry ?? FAST_RETRY,
    transport: 'cli',
    operator: 'test',
    now: options.now,
    ...options.context,
  })
  const ids = new Map<string, number>()
  for (const p of sim.profiles()) {
    const view = await addMerchant(ctx, p)
    ids.set(view.name, view.id)
  }
  const now = () => (options.now ?? Date.now)()
  const world: World = {
    dir,
    dbFile,
    ctx,
    sim,
    merchantId: (name) => {
      const id = ids.get(name)
      if (!id) throw new Error(`no merchant ${name} in this world`)
      return id
    },
    payOrder(o) {
      const merchantId = world.merchantId(o.merchant)
      const channel = merchants.find((m) => m.name === o.merchant)!.channel
      return insertPayOrder(ctx.db, {
        orderNo: o.orderNo,
        bizOrderNo: o.orderNo,
        gatewayTradeNo: o.gatewayTradeNo ?? null,
        merchantId,
        channel,
        kind: o.kind ?? 'pay',
        title: 'test order',
        amount: o.amount ?? 1000,
        status: o.status ?? 'progress',
        createdAt: o.createdAt ?? now() - 60_000,
        expiredAt: o.expiredAt === undefined ? now() + 3600_000 : o.expiredAt,
        paidAt: o.paidAt ?? (o.status === 'success' ? now() - 30_000 : null),
        importId: null,
      })
    },
    refund(r) {
      const merchantId = world.merchantId(r.merchant)
      const pay = getPayOrder(ctx.db, r.payOrderId)!
      const id = insertRefundOrder(ctx.db, {
        refundNo: r.refundNo,
        bizRefundNo: r.refundNo,
        gatewayRefundNo: null,
        payOrderId: r.payOrderId,
        merchantId,
        channel: pay.channel,
        amount: r.amount,
        status: r.status ?? 'progress',
        createdAt: r.createdAt ?? now() - 60_000,
        finishedAt: null,
        importId: null,
      })
      recomputeRefundState(ctx.db, r.payOrderId)
      return id
    },
    gatewayOrder(o) {
      upsertOrders(sim.state, [o])
    },
    gatewayRefund(r) {
      upsertRefunds(sim.state, [r])
    },
    async close() {
      await ctx.close()
      await sim.close()
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
  return world
}

/** The known-answer signing vectors and the SDKs' test keys they use (tests/vectors/README.md). */
export const VECTORS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../vectors')

/**
 * A stand-in for the built screens, for tests of `paysync serve` that are about its engine and
 * shutdown, not its pages: they then run before (or without) `electron-vite build`.
 */
export function screensStub(dir: string): string {
  const screens = path.join(dir, 'screens')
  fs.mkdirSync(screens, { recursive: true })
  fs.writeFileSync(path.join(screens, 'index.html'), '<!doctype html><title>PaySync Desk</title>')
  return screens
}
