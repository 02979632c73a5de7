import crypto from 'node:crypto'
import path from 'node:path'
import type { Channel, GatewayStatus, Outcome, TradeType } from '../src/shared/domain'
import { formatBeijing } from '../src/shared/time'
import { openStore, type Db } from '../src/main/store/connection'
import { insertMerchant } from '../src/main/store/merchants'
import { insertSyncRecord, listSyncRecords } from '../src/main/store/records'
import type { RecordListRequest } from '../src/shared/filters'
import { figure, p95, type Figure } from './figures'

// The store at a million sync records: how fast they go in, and the p95 of every list query the
// sync record screen makes (each filter, the first page and a page deep in the list, counts included).

const CHANNELS: Channel[] = ['alipay', 'wechat', 'daxpay', 'unionpay']
const OUTCOMES: Array<[Outcome, number]> = [
  ['consistent', 0.6],
  ['waiting', 0.15],
  ['repaired', 0.1],
  ['error', 0.08],
  ['anomaly', 0.05],
  ['skipped', 0.02],
]

function pick<T>(weighted: Array<[T, number]>, r: number): T {
  let acc = 0
  for (const [v, w] of weighted) if ((acc += w) >= r) return v
  return weighted[weighted.length - 1]![0]
}

const STATUS_OF: Record<Outcome, GatewayStatus[]> = {
  consistent: ['pay_success', 'pay_closed', 'refund_success'],
  waiting: ['pay_progress', 'pay_not_found', 'refund_progress'],
  repaired: ['pay_success', 'pay_timeout', 'pay_closed', 'refund_success'],
  error: ['sync_error'],
  anomaly: ['pay_closed', 'pay_not_found'],
  decided: ['pay_closed', 'pay_not_found'],
  skipped: [],
}

export function buildRecords(file: string, n: number): { db: Db; insertRate: number; days: number } {
  const db = openStore(file)
  const merchants = Array.from({ length: 5 }, (_, i) =>
    insertMerchant(db, {
      name: `m${i}`,
      channel: CHANNELS[i % 4]!,
      mode: 'direct',
      endpoint: 'https://example.invalid',
      settings: {},
      secrets: null,
      secretNames: [],
      enabled: true,
    }),
  )
  const days = 90
  const start = Date.now() - days * 86400_000
  const body = JSON.stringify({
    alipay_trade_query_response: {
      code: '10000',
      msg: 'Success',
      trade_no: '2026112022001400000000000001',
      out_trade_no: 'X',
      trade_status: 'TRADE_SUCCESS',
      total_amount: '88.88',
    },
    sign: crypto.randomBytes(256).toString('base64'),
  })
  const t0 = performance.now()
  const CHUNK = 10_000
  for (let base = 0; base < n; base += CHUNK) {
    db.transaction(() => {
      for (let i = base; i < Math.min(n, base + CHUNK); i++) {
        const r = ((i * 2654435761) % 1000) / 1000
        const outcome = pick(OUTCOMES, r)
        const statuses = STATUS_OF[outcome]
        const type: TradeType = i % 5 === 0 ? 'refund' : 'pay'
        const m = merchants[i % 5]!
        insertSyncRecord(db, {
          tradeType: type,
          tradeId: Math.floor(i / 3) + 1,
          tradeNo: `${type === 'pay' ? 'P' : 'R'}${String(Math.floor(i / 3)).padStart(12, '0')}`,
          bizTradeNo: `B${String(Math.floor(i / 3)).padStart(12, '0')}`,
          gatewayTradeNo: outcome === 'waiting' ? null : `2026${String(i).padStart(24, '0')}`,
          channel: CHANNELS[(i % 5) % 4]!,
          merchantId: m,
          gatewayStatus: statuses.length ? statuses[i % statuses.length]! : null,
          gatewayRawStatus: 'TRADE_SUCCESS',
          outcome,
          repairNo: outcome === 'repaired' ? `R${String(i).padStart(18, '0')}` : null,
          anomalyId: null,
          errorCode: outcome === 'error' ? 'timeout' : null,
          errorMsg: outcome === 'error' ? 'the gateway did not answer in time' : null,
          clientIp: null,
          operator: null,
          source: 'batch',
          batchId: Math.floor(i / 10_000) + 1,
          durationMs: 20 + (i % 50),
          createdAt: start + Math.floor((i / n) * days * 86400_000),
          syncInfo: body,
          actionInfo: null,
        })
      }
    })()
  }
  const insertRate = n / ((performance.now() - t0) / 1000)
  db.exec('ANALYZE')
  return { db, insertRate, days }
}

/** The sync record screen's filters, each read as a first page and a page deep in the list. */
export function listFilters(now = Date.now()): Array<[string, Omit<RecordListRequest, 'limit' | 'offset'>]> {
  return [
    ['all', {}],
    ['type', { type: 'refund' }],
    ['channel', { channel: 'wechat' }],
    ['merchant', { merchant: 'm3' }],
    ['result', { result: 'error' }],
    ['gateway status', { status: 'pay_timeout' }],
    ['repaired', { repaired: true }],
    ['not repaired', { repaired: false }],
    ['number', { no: 'P000000123456' }],
    [
      'time range (a week)',
      { since: formatBeijing(now - 30 * 86400_000), until: formatBeijing(now - 23 * 86400_000) },
    ],
    ['channel + result', { channel: 'alipay', result: 'consistent' }],
    ['batch', { batchId: 42 }],
  ]
}

export const LIST_PAGES = [
  ['first page', 0],
  ['deep page', 10_000],
] as const

/** 25 reads, the first 5 warming up: the p95 of the other 20. */
export const LIST_SAMPLES = 25
export const LIST_WARMUP = 5

export interface StoreFigures {
  figures: Figure[]
  file: string
  /** SQLite's p95 per `filter, page`, for the PostgreSQL part to print beside its own. */
  p95s: Map<string, number>
}

export function storeFigures(dir: string, n = 1_000_000): StoreFigures {
  const file = path.join(dir, 'records.db')
  const { db, insertRate } = buildRecords(file, n)
  const figures: Figure[] = [
    figure(`store: insert rate (${n} sync records)`, insertRate, 'records/s', null, null),
  ]
  let worst = 0
  const p95s = new Map<string, number>()
  for (const [name, f] of listFilters()) {
    for (const [where, offset] of LIST_PAGES) {
      const samples: number[] = []
      for (let i = 0; i < LIST_SAMPLES; i++) {
        const t = performance.now()
        listSyncRecords(db, { ...f, limit: 50, offset } as RecordListRequest)
        samples.push(performance.now() - t)
      }
      const v = p95(samples.slice(LIST_WARMUP))
      worst = Math.max(worst, v)
      p95s.set(`${name}, ${where}`, v)
      figures.push(figure(`store list p95: ${name}, ${where}`, v, 'ms', 20, { atMost: 1 }))
    }
  }
  figures.unshift(
    figure(`store: worst list-query p95 at ${n} records (count + page)`, worst, 'ms', 20, { atMost: 1 }),
  )
  db.close()
  return { figures, file, p95s }
}
