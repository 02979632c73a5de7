import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RefundStatus } from '../../src/shared/domain'
import { getPayOrder } from '../../src/main/store/orders'
import { getRefundOrder } from '../../src/main/store/refunds'
import { getSyncRecord } from '../../src/main/store/records'
import { listRepairRecords } from '../../src/main/store/repairs'
import { listAnomalies } from '../../src/main/store/anomalies'
import { createWorld, type World } from '../helpers/world'

// domain.md section 5 against the simulated Alipay gateway: every refund cell Alipay can produce.

interface Cell {
  name: string
  local: RefundStatus
  /** Alipay's refund_status, or null: no refund data. */
  gateway: string | null
  gatewayAmount?: number
  createdMinAgo?: number
  fault?: 'system_error'
  expect: {
    recorded: string
    outcome: string
    status: RefundStatus
    way?: string
    anomaly?: string
    refundStatus?: string
    refundable?: number
  }
}

// Pay order of 1000 fen, paid; the refund under test is 400 fen.
const cells: Cell[] = [
  {
    name: 'progress + refund_success -> repair refund_success, order partial_refund',
    local: 'progress',
    gateway: 'REFUND_SUCCESS',
    expect: {
      recorded: 'refund_success',
      outcome: 'repaired',
      status: 'success',
      way: 'refund_success',
      refundStatus: 'partial_refund',
      refundable: 600,
    },
  },
  {
    name: 'progress + refund_progress -> waiting',
    local: 'progress',
    gateway: 'REFUND_PROCESSING',
    expect: {
      recorded: 'refund_progress',
      outcome: 'waiting',
      status: 'progress',
      refundStatus: 'refunding',
      refundable: 600,
    },
  },
  {
    name: 'progress + refund_not_found within grace -> waiting',
    local: 'progress',
    gateway: null,
    createdMinAgo: 2,
    expect: { recorded: 'refund_not_found', outcome: 'waiting', status: 'progress', refundable: 600 },
  },
  {
    name: 'progress + refund_not_found after grace -> repair refund_close, amount returned once',
    local: 'progress',
    gateway: null,
    createdMinAgo: 30,
    expect: {
      recorded: 'refund_not_found',
      outcome: 'repaired',
      status: 'close',
      way: 'refund_close',
      refundStatus: 'no_refund',
      refundable: 1000,
    },
  },
  {
    name: 'progress + refund_closed (REFUND_FAIL) -> repair refund_close',
    local: 'progress',
    gateway: 'REFUND_FAIL',
    expect: {
      recorded: 'refund_closed',
      outcome: 'repaired',
      status: 'close',
      way: 'refund_close',
      refundStatus: 'no_refund',
      refundable: 1000,
    },
  },
  {
    name: 'progress + refund_success with another amount -> anomaly amount_mismatch',
    local: 'progress',
    gateway: 'REFUND_SUCCESS',
    gatewayAmount: 399,
    expect: {
      recorded: 'refund_success',
      outcome: 'anomaly',
      status: 'progress',
      anomaly: 'amount_mismatch',
    },
  },
  {
    name: 'progress + sync_error -> error',
    local: 'progress',
    gateway: 'REFUND_SUCCESS',
    fault: 'system_error',
    expect: { recorded: 'sync_error', outcome: 'error', status: 'progress', refundable: 600 },
  },
  {
    name: 'success + refund_success -> consistent',
    local: 'success',
    gateway: 'REFUND_SUCCESS',
    expect: { recorded: 'refund_success', outcome: 'consistent', status: 'success' },
  },
  {
    name: 'success + refund_progress -> anomaly refund_state_conflict',
    local: 'success',
    gateway: 'REFUND_PROCESSING',
    expect: {
      recorded: 'refund_progress',
      outcome: 'anomaly',
      status: 'success',
      anomaly: 'refund_state_conflict',
    },
  },
  {
    name: 'success + refund_not_found -> anomaly refund_success_but_gateway_missing',
    local: 'success',
    gateway: null,
    expect: {
      recorded: 'refund_not_found',
      outcome: 'anomaly',
      status: 'success',
      anomaly: 'refund_success_but_gateway_missing',
    },
  },
  {
    name: 'success + refund_closed -> anomaly refund_state_conflict',
    local: 'success',
    gateway: 'REFUND_FAIL',
    expect: {
      recorded: 'refund_closed',
      outcome: 'anomaly',
      status: 'success',
      anomaly: 'refund_state_conflict',
    },
  },
  {
    name: 'success + sync_error -> error',
    local: 'success',
    gateway: 'REFUND_SUCCESS',
    fault: 'system_error',
    expect: { recorded: 'sync_error', outcome: 'error', status: 'success' },
  },
  {
    name: 'fail + refund_success -> repair refund_success',
    local: 'fail',
    gateway: 'REFUND_SUCCESS',
    expect: {
      recorded: 'refund_success',
      outcome: 'repaired',
      status: 'success',
      way: 'refund_success',
      refundStatus: 'partial_refund',
      refundable: 600,
    },
  },
  {
    name: 'fail + refund_progress -> consistent',
    local: 'fail',
    gateway: 'REFUND_PROCESSING',
    expect: { recorded: 'refund_progress', outcome: 'consistent', status: 'fail' },
  },
  {
    name: 'fail + refund_not_found -> consistent',
    local: 'fail',
    gateway: null,
    expect: { recorded: 'refund_not_found', outcome: 'consistent', status: 'fail' },
  },
  {
    name: 'fail + refund_closed -> consistent',
    local: 'fail',
    gateway: 'REFUND_FAIL',
    expect: { recorded: 'refund_closed', outcome: 'consistent', status: 'fail' },
  },
  {
    name: 'close + refund_success -> anomaly refund_succeeded_after_close',
    local: 'close',
    gateway: 'REFUND_SUCCESS',
    expect: {
      recorded: 'refund_success',
      outcome: 'anomaly',
      status: 'close',
      anomaly: 'refund_succeeded_after_close',
      refundable: 1000,
    },
  },
  {
    name: 'close + refund_progress -> consistent',
    local: 'close',
    gateway: 'REFUND_PROCESSING',
    expect: { recorded: 'refund_progress', outcome: 'consistent', status: 'close', refundable: 1000 },
  },
  {
    name: 'close + refund_not_found -> consistent',
    local: 'close',
    gateway: null,
    expect: { recorded: 'refund_not_found', outcome: 'consistent', status: 'close', refundable: 1000 },
  },
  {
    name: 'close + refund_closed -> consistent, amount not returned a second time',
    local: 'close',
    gateway: 'REFUND_FAIL',
    expect: { recorded: 'refund_closed', outcome: 'consistent', status: 'close', refundable: 1000 },
  },
]

describe('refund decision table against the simulated Alipay gateway', () => {
  let w: World
  beforeAll(async () => {
    w = await createWorld()
  })
  afterAll(async () => {
    await w.close()
  })

  cells.forEach((c, i) => {
    it(c.name, async () => {
      const orderNo = `RPAY-${i}-${Date.now()}`
      const refundNo = `RF-${i}-${Date.now()}`
      const now = Date.now()
      const payId = w.payOrder({ merchant: 'ali', orderNo, amount: 1000, status: 'success' })
      const refundId = w.refund({
        merchant: 'ali',
        payOrderId: payId,
        refundNo,
        amount: 400,
        status: c.local,
        createdAt: now - (c.createdMinAgo ?? 5) * 60_000,
      })
      w.gatewayOrder({ merchant: 'ali', orderNo, amount: 1000, state: 'TRADE_SUCCESS' })
      if (c.gateway)
        w.gatewayRefund({
          merchant: 'ali',
          orderNo,
          refundNo,
          amount: c.gatewayAmount ?? 400,
          state: c.gateway,
        })
      w.sim.state.faults = {
        ...w.sim.state.faults,
        faultRate: c.fault ? 1 : 0,
        faults: c.fault ? [c.fault] : [],
      }
      const before = getRefundOrder(w.ctx.db, refundId)!

      const result = await w.ctx.engine.syncRefund(refundId, { source: 'manual' })

      const after = getRefundOrder(w.ctx.db, refundId)!
      const pay = getPayOrder(w.ctx.db, payId)!
      const record = getSyncRecord(w.ctx.db, result.recordId)!
      expect(record.gateway_status).toBe(c.expect.recorded)
      expect(record.outcome).toBe(c.expect.outcome)
      expect(after.status).toBe(c.expect.status)
      if (c.expect.refundStatus) expect(pay.refund_status).toBe(c.expect.refundStatus)
      if (c.expect.refundable !== undefined) expect(pay.refundable_amount).toBe(c.expect.refundable)
      const repairs = listRepairRecords(w.ctx.db, { limit: 10, offset: 0, no: record.repair_no ?? '-' }).items
      if (c.expect.way) {
        // One row for the refund and one for its pay order, linked by one repair number.
        expect(repairs.map((r) => [r.tradeType, r.way]).sort()).toEqual([
          ['pay', c.expect.way],
          ['refund', c.expect.way],
        ])
        expect(after.version).toBe(before.version + 1)
      } else {
        expect(record.repair_no).toBeNull()
        expect(after.version).toBe(before.version)
      }
      const anomalies = listAnomalies(w.ctx.db, {
        tradeId: refundId,
        type: 'refund',
        limit: 10,
        offset: 0,
      }).items
      expect(anomalies.map((a) => a.kind)).toEqual(c.expect.anomaly ? [c.expect.anomaly] : [])
    })
  })

  it('a refund closed twice (sync after sync) returns its amount exactly once', async () => {
    const now = Date.now()
    const payId = w.payOrder({ merchant: 'ali', orderNo: `TWICE-${now}`, amount: 1000, status: 'success' })
    const refundId = w.refund({
      merchant: 'ali',
      payOrderId: payId,
      refundNo: `TWICE-R-${now}`,
      amount: 300,
      createdAt: now - 3600_000,
    })
    w.gatewayOrder({ merchant: 'ali', orderNo: `TWICE-${now}`, amount: 1000, state: 'TRADE_SUCCESS' })
    w.sim.state.faults = { ...w.sim.state.faults, faultRate: 0 }
    expect(getPayOrder(w.ctx.db, payId)!.refundable_amount).toBe(700)
    await w.ctx.engine.syncRefund(refundId, { source: 'manual' })
    await w.ctx.engine.syncRefund(refundId, { source: 'manual' })
    await w.ctx.engine.syncRefund(refundId, { source: 'manual' })
    expect(getPayOrder(w.ctx.db, payId)!.refundable_amount).toBe(1000)
    expect(getRefundOrder(w.ctx.db, refundId)!.status).toBe('close')
  })
})
