import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { ImportSummary } from '../../shared/domain'
import { formatBeijing } from '../../shared/time'
import type { Scenario } from '../gateways/simulator/control'
import { startSimulator, type Simulator } from '../gateways/simulator/server'
import type { ServiceContext } from './context'
import { runImport } from './imports'
import { addMerchant, updateMerchantProfile } from './merchants'
import { findMerchantByName } from '../store/merchants'

// The built-in sandbox: a simulated gateway in this process and a day of orders whose local records
// drifted from it in every way the decision tables know. `paysync demo` and the desktop app's first
// start (when no merchant is configured) both use it.

const MIN = 60_000

interface DemoOrder {
  merchant: string
  orderNo: string
  title: string
  amount: number
  /** Local status, as the business system exported it. */
  local: string
  /** What the gateway believes; amount may differ to show a mismatch. */
  gateway: { state: string; amount?: number; paid?: boolean }
  createdMinAgo: number
  expiresInMin: number | null
  kind?: 'pay' | 'payscore'
}

interface DemoRefund {
  merchant: string
  orderNo: string
  refundNo: string
  amount: number
  local: string
  gateway: string | null
  createdMinAgo: number
}

function alipayDemo(m: string): { orders: DemoOrder[]; refunds: DemoRefund[] } {
  const o = (
    n: number,
    title: string,
    amount: number,
    local: string,
    gateway: DemoOrder['gateway'],
    createdMinAgo: number,
    expiresInMin: number | null,
  ): DemoOrder => ({
    merchant: m,
    orderNo: `DEMO-A-${String(n).padStart(4, '0')}`,
    title,
    amount,
    local,
    gateway,
    createdMinAgo,
    expiresInMin,
  })
  const orders: DemoOrder[] = [
    o(1, '年度会员 - 回调丢失', 19_900, 'progress', { state: 'TRADE_SUCCESS' }, 25, 5),
    o(2, '扫码点餐 - 超时未付', 4_850, 'progress', { state: 'WAIT_BUYER_PAY' }, 50, -20),
    o(3, '课程购买 - 网关已关闭', 29_900, 'success', { state: 'TRADE_CLOSED' }, 300, 60),
    o(4, '门店收款 - 尚未扫码', 1_200, 'progress', { state: 'NOT_CREATED' }, 3, 12),
    o(5, '关闭后仍被支付', 8_800, 'close', { state: 'TRADE_SUCCESS' }, 180, -120),
    o(6, '会员续费', 9_900, 'success', { state: 'TRADE_SUCCESS' }, 400, null),
    o(7, '咖啡豆 500g', 12_800, 'success', { state: 'TRADE_SUCCESS' }, 380, null),
    o(8, '早餐套餐', 1_800, 'success', { state: 'TRADE_FINISHED' }, 1_500, null),
    o(9, '打印服务', 300, 'close', { state: 'TRADE_CLOSED' }, 600, -500),
    o(10, '停车费', 1_500, 'success', { state: 'TRADE_SUCCESS' }, 90, null),
    o(11, '金额被改 - 需核对', 15_000, 'progress', { state: 'TRADE_SUCCESS', amount: 1_500 }, 40, 20),
    o(12, '二维码从未被扫', 6_600, 'progress', { state: 'NOT_CREATED' }, 120, -60),
    o(13, '网关已关闭的待支付单', 2_300, 'progress', { state: 'TRADE_CLOSED' }, 70, 10),
    o(14, '部分退款订单', 50_000, 'success', { state: 'TRADE_SUCCESS' }, 900, null),
    o(15, '退款未到账订单', 8_000, 'success', { state: 'TRADE_SUCCESS' }, 800, null),
    o(16, '被误判失败的订单', 3_900, 'fail', { state: 'TRADE_SUCCESS' }, 200, null),
    o(17, '网关已全额退款', 7_700, 'progress', { state: 'TRADE_CLOSED', paid: true }, 100, 30),
    o(18, '书籍', 5_600, 'success', { state: 'TRADE_SUCCESS' }, 60, null),
  ]
  const refunds: DemoRefund[] = [
    {
      merchant: m,
      orderNo: 'DEMO-A-0014',
      refundNo: 'DEMO-A-R001',
      amount: 20_000,
      local: 'progress',
      gateway: 'REFUND_SUCCESS',
      createdMinAgo: 30,
    },
    {
      merchant: m,
      orderNo: 'DEMO-A-0015',
      refundNo: 'DEMO-A-R002',
      amount: 8_000,
      local: 'progress',
      gateway: null,
      createdMinAgo: 90,
    },
    {
      merchant: m,
      orderNo: 'DEMO-A-0006',
      refundNo: 'DEMO-A-R003',
      amount: 2_000,
      local: 'success',
      gateway: 'REFUND_SUCCESS',
      createdMinAgo: 200,
    },
  ]
  return { orders, refunds }
}

/** The other channels: each shows the columns only it can produce. */
function otherChannels(): { orders: DemoOrder[]; refunds: DemoRefund[] } {
  const o = (
    merchant: string,
    orderNo: string,
    title: string,
    amount: number,
    local: string,
    state: string,
    createdMinAgo: number,
    expiresInMin: number | null,
    kind: 'pay' | 'payscore' = 'pay',
  ): DemoOrder => ({
    merchant,
    orderNo,
    title,
    amount,
    local,
    gateway: { state },
    createdMinAgo,
    expiresInMin,
    kind,
  })
  const orders: DemoOrder[] = [
    o('demo-wechat', 'DEMO-W-0001', '小程序下单 - 回调丢失', 6_800, 'progress', 'SUCCESS', 30, 90),
    o('demo-wechat', 'DEMO-W-0002', 'Native 支付 - 超时未付', 2_500, 'progress', 'NOTPAY', 45, -15),
    o('demo-wechat', 'DEMO-W-0003', '付款码支付失败', 1_000, 'progress', 'PAYERROR', 20, 10),
    o('demo-wechat', 'DEMO-W-0004', '退款被退回商户', 12_000, 'success', 'REFUND', 600, null),
    o('demo-wechat', 'DEMO-W-0005', '部分退款', 9_900, 'success', 'REFUND', 500, null),
    o('demo-wechat', 'DEMO-W-0006', '会员月卡', 3_000, 'success', 'SUCCESS', 300, null),
    o(
      'demo-wechat-sp',
      'DEMO-PS-0001',
      '支付分 - 线下已收款',
      4_500,
      'success',
      'DOING/MCH_COMPLETE',
      240,
      null,
      'payscore',
    ),
    o(
      'demo-wechat-sp',
      'DEMO-PS-0002',
      '支付分 - 扣款成功',
      3_200,
      'progress',
      'DONE',
      180,
      null,
      'payscore',
    ),
    o('demo-unionpay', 'DEMO-U-0001', '云闪付 - 回调丢失', 20_000, 'progress', '00', 35, 60),
    o('demo-unionpay', 'DEMO-U-0002', '云闪付 - 处理中', 5_000, 'progress', '03', 5, 25),
    o('demo-unionpay', 'DEMO-U-0003', '云闪付 - 已支付', 8_000, 'success', '00', 400, null),
    o('demo-daxpay', 'DEMO-D-0001', 'DaxPay 网关订单 - 已支付', 16_600, 'progress', 'success', 25, 60),
    o('demo-daxpay', 'DEMO-D-0002', 'DaxPay 网关订单 - 已关闭', 900, 'close', 'close', 700, -600),
    o('demo-daxpay', 'DEMO-D-0003', 'DaxPay 网关订单 - 支付失败', 4_000, 'progress', 'fail', 15, 45),
  ]
  const refunds: DemoRefund[] = [
    {
      merchant: 'demo-wechat',
      orderNo: 'DEMO-W-0004',
      refundNo: 'DEMO-W-R001',
      amount: 12_000,
      local: 'progress',
      gateway: 'ABNORMAL',
      createdMinAgo: 120,
    },
    {
      merchant: 'demo-wechat',
      orderNo: 'DEMO-W-0005',
      refundNo: 'DEMO-W-R002',
      amount: 3_300,
      local: 'progress',
      gateway: 'SUCCESS',
      createdMinAgo: 60,
    },
  ]
  return { orders, refunds }
}

export interface DemoData {
  scenario: Scenario
  ordersCsv: string
  refundsCsv: string
}

const csvCell = (v: string | number | null) =>
  v === null ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v)

export function demoData(now: number): DemoData {
  const alipay = alipayDemo('demo-alipay')
  const others = otherChannels()
  const orders = [...alipay.orders, ...others.orders]
  const refunds = [...alipay.refunds, ...others.refunds]
  const at = (minAgo: number) => now - minAgo * MIN
  const scenario: Scenario = {
    merchants: [
      { name: 'demo-alipay', channel: 'alipay' },
      { name: 'demo-wechat', channel: 'wechat' },
      { name: 'demo-wechat-sp', channel: 'wechat', mode: 'partner' },
      { name: 'demo-unionpay', channel: 'unionpay' },
      { name: 'demo-daxpay', channel: 'daxpay', ids: { version: '3', signType: 'hmac_sha256' } },
    ],
    orders: orders.map((d) => ({
      merchant: d.merchant,
      orderNo: d.orderNo,
      amount: d.gateway.amount ?? d.amount,
      state: d.gateway.state,
      kind: d.kind ?? 'pay',
      paidAt:
        d.gateway.paid || ['TRADE_SUCCESS', 'TRADE_FINISHED', 'SUCCESS'].includes(d.gateway.state)
          ? at(d.createdMinAgo - 1)
          : null,
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
    'orderNo,merchant,kind,title,amount,status,createdAt,expiredAt,paidAt',
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
    'refundNo,orderNo,merchant,refundAmount,status,createdAt',
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
