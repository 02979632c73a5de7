import type { MerchantMode, PayKind } from '../../../shared/domain'

// The sandbox's world, channel by channel: its merchants, and a day of orders whose local records
// drifted from the gateway in every way the decision tables know (docs/domain.md sections 4 and 5).
// `paysync demo` and the desktop app's first start (services/demo.ts) seed the simulator with it and
// import the local side.

export interface DemoMerchant {
  name: string
  mode?: MerchantMode
  /** Identifiers the simulator keeps rather than makes up (DaxPay's version and sign type). */
  ids?: Record<string, string>
}

export interface DemoOrder {
  merchant: string
  orderNo: string
  title: string
  amount: number
  /** Local status, as the business system exported it. */
  local: string
  /**
   * What the gateway believes, in its own words; amount may differ to show a mismatch. `paid`: the
   * buyer paid a minute after the order was made; left out, the simulator stamps a paid state with
   * the time the sandbox starts.
   */
  gateway: { state: string; amount?: number; paid?: boolean }
  createdMinAgo: number
  expiresInMin: number | null
  kind?: PayKind
}

export interface DemoRefund {
  merchant: string
  orderNo: string
  refundNo: string
  amount: number
  local: string
  /** The gateway's word for the refund; null when the gateway never heard of it. */
  gateway: string | null
  createdMinAgo: number
}

export interface ChannelDemo {
  /**
   * The channel's letter in the demo's order numbers (DEMO-A-0001) and in its reconciled days'
   * (DEMO-RA1-…, services/demo.ts); no two channels share one.
   */
  tag: string
  merchants: DemoMerchant[]
  orders: DemoOrder[]
  refunds: DemoRefund[]
}

/** Alipay shows every row of the pay table: its orders are numbered DEMO-A-0001 on. */
function alipayOrder(
  n: number,
  title: string,
  amount: number,
  local: string,
  gateway: DemoOrder['gateway'],
  createdMinAgo: number,
  expiresInMin: number | null,
): DemoOrder {
  const paid = gateway.paid || ['TRADE_SUCCESS', 'TRADE_FINISHED'].includes(gateway.state)
  return {
    merchant: 'demo-alipay',
    orderNo: `DEMO-A-${String(n).padStart(4, '0')}`,
    title,
    amount,
    local,
    gateway: { ...gateway, paid },
    createdMinAgo,
    expiresInMin,
  }
}

export const ALIPAY_DEMO: ChannelDemo = {
  tag: 'A',
  merchants: [{ name: 'demo-alipay' }],
  orders: [
    alipayOrder(1, '年度会员 - 回调丢失', 19_900, 'progress', { state: 'TRADE_SUCCESS' }, 25, 5),
    alipayOrder(2, '扫码点餐 - 超时未付', 4_850, 'progress', { state: 'WAIT_BUYER_PAY' }, 50, -20),
    alipayOrder(3, '课程购买 - 网关已关闭', 29_900, 'success', { state: 'TRADE_CLOSED' }, 300, 60),
    alipayOrder(4, '门店收款 - 尚未扫码', 1_200, 'progress', { state: 'NOT_CREATED' }, 3, 12),
    alipayOrder(5, '关闭后仍被支付', 8_800, 'close', { state: 'TRADE_SUCCESS' }, 180, -120),
    alipayOrder(6, '会员续费', 9_900, 'success', { state: 'TRADE_SUCCESS' }, 400, null),
    alipayOrder(7, '咖啡豆 500g', 12_800, 'success', { state: 'TRADE_SUCCESS' }, 380, null),
    alipayOrder(8, '早餐套餐', 1_800, 'success', { state: 'TRADE_FINISHED' }, 1_500, null),
    alipayOrder(9, '打印服务', 300, 'close', { state: 'TRADE_CLOSED' }, 600, -500),
    alipayOrder(10, '停车费', 1_500, 'success', { state: 'TRADE_SUCCESS' }, 90, null),
    alipayOrder(
      11,
      '金额被改 - 需核对',
      15_000,
      'progress',
      { state: 'TRADE_SUCCESS', amount: 1_500 },
      40,
      20,
    ),
    alipayOrder(12, '二维码从未被扫', 6_600, 'progress', { state: 'NOT_CREATED' }, 120, -60),
    alipayOrder(13, '网关已关闭的待支付单', 2_300, 'progress', { state: 'TRADE_CLOSED' }, 70, 10),
    alipayOrder(14, '部分退款订单', 50_000, 'success', { state: 'TRADE_SUCCESS' }, 900, null),
    alipayOrder(15, '退款未到账订单', 8_000, 'success', { state: 'TRADE_SUCCESS' }, 800, null),
    alipayOrder(16, '被误判失败的订单', 3_900, 'fail', { state: 'TRADE_SUCCESS' }, 200, null),
    alipayOrder(17, '网关已全额退款', 7_700, 'progress', { state: 'TRADE_CLOSED', paid: true }, 100, 30),
    alipayOrder(18, '书籍', 5_600, 'success', { state: 'TRADE_SUCCESS' }, 60, null),
  ],
  refunds: [
    {
      merchant: 'demo-alipay',
      orderNo: 'DEMO-A-0014',
      refundNo: 'DEMO-A-R001',
      amount: 20_000,
      local: 'progress',
      gateway: 'REFUND_SUCCESS',
      createdMinAgo: 30,
    },
    {
      merchant: 'demo-alipay',
      orderNo: 'DEMO-A-0015',
      refundNo: 'DEMO-A-R002',
      amount: 8_000,
      local: 'progress',
      gateway: null,
      createdMinAgo: 90,
    },
    {
      merchant: 'demo-alipay',
      orderNo: 'DEMO-A-0006',
      refundNo: 'DEMO-A-R003',
      amount: 2_000,
      local: 'success',
      gateway: 'REFUND_SUCCESS',
      createdMinAgo: 200,
    },
  ],
}

/** The other channels each show the columns only they can produce. */
function order(
  merchant: string,
  orderNo: string,
  title: string,
  amount: number,
  local: string,
  state: string,
  createdMinAgo: number,
  expiresInMin: number | null,
  kind: PayKind = 'pay',
): DemoOrder {
  // A gateway-side SUCCESS (WeChat's word) was paid a minute after the order was made; the other paid
  // states get the simulator's stamp.
  const paid = state === 'SUCCESS'
  return {
    merchant,
    orderNo,
    title,
    amount,
    local,
    gateway: { state, paid },
    createdMinAgo,
    expiresInMin,
    kind,
  }
}

export const WECHAT_DEMO: ChannelDemo = {
  tag: 'W',
  merchants: [{ name: 'demo-wechat' }, { name: 'demo-wechat-sp', mode: 'partner' }],
  orders: [
    order('demo-wechat', 'DEMO-W-0001', '小程序下单 - 回调丢失', 6_800, 'progress', 'SUCCESS', 30, 90),
    order('demo-wechat', 'DEMO-W-0002', 'Native 支付 - 超时未付', 2_500, 'progress', 'NOTPAY', 45, -15),
    order('demo-wechat', 'DEMO-W-0003', '付款码支付失败', 1_000, 'progress', 'PAYERROR', 20, 10),
    order('demo-wechat', 'DEMO-W-0004', '退款被退回商户', 12_000, 'success', 'REFUND', 600, null),
    order('demo-wechat', 'DEMO-W-0005', '部分退款', 9_900, 'success', 'REFUND', 500, null),
    order('demo-wechat', 'DEMO-W-0006', '会员月卡', 3_000, 'success', 'SUCCESS', 300, null),
    order(
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
    order(
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
  ],
  refunds: [
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
  ],
}

export const DAXPAY_DEMO: ChannelDemo = {
  tag: 'D',
  merchants: [{ name: 'demo-daxpay', ids: { version: '3', signType: 'hmac_sha256' } }],
  orders: [
    order('demo-daxpay', 'DEMO-D-0001', 'DaxPay 网关订单 - 已支付', 16_600, 'progress', 'success', 25, 60),
    order('demo-daxpay', 'DEMO-D-0002', 'DaxPay 网关订单 - 已关闭', 900, 'close', 'close', 700, -600),
    order('demo-daxpay', 'DEMO-D-0003', 'DaxPay 网关订单 - 支付失败', 4_000, 'progress', 'fail', 15, 45),
  ],
  refunds: [],
}

export const UNIONPAY_DEMO: ChannelDemo = {
  tag: 'U',
  merchants: [{ name: 'demo-unionpay' }],
  orders: [
    order('demo-unionpay', 'DEMO-U-0001', '云闪付 - 回调丢失', 20_000, 'progress', '00', 35, 60),
    order('demo-unionpay', 'DEMO-U-0002', '云闪付 - 处理中', 5_000, 'progress', '03', 5, 25),
    order('demo-unionpay', 'DEMO-U-0003', '云闪付 - 已支付', 8_000, 'success', '00', 400, null),
  ],
  refunds: [],
}
