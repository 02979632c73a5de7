// When a trade not yet final is synced next (docs/domain.md section 7): keyed on its age and the last
// attempt, not on its expiry, so unexpired orders are polled too.

const MIN = 60_000
const HOUR = 60 * MIN
const DAY = 24 * HOUR

export function ladderInterval(ageMs: number): number {
  if (ageMs < 10 * MIN) return MIN
  if (ageMs < HOUR) return 10 * MIN
  if (ageMs < DAY) return HOUR
  return DAY
}

/** How far errors stretch the ladder at most, before the daily back-off of the threshold. */
const MAX_STRETCH = 8

/**
 * The next due time after an attempt at `now`. A trade whose syncs keep failing backs off to daily,
 * so one broken order does not eat the merchant's rate budget.
 *
 * A trade whose difference a person decided (`decided`: the answer was the one decided on) is asked
 * at the ladder's full back-off, eight times its step and at most daily: the question is answered,
 * and the only news would be the gateway changing its answer, which a look a day still catches the
 * same day (docs/domain.md 6.6 and section 7).
 */
export function nextSyncAt(
  createdAt: number,
  now: number,
  consecutiveErrors: number,
  errorThreshold: number,
  decided = false,
): number {
  if (consecutiveErrors >= errorThreshold) return now + DAY
  const base = ladderInterval(now - createdAt)
  if (decided) return now + Math.min(DAY, base * MAX_STRETCH)
  // A few errors in a row stretch the interval, up to eight times, before the daily back-off.
  const stretch = consecutiveErrors > 0 ? Math.min(MAX_STRETCH, 2 ** Math.min(3, consecutiveErrors - 1)) : 1
  return now + base * stretch
}
