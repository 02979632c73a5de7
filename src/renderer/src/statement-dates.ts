import { formatBeijing } from '../../shared/time'

// Bill days are Beijing calendar days (docs/reconcile.md A3): the screens count them in Beijing time,
// whatever the machine's time zone.

const DAY_MS = 86_400_000

/** The Beijing day `daysAgo` days before now, YYYY-MM-DD (1: yesterday, the day a bill is ready for). */
export function beijingDay(daysAgo = 0, now = Date.now()): string {
  return formatBeijing(now - daysAgo * DAY_MS).slice(0, 10)
}

/** The month of a day, YYYY-MM. */
export function monthOf(day: string): string {
  return day.slice(0, 7)
}

/** The month `delta` months from `month` (YYYY-MM). */
export function shiftMonth(month: string, delta: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number]
  const index = y * 12 + (m - 1) + delta
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`
}

/** Monday first: 0 for a Monday, 6 for a Sunday (the weekday of a Chinese calendar's first column). */
export function weekdayMondayFirst(day: string): number {
  return (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7
}
