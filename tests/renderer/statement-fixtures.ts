import type { MerchantView } from '../../src/shared/entity-views'
import type {
  ReconcileRun,
  StatementDiffView,
  StatementLineView,
  StatementSummary,
  StatementView,
} from '../../src/shared/statements'

// Statements as main sends them, for the component tests of the 对账 screens: an unbalanced day of
// demo-alipay with one payment the books do not have.

export function merchant(over: Partial<MerchantView> = {}): MerchantView {
  return {
    id: 1,
    name: 'shop-alipay',
    channel: 'alipay',
    mode: 'direct',
    endpoint: 'https://openapi.alipay.com/gateway.do',
    settings: {},
    secrets: { appPrivateKey: true },
    enabled: true,
    lastOkAt: null,
    lastError: null,
    lastErrorCode: null,
    clockSkewMs: null,
    lastLatencyMs: null,
    createdAt: '2026-11-20T10:00:00.000+08:00',
    updatedAt: '2026-11-20T10:00:00.000+08:00',
    ...over,
  }
}

const noDiffs = {
  gateway_only: 0,
  refund_unrecorded: 0,
  local_not_success: 0,
  local_only: 0,
  amount_mismatch: 0,
  status_mismatch: 0,
  trade_no_conflict: 0,
  fee_deviation: 0,
}

export function summary(): StatementSummary {
  return {
    lines: { total: 2, pay: 2, refund: 0, revoke: 0, other: 0, foreign: 0, duplicate: 0 },
    matched: 1,
    matchedCrossDay: 0,
    carried: 0,
    diffs: { ...noDiffs, gateway_only: 1 },
    channel: {
      payCount: 2,
      payAmount: 53_80,
      refundCount: 0,
      refundAmount: 0,
      feeE5: 1234,
      netE5: 5_378_766,
    },
    local: { payCount: 1, payAmount: 18_00, refundCount: 0, refundAmount: 0 },
  }
}

export function statement(over: Partial<StatementView> = {}): StatementView {
  return {
    id: 3,
    merchantId: 1,
    merchant: 'shop-alipay',
    channel: 'alipay',
    billKind: 'trade',
    billDate: '2026-11-18',
    source: 'download',
    verified: true,
    status: 'matched',
    result: 'unbalanced',
    errorCode: null,
    errorMsg: null,
    errorZh: null,
    fileName: '2088_20261118.csv.zip',
    integrity: 'ok',
    openDiffs: 1,
    summary: summary(),
    dryRun: false,
    syncBatchId: null,
    runCount: 1,
    lastRunAt: '2026-11-19T09:30:00.000+08:00',
    durationMs: 120,
    createdAt: '2026-11-19T09:30:00.000+08:00',
    updatedAt: '2026-11-19T09:30:00.000+08:00',
    ...over,
  }
}

export function diff(over: Partial<StatementDiffView> = {}): StatementDiffView {
  return {
    id: 11,
    statementId: 3,
    billDate: '2026-11-18',
    merchant: 'shop-alipay',
    channel: 'alipay',
    kind: 'gateway_only',
    label: null,
    tradeType: 'pay',
    lineId: 21,
    payOrderId: null,
    refundId: null,
    orderNo: 'GW-ONLY-0001',
    refundNo: null,
    gatewayNo: '2026111822001',
    localAmount: null,
    statementAmount: 35_80,
    localStatus: null,
    statementStatus: '交易',
    localTime: null,
    statementTime: '2026-11-18T10:00:00.000+08:00',
    reason: 'gateway_only',
    reasonText: '通道有、本地无：GW-ONLY-0001，金额 35.80 元',
    reasonEn: 'In the bill, not here: GW-ONLY-0001, 35.80 yuan',
    action: 'anomaly_opened',
    syncRecordId: null,
    anomalyId: 9,
    status: 'open',
    resolvedBy: null,
    remark: null,
    createdAt: '2026-11-19T09:30:00.000+08:00',
    updatedAt: '2026-11-19T09:30:00.000+08:00',
    ...over,
  }
}

export function line(over: Partial<StatementLineView> = {}): StatementLineView {
  return {
    id: 21,
    lineNo: 6,
    kind: 'pay',
    orderNo: 'GW-ONLY-0001',
    gatewayTradeNo: '2026111822001',
    refundNo: '',
    gatewayRefundNo: '',
    amount: 35_80,
    settleAmount: 35_80,
    feeE5: 0,
    gatewayStatus: '交易',
    lineTime: '2026-11-18T10:00:00.000+08:00',
    subMerchant: '',
    matchState: 'discrepancy',
    payOrderId: null,
    refundId: null,
    localNo: null,
    note: null,
    raw: '2026111822001\t,GW-ONLY-0001\t,交易,35.80',
    ...over,
  }
}

export function run(over: Partial<ReconcileRun> = {}): ReconcileRun {
  const s = summary()
  return {
    statementId: 3,
    merchant: 'shop-alipay',
    channel: 'alipay',
    billDate: '2026-11-18',
    source: 'download',
    verified: true,
    status: 'matched',
    result: 'unbalanced',
    file: { name: '2088_20261118.csv.zip', sha256: 'ab'.repeat(32), encoding: 'gb18030' },
    integrity: 'ok',
    lines: s.lines,
    matched: 1,
    matchedCrossDay: 0,
    carried: 0,
    diffs: s.diffs,
    actions: { syncQueued: 0, anomaliesOpened: 1, syncBatchId: null, syncErrors: 0 },
    amounts: { channelPay: 53_80, channelRefund: 0, localPay: 18_00, localRefund: 0, feeE5: 1234, net: null },
    errorCode: null,
    errorMsg: null,
    dryRun: false,
    durationMs: 120,
    ...over,
  }
}
