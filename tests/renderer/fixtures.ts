import type { AnomalyView, PayOrderView, SyncRecordView } from '../../src/shared/domain'

// Rows as main sends them, for the component tests of the lists: each test changes what it is about.

export function order(over: Partial<PayOrderView> = {}): PayOrderView {
  return {
    id: 1,
    orderNo: 'GBK202612030001',
    bizOrderNo: 'GBK202612030001',
    gatewayTradeNo: null,
    merchantId: 1,
    merchant: '门店-支付宝',
    channel: 'alipay',
    kind: 'pay',
    title: '',
    amount: 12_50,
    status: 'success',
    refundStatus: 'no_refund',
    refundableAmount: 12_50,
    createdAt: '2026-12-03T09:00:00.000+08:00',
    expiredAt: null,
    paidAt: null,
    closedAt: null,
    version: 1,
    lastSyncAt: null,
    lastSyncOutcome: null,
    lastGatewayStatus: null,
    syncErrorCount: 0,
    ...over,
  }
}

export function record(over: Partial<SyncRecordView> = {}): SyncRecordView {
  return {
    id: 7,
    tradeType: 'pay',
    tradeId: 3,
    tradeNo: 'GBK202612030003',
    bizTradeNo: 'GBK202612030003',
    gatewayTradeNo: null,
    channel: 'alipay',
    merchantId: 1,
    merchant: '门店-支付宝',
    gatewayStatus: 'pay_progress',
    gatewayRawStatus: 'WAIT_BUYER_PAY',
    outcome: 'waiting',
    repairNo: null,
    anomalyId: null,
    errorCode: null,
    errorMsg: null,
    clientIp: null,
    operator: null,
    source: 'schedule',
    batchId: null,
    durationMs: 20,
    createdAt: '2026-12-03T10:00:00.000+08:00',
    amount: 99_00,
    repeated: false,
    ...over,
  }
}

export function anomaly(over: Partial<AnomalyView> = {}): AnomalyView {
  return {
    id: 4,
    tradeType: 'pay',
    tradeId: 3,
    tradeNo: 'MM202612030001',
    channel: 'alipay',
    merchant: '门店-支付宝',
    kind: 'amount_mismatch',
    detail: '',
    localStatus: 'progress',
    gatewayStatus: 'TRADE_SUCCESS',
    gatewayStatusCode: 'pay_success',
    localAmount: 150_00,
    gatewayAmount: 15_00,
    syncRecordId: 9,
    occurrences: 1,
    status: 'open',
    resolution: null,
    action: null,
    repairNo: null,
    operator: null,
    createdAt: '2026-12-03T10:00:00.000+08:00',
    lastSeenAt: '2026-12-03T10:00:00.000+08:00',
    resolvedAt: null,
    ...over,
  }
}
