import { formatBeijing, parseBeijing } from '../../../shared/time'

// Times in statement files are Beijing wall-clock without a zone (docs/reconcile.md section A0.5).
// The grammar here is the files' own, stricter than a person's input: `YYYY-MM-DD HH:mm:ss` (WeChat
// and Alipay cells; WeChat's own v2 sample writes full-width colons, `16：33：45`), Alipay's header
// `YYYY年MM月DD日 HH:mm:ss`, and UnionPay's `MMDDhhmmss` with no year.

const WALL = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/
const ALIPAY_HEADER = /^(\d{4})年(\d{2})月(\d{2})日 (\d{2}:\d{2}:\d{2})$/
const MMDD = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/

let lastDay = ''
let lastDayMs: number | null = null

/** A cell time in UTC ms, or null when it is not a real time. */
export function wallTime(text: string): number | null {
  const t = text.includes('：') ? text.replaceAll('：', ':') : text
  if (!WALL.test(t)) return null
  // A bill's lines share a few days: the calendar date is checked once per day, the time by sums.
  const day = t.slice(0, 10)
  if (day !== lastDay) {
    lastDayMs = parseBeijing(day)
    lastDay = day
  }
  if (lastDayMs === null) return null
  const h = Number(t.slice(11, 13))
  const m = Number(t.slice(14, 16))
  const s = Number(t.slice(17, 19))
  if (h > 23 || m > 59 || s > 59) return null
  return lastDayMs + ((h * 60 + m) * 60 + s) * 1000
}

/** `2019年09月16日 00:00:00` in UTC ms, or null. */
export function alipayHeaderTime(text: string): number | null {
  const m = ALIPAY_HEADER.exec(text.trim())
  return m ? parseBeijing(`${m[1]}-${m[2]}-${m[3]} ${m[4]}`) : null
}

/**
 * UnionPay's `交易传输时间` (MMDDhhmmss) in UTC ms, the year taken from the statement's settle date
 * (YYYY-MM-DD), one less for a December line in a January file (A1.3: a 12-31 23:59:59 line sits in
 * the 01-01 file; DaxPay prefixed the file's year blindly). Null when it is not a real time.
 */
export function unionpayTime(text: string, settleDate: string): number | null {
  const m = MMDD.exec(text)
  if (!m) return null
  let year = Number(settleDate.slice(0, 4))
  if (m[1] === '12' && settleDate.slice(5, 7) === '01') year -= 1
  return parseBeijing(`${year}-${m[1]}-${m[2]} ${m[3]}:${m[4]}:${m[5]}`)
}

/** The Beijing day of a time, YYYY-MM-DD. */
export function beijingDay(ms: number): string {
  return formatBeijing(ms).slice(0, 10)
}
