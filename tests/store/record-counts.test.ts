import Database from 'better-sqlite3'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RecordFilter } from '../../src/shared/filters'
import { formatBeijing, parseBeijing } from '../../src/shared/time'
import { openStore, type Db } from '../../src/main/store/connection'
import { MIGRATIONS } from '../../src/main/store/migrations'
import { countSyncRecords, insertSyncRecord } from '../../src/main/store/records'
import { splitDays, dayStart, beijingDay } from '../../src/main/store/list-totals'
import { tempDir } from '../helpers/world'
import { bareMerchant } from '../helpers/bare-merchant'

// The list's total comes from counts the triggers keep; it must equal counting the rows themselves
// for every filter, every time range (whole days, partial edges, a second before midnight).

const CHANNELS = ['alipay', 'wechat', 'unionpay', 'daxpay'] as const
const OUTCOMES = ['consistent', 'repaired', 'anomaly', 'error', 'skipped'] as const
const STATUSES = ['pay_success', 'pay_progress', 'pay_closed', null] as const
const SOURCES = ['manual', 'batch', 'schedule'] as const
const BASE = parseBeijing('2026-11-01 00:00:00')!

let seed = 7
const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!

let db: Db
beforeAll(() => {
  db = openStore(path.join(tempDir(), 'counts.db'))
  for (const name of ['m1', 'm2']) bareMerchant(db, name)
  db.transaction(() => {
    for (let i = 0; i < 3000; i++) insertSyncRecord(db, record(i))
  })()
})
afterAll(() => db.close())

function record(i: number) {
  const channel = pick(CHANNELS)
  // Ten days, with extra weight on the last second and first millisecond of a Beijing day.
  const t =
    i % 10 === 0
      ? BASE + Math.floor(rand() * 10) * 86_400_000 - (i % 20 === 0 ? 1 : 0)
      : BASE + Math.floor(rand() * 10 * 86_400_000)
  return {
    tradeType: pick(['pay', 'refund'] as const),
    tradeId: i,
    tradeNo: `T${i}`,
    bizTradeNo: `B${i}`,
    gatewayTradeNo: null,
    channel,
    merchantId: 1 + Math.floor(rand() * 2),
    gatewayStatus: pick(STATUSES),
    gatewayRawStatus: null,
    outcome: pick(OUTCOMES),
    repairNo: rand() < 0.2 ? `R${i}` : null,
    anomalyId: null,
    errorCode: null,
    errorMsg: null,
    clientIp: null,
    operator: null,
    source: pick(SOURCES),
    batchId: rand() < 0.3 ? 1 : null,
    durationMs: 1,
    createdAt: t,
    syncInfo: null,
    actionInfo: null,
  } as Parameters<typeof insertSyncRecord>[1]
}

let rows: Array<Record<string, unknown>> | undefined

/** Counting the rows one by one, with nothing kept: what the totals must agree with. */
function bruteForce(f: RecordFilter): number {
  rows ??= db.prepare('SELECT * FROM sync_records').all() as Array<Record<string, unknown>>
  const from = f.since ? parseBeijing(f.since)! : -Infinity
  const until = f.until ?? null
  return rows.filter((r) => {
    const t = r.created_at as number
    if (t < from) return false
    if (until) {
      const seconds = /\d:\d\d:\d\d$/.test(until)
      const end = parseBeijing(until)! + (seconds ? 1000 : /\d:\d\d$/.test(until) ? 60_000 : 86_400_000)
      if (t >= end) return false
    }
    if (f.merchant && r.merchant_id !== (f.merchant === 'm1' ? 1 : 2)) return false
    if (f.type && r.trade_type !== f.type) return false
    if (f.channel && r.channel !== f.channel) return false
    if (f.status && r.gateway_status !== f.status) return false
    if (f.result && r.outcome !== f.result) return false
    if (f.source && r.source !== f.source) return false
    if (f.batchId && r.batch_id !== f.batchId) return false
    if (f.repaired === true && r.repair_no === null) return false
    if (f.repaired === false && r.repair_no !== null) return false
    return true
  }).length
}

function randomFilter(): RecordFilter {
  const f: Record<string, unknown> = {}
  if (rand() < 0.3) f.merchant = pick(['m1', 'm2'])
  if (rand() < 0.3) f.type = pick(['pay', 'refund'])
  if (rand() < 0.4) f.channel = pick(CHANNELS)
  if (rand() < 0.3) f.status = pick(STATUSES.filter((s) => s !== null))
  if (rand() < 0.4) f.result = pick(OUTCOMES)
  if (rand() < 0.2) f.source = pick(SOURCES)
  if (rand() < 0.3) f.repaired = rand() < 0.5
  if (rand() < 0.1) f.batchId = 1
  const at = () => BASE - 86_400_000 + Math.floor(rand() * 12 * 86_400_000)
  const layout = () => pick(['s', 'm', 'd'])
  const write = (ms: number, l: string) =>
    l === 's'
      ? formatBeijing(ms)
      : l === 'm'
        ? formatBeijing(ms).slice(0, 16)
        : formatBeijing(ms).slice(0, 10)
  if (rand() < 0.6) f.since = write(at(), layout())
  if (rand() < 0.6) f.until = write(at(), layout())
  return f as RecordFilter
}

describe('the totals the list shows', () => {
  it('equal counting the rows, for hundreds of random filters and time ranges', () => {
    for (let i = 0; i < 400; i++) {
      const f = randomFilter()
      expect(countSyncRecords(db, f), JSON.stringify(f)).toBe(bruteForce(f))
    }
  })

  it('count a record at 23:59:59.999 as inside "until 23:59:59" and the day it belongs to', () => {
    const last = dayStart(beijingDay(BASE) + 1) - 1
    const before = countSyncRecords(db, { until: formatBeijing(last) })
    insertSyncRecord(db, { ...record(99_999), createdAt: last })
    expect(countSyncRecords(db, { until: formatBeijing(last) })).toBe(before + 1)
    expect(countSyncRecords(db, { until: formatBeijing(last).slice(0, 10) })).toBe(before + 1)
  })

  it('split a range into whole Beijing days and the partial spans at its edges', () => {
    const d0 = beijingDay(BASE)
    expect(splitDays(BASE, BASE + 3 * 86_400_000)).toEqual({ days: [d0, d0 + 2], edges: [] })
    expect(splitDays(BASE + 1, BASE + 2 * 86_400_000 + 5)).toEqual({
      days: [d0 + 1, d0 + 1],
      edges: [
        [BASE + 1, BASE + 86_400_000],
        [BASE + 2 * 86_400_000, BASE + 2 * 86_400_000 + 5],
      ],
    })
    expect(splitDays(BASE + 5, BASE + 10)).toEqual({ days: null, edges: [[BASE + 5, BASE + 10]] })
  })

  it('are built by the migration from the records an older database already holds', () => {
    const file = path.join(tempDir(), 'v1.db')
    const raw = new Database(file)
    MIGRATIONS[0]!(raw)
    raw.pragma('user_version = 1')
    raw.exec(
      "INSERT INTO merchants (name, channel, endpoint, created_at, updated_at) VALUES ('m1', 'alipay', 'https://x', 1, 1)",
    )
    const insert = raw.prepare(
      `INSERT INTO sync_records (trade_type, trade_id, trade_no, biz_trade_no, channel, merchant_id, outcome, source, duration_ms, created_at, repair_no)
       VALUES ('pay', ?, ?, ?, 'alipay', 1, ?, 'manual', 1, ?, ?)`,
    )
    for (let i = 0; i < 200; i++)
      insert.run(
        i,
        `T${i}`,
        `B${i}`,
        i % 3 ? 'consistent' : 'repaired',
        BASE + i * 3_600_000,
        i % 3 ? null : `R${i}`,
      )
    raw.close()
    const v2 = openStore(file)
    expect(countSyncRecords(v2, {})).toBe(200)
    expect(countSyncRecords(v2, { result: 'repaired' })).toBe(67)
    expect(countSyncRecords(v2, { repaired: false, since: '2026-11-02', until: '2026-11-03 12:00' })).toBe(
      (
        v2
          .prepare(
            'SELECT count(*) AS n FROM sync_records WHERE repair_no IS NULL AND created_at >= ? AND created_at < ?',
          )
          .get(parseBeijing('2026-11-02')!, parseBeijing('2026-11-03 12:01')!) as { n: number }
      ).n,
    )
    v2.close()
  })
})
