import type { Db } from '../../src/main/store/connection'
import { openAnomaly } from '../../src/main/store/anomalies'
import { insertSyncRecord } from '../../src/main/store/records'

// Rows of the kinds the window's heads follow (store/heads.ts), written through the store's own
// functions, for the tests of what moved.

export function addRecord(db: Db, merchantId: number, o: { batchId?: number | null; at: number }): number {
  return insertSyncRecord(db, {
    tradeType: 'pay',
    tradeId: 1,
    tradeNo: 'P1',
    bizTradeNo: 'B1',
    gatewayTradeNo: null,
    channel: 'alipay',
    merchantId,
    gatewayStatus: 'pay_success',
    gatewayRawStatus: 'TRADE_SUCCESS',
    outcome: 'consistent',
    repairNo: null,
    anomalyId: null,
    errorCode: null,
    errorMsg: null,
    clientIp: null,
    operator: null,
    source: o.batchId ? 'batch' : 'manual',
    batchId: o.batchId ?? null,
    durationMs: 5,
    createdAt: o.at,
    syncInfo: null,
    actionInfo: null,
  })
}

export function addAnomaly(db: Db, merchantId: number, tradeId: number, at: number): number {
  return openAnomaly(db, {
    tradeType: 'pay',
    tradeId,
    tradeNo: `P${tradeId}`,
    channel: 'alipay',
    merchantId,
    kind: 'amount_mismatch',
    detail: 'x',
    localStatus: 'progress',
    gatewayStatus: 'TRADE_SUCCESS',
    localAmount: 100,
    gatewayAmount: 200,
    answerStatus: 'pay_success',
    gatewayTime: null,
    syncRecordId: null,
    at,
  }).id
}
