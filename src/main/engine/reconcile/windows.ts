import type { Channel } from '../../../shared/domain'
import { BEIJING_OFFSET_MS, formatBeijing } from '../../../shared/time'

// The bill day's window and its band (docs/reconcile.md A8): W(D) = [D 00:00, D+1 00:00) Beijing for
// every channel (UnionPay's settle-date cut-off is unverified, so its calendar day is an approximation
// with a wider band). A local trade near either edge without its line waits for the neighbouring day.

const DAY_MS = 86_400_000

/** UnionPay's day is its settle date, whose cut-off is not midnight: never a band under an hour. */
const UNIONPAY_MIN_BAND_MINUTES = 60

export interface DayWindow {
  start: number
  end: number
}

export function dayWindow(billDate: string): DayWindow {
  const start = Date.parse(`${billDate}T00:00:00Z`) - BEIJING_OFFSET_MS
  return { start, end: start + DAY_MS }
}

/** The Beijing day (YYYY-MM-DD) of a time. */
export function billDateOf(ms: number): string {
  return formatBeijing(ms).slice(0, 10)
}

export function addDays(billDate: string, days: number): string {
  return new Date(Date.parse(`${billDate}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10)
}

export function bandMs(channel: Channel, toleranceMinutes: number): number {
  const minutes =
    channel === 'unionpay' ? Math.max(toleranceMinutes, UNIONPAY_MIN_BAND_MINUTES) : toleranceMinutes
  return minutes * 60_000
}

/**
 * Where a local time in W(D) lies: near the late edge (its line may be in D+1's bill), near the early
 * edge (D−1's), or inside. A trade without a time is inside: it is missing wherever it is.
 */
export function edgeOf(time: number | null, w: DayWindow, band: number): 'late' | 'early' | null {
  if (time === null || band <= 0) return null
  if (time >= w.end - band) return 'late'
  if (time < w.start + band) return 'early'
  return null
}
