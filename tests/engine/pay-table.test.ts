import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PayStatus } from '../../src/shared/domain'
import { getPayOrder } from '../../src/main/store/orders'
import { getSyncRecord } from '../../src/main/store/records'
import { listRepairRecords } from '../../src/main/store/repairs'
import { listAnomalies } from '../../src/main/store/anomalies'
import { createWorld, type World } from '../helpers/world'

// domain.md section 4, cell by cell, against the simulated Alipay gateway. Each row: what the local
// order says, what the gateway says, what must come of it.

interface Cell {
  name: string
  local: PayStatus
  expired?: boolean
  refundStatus?: 'refunded'
  /** The gateway's own word; null: the gateway has never heard of the order. */
  gateway: string | null
  paid?: boolean
  gatewayAmount?: number
  fault?: 'system_error'
  expect: {
    recorded: string
    outcome: string
    status: PayStatus
    way?: string
    anomaly?: string
    closes?: number
  }
}

const cells: Cell[] = [
  // progress, not expired
  {
    name: 'progress + pay_success -> repair pay_success',
    local: 'progress',
    gateway: 'TRADE_SUCCESS',
    expect: { recorded: 'pay_success', outcome: 'repaired', status: 'success', way: 'pay_success' },
  },
  {
    name: 'progress + pay_progress -> waiting',
    local: 'progress',
    gateway: 'WAIT_BUYER_PAY',
    expect: { recorded: 'pay_progress', outcome: 'waiting', status: 'progress' },
  },
  {
    name: 'progress + pay_not_found -> waiting (not scanned yet)',
    local: 'progress',
    gateway: 'NOT_CREATED',
    expect: { recorded: 'pay_not_found', outcome: 'waiting', status: 'progress' },
  },
  {
    name: 'progress + pay_closed -> repair pay_close_local',
    local: 'progress',
    gateway: 'TRADE_CLOSED',
    expect: {
      recorded: 'pay_closed',
      outcome: 'repaired',
      status: 'close',
      way: 'pay_close_local',
      closes: 0,
    },
  },
  {
    name: 'progress + pay_refund -> repair pay_success, anomaly refund_unrecorded',
    local: 'progress',
    gateway: 'TRADE_CLOSED',
    paid: true,
    expect: {
      recorded: 'pay_refund',
      outcome: 'anomaly',
      status: 'success',
      way: 'pay_success',
      anomaly: 'refund_unrecorded',
    },
  },
  {
    name: 'progress + sync_error -> error, nothing changes',
    local: 'progress',
    gateway: 'TRADE_SUCCESS',
    fault: 'system_error',
    expect: { recorded: 'sync_error', outcome: 'error', status: 'progress' },
  },
  {
    name: 'progress + pay_success with another amount -> anomaly amount_mismatch',
    local: 'progress',
    gateway: 'TRADE_SUCCESS',
    gatewayAmount: 1,
    expect: { recorded: 'pay_success', outcome: 'anomaly', status: 'progress', anomaly: 'amount_mismatch' },
  },
  // progress, expired
  {
    name: 'expired progress + pay_success -> repair pay_success',
    local: 'progress',
    expired: true,
    gateway: 'TRADE_SUCCESS',
    expect: {
      recorded: 'pay_success',
      outcome: 'repaired',
      status: 'success',
      way: 'pay_success',
      closes: 0,
    },
  },
  {
    name: 'expired progress + pay_progress -> pay_timeout, closed at the gateway then locally',
    local: 'progress',
    expired: true,
    gateway: 'WAIT_BUYER_PAY',
    expect: {
      recorded: 'pay_timeout',
      outcome: 'repaired',
      status: 'close',
      way: 'pay_close_gateway',
      closes: 1,
    },
  },
  {
    name: 'expired progress + pay_not_found -> pay_timeout, close answers not-found, closed locally',
    local: 'progress',
    expired: true,
    gateway: null,
    expect: {
      recorded: 'pay_timeout',
      outcome: 'repaired',
      status: 'close',
      way: 'pay_close_gateway',
      closes: 0,
    },
  },
  {
    name: 'expired progress + pay_closed -> repair pay_close_local',
    local: 'progress',
    expired: true,
    gateway: 'TRADE_CLOSED',
    expect: { recorded: 'pay_closed', outcome: 'repaired', status: 'close', way: 'pay_close_local' },
  },
  {
    name: 'expired progress + pay_refund -> pay_success and refund_unrecorded',
    local: 'progress',
    expired: true,
    gateway: 'TRADE_CLOSED',
    paid: true,
    expect: {
      recorded: 'pay_refund',
      outcome: 'anomaly',
      status: 'success',
      way: 'pay_success',
      anomaly: 'refund_unrecorded',
    },
  },
  {
    name: 'expired progress + sync_error -> error, no close',
    local: 'progress',
    expired: true,
    gateway: 'WAIT_BUYER_PAY',
    fault: 'system_error',
    expect: { recorded: 'sync_error', outcome: 'error', status: 'progress', closes: 0 },
  },
  // success
  {
    name: 'success + pay_success -> consistent',
    local: 'success',
    gateway: 'TRADE_SUCCESS',
    expect: { recorded: 'pay_success', outcome: 'consistent', status: 'success' },
  },
  {
    name: 'success + pay_success, amount differs -> anomaly amount_mismatch',
    local: 'success',
    gateway: 'TRADE_SUCCESS',
    gatewayAmount: 999,
    expect: { recorded: 'pay_success', outcome: 'anomaly', status: 'success', anomaly: 'amount_mismatch' },
  },
  {
    name: 'success + pay_progress -> anomaly success_but_gateway_unpaid',
    local: 'success',
    gateway: 'WAIT_BUYER_PAY',
    expect: {
      recorded: 'pay_progress',
      outcome: 'anomaly',
      status: 'success',
      anomaly: 'success_but_gateway_unpaid',
      closes: 0,
    },
  },
  {
    name: 'success + pay_not_found -> anomaly success_but_gateway_missing',
    local: 'success',
    gateway: null,
    expect: {
      recorded: 'pay_not_found',
      outcome: 'anomaly',
      status: 'success',
      anomaly: 'success_but_gateway_missing',
    },
  },
  {
    name: 'success + pay_closed -> anomaly success_but_gateway_closed',
    local: 'success',
    gateway: 'TRADE_CLOSED',
    expect: {
      recorded: 'pay_closed',
      outcome: 'anomaly',
      status: 'success',
      anomaly: 'success_but_gateway_closed',
    },
  },
  {
    name: 'success (refunded) + pay_closed -> consistent',
    local: 'success',
    refundStatus: 'refunded',
    gateway: 'TRADE_CLOSED',
    expect: { recorded: 'pay_closed', outcome: 'consistent', status: 'success' },
  },
  {
    name: 'success + pay_refund -> consistent',
    local: 'success',
    gateway: 'TRADE_CLOSED',
    paid: true,
    expect: { recorded: 'pay_refund', outcome: 'consistent', status: 'success' },
  },
  {
    name: 'success + sync_error -> error',
    local: 'success',
    gateway: 'TRADE_SUCCESS',
    fault: 'system_error',
    expect: { recorded: 'sync_error', outcome: 'error', status: 'success' },
  },
  // close, cancel
  {
    name: 'close + pay_success -> anomaly paid_after_close',
    local: 'close',
    gateway: 'TRADE_SUCCESS',
    expect: { recorded: 'pay_success', outcome: 'anomaly', status: 'close', anomaly: 'paid_after_close' },
  },
  {
    name: 'close + pay_progress -> pay_close_gateway (nobody can pay it)',
    local: 'close',
    gateway: 'WAIT_BUYER_PAY',
    expect: {
      recorded: 'pay_progress',
      outcome: 'repaired',
      status: 'close',
      way: 'pay_close_gateway',
      closes: 1,
    },
  },
  {
    name: 'close + pay_not_found -> consistent',
    local: 'close',
    gateway: null,
    expect: { recorded: 'pay_not_found', outcome: 'consistent', status: 'close' },
  },
  {
    name: 'close + pay_closed -> consistent',
    local: 'close',
    gateway: 'TRADE_CLOSED',
    expect: { recorded: 'pay_closed', outcome: 'consistent', status: 'close' },
  },
  {
    name: 'close + pay_refund -> anomaly paid_after_close',
    local: 'close',
    gateway: 'TRADE_CLOSED',
    paid: true,
    expect: { recorded: 'pay_refund', outcome: 'anomaly', status: 'close', anomaly: 'paid_after_close' },
  },
  {
    name: 'cancel + pay_success -> anomaly paid_after_close',
    local: 'cancel',
    gateway: 'TRADE_SUCCESS',
    expect: { recorded: 'pay_success', outcome: 'anomaly', status: 'cancel', anomaly: 'paid_after_close' },
  },
  {
    name: 'cancel + pay_progress -> pay_close_gateway',
    local: 'cancel',
    gateway: 'WAIT_BUYER_PAY',
    expect: {
      recorded: 'pay_progress',
      outcome: 'repaired',
      status: 'cancel',
      way: 'pay_close_gateway',
      closes: 1,
    },
  },
  {
    name: 'cancel + pay_closed -> consistent',
    local: 'cancel',
    gateway: 'TRADE_CLOSED',
    expect: { recorded: 'pay_closed', outcome: 'consistent', status: 'cancel' },
  },
  {
    name: 'close + sync_error -> error',
    local: 'close',
    gateway: 'TRADE_SUCCESS',
    fault: 'system_error',
    expect: { recorded: 'sync_error', outcome: 'error', status: 'close' },
  },
  // fail
  {
    name: 'fail + pay_success -> repair pay_success',
    local: 'fail',
    gateway: 'TRADE_SUCCESS',
    expect: { recorded: 'pay_success', outcome: 'repaired', status: 'success', way: 'pay_success' },
  },
  {
    name: 'fail + pay_progress -> consistent',
    local: 'fail',
    gateway: 'WAIT_BUYER_PAY',
    expect: { recorded: 'pay_progress', outcome: 'consistent', status: 'fail' },
  },
  {
    name: 'fail + pay_not_found -> consistent',
    local: 'fail',
    gateway: null,
    expect: { recorded: 'pay_not_found', outcome: 'consistent', status: 'fail' },
  },
  {
    name: 'fail + pay_closed -> consistent',
    local: 'fail',
    gateway: 'TRADE_CLOSED',
    expect: { recorded: 'pay_closed', outcome: 'consistent', status: 'fail' },
  },
  {
    name: 'fail + pay_refund -> pay_success and refund_unrecorded',
    local: 'fail',
    gateway: 'TRADE_CLOSED',
    paid: true,
    expect: {
      recorded: 'pay_refund',
      outcome: 'anomaly',
      status: 'success',
      way: 'pay_success',
      anomaly: 'refund_unrecorded',
    },
  },
  {
    name: 'fail + sync_error -> error',
    local: 'fail',
    gateway: 'TRADE_SUCCESS',
    fault: 'system_error',
    expect: { recorded: 'sync_error', outcome: 'error', status: 'fail' },
  },
]

describe('pay decision table against the simulated Alipay gateway', () => {
  let w: World
  beforeAll(async () => {
    w = await createWorld()
  })
  afterAll(async () => {
    await w.close()
  })

  cells.forEach((c, i) => {
    it(c.name, async () => {
      const orderNo = `PAY-${i}-${Date.now()}`
      const now = Date.now()
      const id = w.payOrder({
        merchant: 'ali',
        orderNo,
        amount: 1000,
        status: c.local,
        expiredAt: c.expired ? now - 60_000 : now + 3600_000,
      })
      if (c.refundStatus)
        w.ctx.db.prepare('UPDATE pay_orders SET refund_status = ? WHERE id = ?').run(c.refundStatus, id)
      if (c.gateway) {
        w.gatewayOrder({
          merchant: 'ali',
          orderNo,
          amount: c.gatewayAmount ?? 1000,
          state: c.gateway,
          paidAt: c.paid ? now - 1000 : undefined,
        })
      }
      w.sim.state.faults = {
        ...w.sim.state.faults,
        faultRate: c.fault ? 1 : 0,
        faults: c.fault ? [c.fault] : [],
      }
      const closesBefore = w.sim.state.stats.closes
      const before = getPayOrder(w.ctx.db, id)!

      const result = await w.ctx.engine.syncPay(id, { source: 'manual', operator: 'tester' })

      const after = getPayOrder(w.ctx.db, id)!
      const record = getSyncRecord(w.ctx.db, result.recordId)!
      expect(record.gateway_status).toBe(c.expect.recorded)
      expect(record.outcome).toBe(c.expect.outcome)
      expect(after.status).toBe(c.expect.status)
      // The gateway's text is kept exactly as received, also for errors.
      expect(record.sync_info).toBeTruthy()
      const repairs = listRepairRecords(w.ctx.db, { tradeId: id, type: 'pay', limit: 10, offset: 0 }).items
      if (c.expect.way) {
        expect(repairs).toHaveLength(1)
        expect(repairs[0]!.way).toBe(c.expect.way)
        expect(repairs[0]!.beforeStatus).toBe(c.local)
        expect(record.repair_no).toBe(repairs[0]!.repairNo)
        expect(after.version).toBe(before.version + 1)
      } else {
        expect(repairs).toHaveLength(0)
        expect(record.repair_no).toBeNull()
        expect(after.version).toBe(before.version)
      }
      const anomalies = listAnomalies(w.ctx.db, { tradeId: id, type: 'pay', limit: 10, offset: 0 }).items
      if (c.expect.anomaly) {
        expect(anomalies.map((a) => a.kind)).toEqual([c.expect.anomaly])
        expect(anomalies[0]!.status).toBe('open')
      } else {
        expect(anomalies).toHaveLength(0)
      }
      if (c.expect.closes !== undefined) expect(w.sim.state.stats.closes - closesBefore).toBe(c.expect.closes)
      if (c.expect.outcome === 'error') {
        expect(record.error_code).toBeTruthy()
        expect(after).toMatchObject({
          status: before.status,
          version: before.version,
          gateway_trade_no: before.gateway_trade_no,
        })
      }
    })
  })
})
