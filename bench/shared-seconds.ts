import { figure, type Figure } from './figures'

// Where a shared batch's orders went, second by second (docs/team-mode.md B8.6): the judged figure
// (bench/batch-shared.ts) is one number from B's join to the end, and on a busy machine it falls short
// for three different reasons that call for different work: B's ramp after its join (a cold process
// beside a halved A), seconds where both run at full share but the machine stalls (a vacuum, a
// collection), and the end. The records' own times say which.

/** Records of one second of the run: by A, by B. */
export interface Second {
  a: number
  b: number
}

const median = (xs: number[]): number => {
  if (xs.length === 0) return NaN
  const s = [...xs].sort((x, y) => x - y)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/**
 * `seconds[k]` holds the records made in the k-th whole second after B's join; `bFirstSec` and
 * `ranOutSec` are the seconds of B's first record and of the first runner's last. `share` is one
 * runner's share of the QPS limit.
 */
export function secondsFigures(
  t: string,
  seconds: Second[],
  bFirstSec: number,
  ranOutSec: number,
  share: number,
  qps: number,
): Figure[] {
  // B has ramped up once a whole second of its holds 90% of its share.
  let rampEnd = bFirstSec
  while (rampEnd < ranOutSec && (seconds[rampEnd]?.b ?? 0) < 0.9 * share) rampEnd += 1
  // The steady part: whole seconds after the ramp and before the end.
  const steady = seconds.slice(rampEnd + 1, ranOutSec).map((s) => s.a + s.b)
  const typical = median(steady)
  const joinLost = seconds
    .slice(0, rampEnd + 1)
    .reduce((lost, s) => lost + Math.max(0, typical - s.a - s.b), 0)
  const dipLost = steady.reduce((lost, n) => lost + Math.max(0, typical - n), 0)
  return [
    figure(
      `batch shared${t}: the median one-second throughput once both run at full share`,
      typical,
      'orders/s',
      qps,
      null,
    ),
    figure(
      `batch shared${t}: B's ramp, from its first record to its first second at 90% of its share`,
      Math.max(0, rampEnd - bFirstSec),
      's',
      null,
      null,
    ),
    figure(
      `batch shared${t}: orders the join cost against that median (from B's join to its ramp's end)`,
      joinLost,
      'orders',
      null,
      null,
    ),
    figure(
      `batch shared${t}: orders the slow seconds cost against that median once both ran at full share`,
      dipLost,
      'orders',
      null,
      null,
    ),
  ]
}
