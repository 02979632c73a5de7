import { describe, expect, it } from 'vitest'
import { decidePay } from '../../src/main/engine/decide-pay'
import { decideRefund } from '../../src/main/engine/decide-refund'
import {
  PAY_COLUMNS,
  PAY_NOTES,
  PAY_ROWS,
  REFUND_COLUMNS,
  REFUND_NOTES,
  REFUND_ROWS,
  parseCell,
  payCell,
  payRowStatus,
  refundCell,
  refundRowStatus,
  type PayNoteRow,
  type RefundRow,
} from '../helpers/decision-table'

// The two decision functions against the tables of docs/domain.md sections 4 and 5 as written in
// tests/helpers/decision-table.ts: every combination of local status and gateway answer, including
// those no single channel can produce, and the notes under each table.

const NOW = Date.UTC(2026, 10, 20, 2, 0, 0)

/** A decision in the tables' short form. */
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
      return 'R:pay_close_gateway'
    case 'payscore_sync':
      return 'R:payscore_sync_gateway'
  }
}

function pay(
  row: PayNoteRow,
  column: (typeof PAY_COLUMNS)[number],
  amount: 'same' | 'other' | 'none' = 'same',
) {
  return decidePay(
    {
      status: payRowStatus(row),
      refundStatus: row === 'success, refunded' ? 'refunded' : 'no_refund',
      amount: 100,
      expiredAt: row === 'progress, expired' ? NOW - 1 : NOW + 3600_000,
      kind: 'pay',
    },
    { status: column, amount: amount === 'none' ? null : amount === 'other' ? 101 : 100 },
    NOW,
  )
}

function refund(row: RefundRow, column: (typeof REFUND_COLUMNS)[number], otherAmount = false) {
  const createdAt = row === 'progress, after grace' ? NOW - 11 * 60_000 : NOW - 60_000
  return decideRefund(
    { status: refundRowStatus(row), amount: 50, createdAt },
    { status: column, amount: otherAmount ? 49 : 50 },
    NOW,
  )
}

describe('pay decision table (docs/domain.md section 4)', () => {
  for (const row of PAY_ROWS) {
    for (const column of PAY_COLUMNS) {
      const cell = parseCell(payCell(row, column), column)
      it(`${row} x ${column} -> ${cell.action}, recorded ${cell.recorded}`, () => {
        const d = pay(row, column)
        expect(short(d)).toBe(cell.action)
        expect(d.recorded).toBe(cell.recorded)
      })
    }
  }

  for (const note of PAY_NOTES) {
    it(`${note.name}: ${note.row} x ${note.column} -> ${note.cell}`, () => {
      const d = pay(note.row, note.column, note.noAmount ? 'none' : note.otherAmount ? 'other' : 'same')
      expect(short(d)).toBe(parseCell(note.cell, note.column).action)
      expect(d.recorded).toBe(note.column)
    })
  }

  it('an order without an expiry never expires', () => {
    const d = decidePay(
      { status: 'progress', refundStatus: 'no_refund', amount: 100, expiredAt: null, kind: 'pay' },
      { status: 'pay_progress', amount: null },
      NOW + 10 * 365 * 86400_000,
    )
    expect(short(d)).toBe('wait')
  })

  it('a paid answer without an amount is never a repair to success, on any row and column', () => {
    for (const row of PAY_ROWS) {
      for (const column of ['pay_success', 'pay_refund'] as const) {
        const d = pay(row, column, 'none')
        expect(short(d).startsWith('R:pay_success'), `${row} x ${column}`).toBe(false)
        expect(short(d)).not.toBe('A:amount_mismatch')
      }
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
    ).toBe('R:payscore_sync_gateway')
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

describe('refund decision table (docs/domain.md section 5)', () => {
  for (const row of REFUND_ROWS) {
    for (const column of REFUND_COLUMNS) {
      const cell = parseCell(refundCell(row, column), column)
      it(`${row} x ${column} -> ${cell.action}`, () => {
        const d = refund(row, column)
        expect(short(d)).toBe(cell.action)
        expect(d.recorded).toBe(cell.recorded)
      })
    }
  }

  for (const note of REFUND_NOTES) {
    it(`${note.name}: ${note.row} x ${note.column} -> ${note.cell}`, () => {
      expect(short(refund(note.row, note.column, note.otherAmount))).toBe(note.cell)
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
