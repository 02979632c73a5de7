/** The most events any window of `spanMs` holds; `times` sorted, in ms. What a QPS limit is judged on. */
export function busiestWindow(times: number[], spanMs: number): number {
  let most = 0
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= spanMs) j++
    most = Math.max(most, i - j + 1)
  }
  return most
}
