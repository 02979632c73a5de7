import { describe, expect, it } from 'vitest'
import { beijingDay, shiftMonth, weekdayMondayFirst } from '../../src/renderer/src/statement-dates'

// Bill days are Beijing days whatever the machine's zone; the calendar turns months and starts weeks
// on Monday.

describe('statement dates', () => {
  it('counts days in Beijing: 16:30 UTC is already the next day there', () => {
    const now = Date.UTC(2026, 11, 3, 16, 30)
    expect(beijingDay(0, now)).toBe('2026-12-04')
    expect(beijingDay(1, now)).toBe('2026-12-03')
    expect(beijingDay(2, Date.UTC(2026, 0, 1, 1, 0))).toBe('2025-12-30')
  })

  it('turns months across the year', () => {
    expect(shiftMonth('2026-12', 1)).toBe('2027-01')
    expect(shiftMonth('2026-01', -1)).toBe('2025-12')
    expect(shiftMonth('2026-05', -17)).toBe('2024-12')
  })

  it('puts Monday first and Sunday last', () => {
    expect(weekdayMondayFirst('2026-11-30')).toBe(0)
    expect(weekdayMondayFirst('2026-11-01')).toBe(6)
  })
})
