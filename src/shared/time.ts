// Time is UTC epoch milliseconds inside the program. People and Chinese gateways see Beijing time
// (Asia/Shanghai, UTC+8 all year: China has had no daylight saving time since 1991), so the
// conversion is a fixed offset and never depends on the machine's time zone.

export const BEIJING_OFFSET_MS = 8 * 3600 * 1000

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0')
}

function beijingParts(ms: number) {
  const d = new Date(ms + BEIJING_OFFSET_MS)
  return {
    y: d.getUTCFullYear(),
    mo: d.getUTCMonth() + 1,
    d: d.getUTCDate(),
    h: d.getUTCHours(),
    mi: d.getUTCMinutes(),
    s: d.getUTCSeconds(),
    ms: d.getUTCMilliseconds(),
  }
}

const DAY_MS = 86_400_000
let lastDay = NaN
let lastDayText = ''
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => pad(i))

/** `YYYY-MM-DD HH:mm:ss` in Beijing time: what people read, what Alipay and DaxPay 3.x expect. */
export function formatBeijing(ms: number): string {
  // Exports write a million of these, mostly of a few days: the date part is made once per day.
  const local = ms + BEIJING_OFFSET_MS
  const day = Math.floor(local / DAY_MS)
  if (day !== lastDay) {
    const p = beijingParts(ms)
    lastDayText = `${p.y}-${pad(p.mo)}-${pad(p.d)} `
    lastDay = day
  }
  const seconds = Math.floor((local - day * DAY_MS) / 1000)
  const h = Math.floor(seconds / 3600)
  const mi = Math.floor(seconds / 60) % 60
  return `${lastDayText}${TWO_DIGITS[h]}:${TWO_DIGITS[mi]}:${TWO_DIGITS[seconds % 60]}`
}

/** `yyyyMMddHHmmss` in Beijing time (payscore paid_time, UnionPay txnTime). */
export function formatBeijingCompact(ms: number): string {
  const p = beijingParts(ms)
  return `${p.y}${pad(p.mo)}${pad(p.d)}${pad(p.h)}${pad(p.mi)}${pad(p.s)}`
}

/** ISO 8601 with the +08:00 offset, e.g. `2026-11-20T10:00:00.000+08:00`. */
export function toIsoBeijing(ms: number): string {
  const p = beijingParts(ms)
  return `${p.y}-${pad(p.mo)}-${pad(p.d)}T${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}.${pad(p.ms, 3)}+08:00`
}

/** RFC 3339 without milliseconds, as WeChat Pay writes it: `2018-06-08T10:34:56+08:00`. */
export function toRfc3339Beijing(ms: number): string {
  const p = beijingParts(ms)
  return `${p.y}-${pad(p.mo)}-${pad(p.d)}T${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}+08:00`
}

export function isoOrNull(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : toIsoBeijing(ms)
}

function fromBeijingFields(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number | null {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null
  const utc = Date.UTC(y, mo - 1, d, h, mi, s)
  const check = new Date(utc)
  // Date.UTC rolls 2026-02-30 over to March; a real calendar date survives the round trip.
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null
  return utc - BEIJING_OFFSET_MS
}

const WALL = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d{1,3})?)?$/
const COMPACT = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2}))?$/
const ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/

/**
 * Reads a time the way people and gateways write it: Beijing wall-clock
 * (`2026-11-20 10:00:00`, `2026/11/20 10:00`, `2026-11-20`, `20261120100000`) or an ISO 8601
 * string with an explicit offset. Returns epoch ms, or null when it is not a real time.
 */
export function parseBeijing(text: string): number | null {
  const t = text.trim()
  let m = WALL.exec(t)
  if (m) {
    return fromBeijingFields(+m[1]!, +m[2]!, +m[3]!, m[4] ? +m[4] : 0, m[5] ? +m[5] : 0, m[6] ? +m[6] : 0)
  }
  m = COMPACT.exec(t)
  if (m)
    return fromBeijingFields(+m[1]!, +m[2]!, +m[3]!, m[4] ? +m[4] : 0, m[5] ? +m[5] : 0, m[6] ? +m[6] : 0)
  if (ZONED.test(t)) {
    const ms = Date.parse(t)
    return Number.isNaN(ms) ? null : ms
  }
  return null
}

/**
 * The first instant after the span a written time names, for an inclusive "until": `2026-11-20`
 * runs to the end of that day, `2026-11-20 23:59` to the end of that minute, `… 23:59:59` to the
 * end of that second. A record at 23:59:59.400 is inside "until 23:59:59", as a person means it.
 */
export function parseBeijingEnd(text: string): number | null {
  const start = parseBeijing(text)
  if (start === null) return null
  const t = text.trim()
  if (/\.\d+/.test(t)) return start + 1
  const wall = WALL.exec(t) ?? COMPACT.exec(t)
  if (wall) {
    if (wall[6] !== undefined) return start + 1000
    if (wall[4] !== undefined) return start + 60_000
    return start + 86_400_000
  }
  return start + (/T\d{2}:\d{2}:\d{2}/.test(t) ? 1000 : 60_000)
}
