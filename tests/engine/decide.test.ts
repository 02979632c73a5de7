import { describe, expect, it } from 'vitest'
import { decidePay } from '../../src/main/engine/decide-pay'
import { decideRefund } from '../../src/main/engine/decide-refund'
import type { PayGatewayStatus, PayStatus, RefundGatewayStatus, RefundStatus } from '../../src/shared/domain'

// The two decision tables as written in domain.md sections 4 and 5, transcribed as matrices: every
// combination of local status and gateway answer, including those no single channel can produce.
// Short forms: 'wait' none/waiting, 'ok' none/consistent, 'err' error, 'close_gw' pay_close_gateway,
// 'R:way' repair, 'R:way+kind' repair then anomaly, 'A:kind' anomaly.

const NOW = Date.UTC(2026, 10, 20, 2, 0, 0)
const PAY_COLUMNS: Array<Exclude<PayGatewayStatus, 'pay_timeout'>> = [
  'pay_success',
  'pay_progress',
  'pay_not_found',
  'pay_closed',
  'pay_fail',
  'pay_refund',
  'sync_error',
]

const PAY_TABLE: Record<string, string[]> = {
  'progress, not expired': [
    'R:pay_success',
    'wait',
    'wait',
    'R:pay_close_local',
    'R:pay_fail',
    'R:pay_success+refund_unrecorded',
    'err',
  ],
  'progress, expired': [
    'R:pay_success',
    'close_gw',
    'close_gw',
    'R:pay_close_local',
    'R:pay_fail',
    'R:pay_success+refund_unrecorded',
    'err',
  ],
  success: [
    'ok',
    'A:success_but_gateway_unpaid',
    'A:success_but_gateway_missing',
    'A:success_but_gateway_closed',
    'A:success_but_gateway_failed',
    'ok',
    'err',
  ],
  close: ['A:paid_after_close', 'close_gw', 'ok', 'ok', 'ok', 'A:paid_after_close', 'err'],
  cancel: ['A:paid_after_close', 'close_gw', 'ok', 'ok', 'ok', 'A:paid_after_close', 'err'],
  fail: ['R:pay_success', 'ok', 'ok', 'ok', 'ok', 'R:pay_success+refund_unrecorded', 'err'],
}

function short(d: ReturnType<typeof decidePay> | ReturnType<typeof decideRefund>): string {
  switch (d.action) {
    case 'none':
      return d.outcome === 'waiting' ? 'wait' : 'ok'
    case 'error':
      return 'err'
    case 'anomaly':
      return `A:${d.anomaly}`
    case 'repair':
      return `R:${d.way}${'then' in d && d.then ? `+${d.then}` : ''}`
    case 'close_gateway':
      return 'close_gw'
    case 'payscore_sync':
      return 'payscore'
  }
}

describe('pay decision table (domain.md section 4)', () => {
  for (const [row, expected] of Object.entries(PAY_TABLE)) {
    const status = row.split(',')[0] as PayStatus
    const expiredAt = row.endsWith('expired') && !row.includes('not') ? NOW - 1 : NOW + 3600_000
    PAY_COLUMNS.forEach((g, i) => {
      it(`${row} x ${g} -> ${expected[i]}`, () => {
        const d = decidePay(
          { status, refundStatus: 'no_refund', amount: 100, expiredAt, kind: 'pay' },
          { status: g, amount: 100 },
          NOW,
        )
        expect(short(d)).toBe(expected[i])
      })
    })
  }

  it('an order past expiry that the gateway still waits on is recorded as pay_timeout', () => {
    for (const g of ['pay_progress', 'pay_not_found'] as const) {
      const d = decidePay(
        { status: 'progress', refundStatus: 'no_refund', amount: 100, expiredAt: NOW - 1, kind: 'pay' },
        { status: g, amount: null },
        NOW,
      )
      expect(d.recorded).toBe('pay_timeout')
    }
  })

  it('an order without an expiry never expires', () => {
    const d = decidePay(
      { status: 'progress', refundStatus: 'no_refund', amount: 100, expiredAt: null, kind: 'pay' },
      { status: 'pay_progress', amount: null },
      NOW + 10 * 365 * 86400_000,
    )
    expect(short(d)).toBe('wait')
  })

  it('success with a fully refunded local order and a closed gateway is consistent', () => {
    const d = decidePay(
      { status: 'success', refundStatus: 'refunded', amount: 100, expiredAt: null, kind: 'pay' },
      { status: 'pay_closed', amount: null },
      NOW,
    )
    expect(short(d)).toBe('ok')
  })

  it('a repair to success whose amount differs is an amount_mismatch anomaly, not a repair', () => {
    for (const status of ['progress', 'fail'] as const) {
      const d = decidePay(
        { status, refundStatus: 'no_refund', amount: 100, expiredAt: null, kind: 'pay' },
        { status: 'pay_success', amount: 101 },
        NOW,
      )
      expect(short(d)).toBe('A:amount_mismatch')
    }
  })

  it('a paid-offline payscore order whose gateway order waits with MCH_COMPLETE is synced to the gateway', () => {
    const local = {
      status: 'success' as const,
      refundStatus: 'no_refund' as const,
      amount: 100,
      expiredAt: null,
      kind: 'payscore' as const,
    }
    expect(
      short(
        decidePay(
          local,
          {
            status: 'pay_progress',
            amount: 100,
            payscore: { state: 'DOING', stateDescription: 'MCH_COMPLETE' },
          },
          NOW,
        ),
      ),
    ).toBe('payscore')
    expect(
      short(
        decidePay(
          local,
          {
            status: 'pay_progress',
            amount: 100,
            payscore: { state: 'DOING', stateDescription: 'USER_CONFIRM' },
          },
          NOW,
        ),
      ),
    ).toBe('A:success_but_gateway_unpaid')
  })
})

const REFUND_COLUMNS: RefundGatewayStatus[] = [
  'refund_success',
  'refund_progress',
  'refund_not_found',
  'refund_closed',
  'refund_abnormal',
  'sync_error',
]
const REFUND_TABLE: Record<string, string[]> = {
  'progress, in grace': ['R:refund_success', 'wait', 'wait', 'R:refund_close', 'A:refund_abnormal', 'err'],
  'progress, after grace': [
    'R:refund_success',
    'wait',
    'R:refund_close',
    'R:refund_close',
    'A:refund_abnormal',
    'err',
  ],
  success: [
    'ok',
    'A:refund_state_conflict',
    'A:refund_success_but_gateway_missing',
    'A:refund_state_conflict',
    'A:refund_abnormal',
    'err',
  ],
  fail: ['R:refund_success', 'ok', 'ok', 'ok', 'A:refund_abnormal', 'err'],
  close: ['A:refund_succeeded_after_close', 'ok', 'ok', 'ok', 'A:refund_abnormal', 'err'],
}

describe('refund decision table (domain.md section 5)', () => {
  for (const [row, expected] of Object.entries(REFUND_TABLE)) {
    const status = row.split(',')[0] as RefundStatus
    const createdAt = row.endsWith('after grace') ? NOW - 11 * 60_000 : NOW - 60_000
    REFUND_COLUMNS.forEach((g, i) => {
      it(`${row} x ${g} -> ${expected[i]}`, () => {
        const d = decideRefund({ status, amount: 50, createdAt }, { status: g, amount: 50 }, NOW)
        expect(short(d)).toBe(expected[i])
      })
    })
  }

  it('the grace period is configurable and defaults to ten minutes', () => {
    const local = { status: 'progress' as const, amount: 50, createdAt: NOW - 9 * 60_000 }
    expect(short(decideRefund(local, { status: 'refund_not_found', amount: null }, NOW))).toBe('wait')
    expect(short(decideRefund(local, { status: 'refund_not_found', amount: null }, NOW, 60_000))).toBe(
      'R:refund_close',
    )
  })
})
