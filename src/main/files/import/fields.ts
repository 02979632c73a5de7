import { CHANNEL_INFO } from '../../../shared/channels'
import {
  CHANNELS,
  type Channel,
  type PayKind,
  type PayStatus,
  type RefundStatus,
} from '../../../shared/domain'
import { say, type MessageId, type Params } from '../../../shared/messages'
import { MAX_FEN, yuanToFen } from '../../../shared/money'
import { BEIJING_OFFSET_MS, parseBeijing } from '../../../shared/time'

// Cell readers: each returns the value or throws a FieldError whose message tells the person what to
// fix. Numbers that name trades stay text; a number a spreadsheet already rounded is refused.

/** A cell that cannot be read: the sentence in English, and its id and parameters for the window. */
export class FieldError extends Error {
  constructor(
    readonly id: MessageId,
    readonly params: Params = {},
  ) {
    super(say(id, params))
  }
}

/**
 * Whether a character may be one that String.prototype.trim removes (a superset: a false "maybe"
 * only costs the slow path).
 */
function maybeSpace(c: number): boolean {
  return (
    c <= 0x20 ||
    c === 0xa0 ||
    c === 0xfeff ||
    (c >= 0x1680 && c <= 0x3000 && /\s/.test(String.fromCharCode(c)))
  )
}

/** Whether a cell is empty or only white space. */
export function isBlank(v: string): boolean {
  return v.length === 0 || (maybeSpace(v.charCodeAt(0)) && v.trim() === '')
}

/** Strips what spreadsheets and gateway bills wrap IDs in: a trailing tab, a leading backtick or quote. */
export function cleanCell(v: string): string {
  const n = v.length
  if (n > 0) {
    const a = v.charCodeAt(0)
    // Nothing to strip, as in almost every cell: returned without a regular expression run.
    if (!maybeSpace(a) && a !== 0x60 && a !== 0x27 && !maybeSpace(v.charCodeAt(n - 1))) return v
  }
  let s = v.trim()
  if (s.startsWith('`')) s = s.slice(1)
  if (s.startsWith("'") && /^'[=+\-@\t\r]/.test(s)) s = s.slice(1)
  return s.replace(/\t+$/, '').trim()
}

const SCIENTIFIC = /^[+-]?\d+(\.\d+)?E[+-]?\d+$/i

export function tradeNumber(v: string, what: string): string {
  const s = cleanCell(v)
  if (s === '') throw new FieldError('row.empty', { what })
  if (SCIENTIFIC.test(s)) {
    throw new FieldError('row.rounded', { what, value: s })
  }
  if (/^\d+\.0+$/.test(s)) {
    throw new FieldError('row.storedAsNumber', { what, value: s })
  }
  if (s.length > 64) throw new FieldError('row.tooLong', { what, max: 64 })
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
  if (/[\s\u0000-\u001f]/.test(s)) throw new FieldError('row.spaces', { what, value: s })
  return s
}

/** `123` or `123.4` or `123.45` with at most nine digits before the point, in fen; else null. */
function plainYuan(s: string): number | null {
  const n = s.length
  let whole = 0
  let i = 0
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48
    if (d < 0 || d > 9) break
    whole = whole * 10 + d
  }
  if (i === 0 || i > 9) return null
  if (i === n) return whole * 100
  if (s.charCodeAt(i) !== 46 || n - i - 1 < 1 || n - i - 1 > 2) return null
  const d1 = s.charCodeAt(i + 1) - 48
  const d2 = n - i - 1 === 2 ? s.charCodeAt(i + 2) - 48 : 0
  if (d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return null
  return whole * 100 + d1 * 10 + d2
}

/**
 * Full-width digits and signs (１２.５０, ＲＭＢ, ：) as their ASCII twins: Chinese input methods and
 * some shop exports write them. Only what is below U+FF5F changes; a cell without any is returned as is.
 */
export function halfWidth(s: string): string {
  let wide = false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if ((c >= 0xff01 && c <= 0xff5e) || c === 0x3000) {
      wide = true
      break
    }
  }
  if (!wide) return s
  let out = ''
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    out += c >= 0xff01 && c <= 0xff5e ? String.fromCharCode(c - 0xfee0) : c === 0x3000 ? ' ' : s[i]
  }
  return out
}

const CURRENCY_BEFORE = /^(?:rmb|cny|人民币)\s*|^[¥￥]\s*/i
const THOUSANDS = /,(?=\d{3}(\D|$))/g

/** A yuan cell without its currency marks: "RMB 10.00", "¥1,234.50", "12.50元" -> "10.00", "1234.50", "12.50". */
function bareYuan(v: string): string {
  let s = halfWidth(cleanCell(v))
  for (let before = ''; before !== s;) {
    before = s
    s = s.replace(CURRENCY_BEFORE, '')
  }
  return s.replace(/\s*元$/, '').replace(THOUSANDS, '')
}

export function yuan(v: string, what: string): number {
  const plain = plainYuan(cleanCell(v))
  if (plain !== null) return plain
  const fen = yuanToFen(bareYuan(v))
  if (fen === null) throw new FieldError('row.notYuan', { what, value: cleanCell(v) })
  if (fen < 0) throw new FieldError('row.negative', { what })
  return fen
}

export function fen(v: string, what: string, decimals: MessageId = 'row.decimalsInFen.cli'): number {
  const c = cleanCell(v)
  // Whole fen of up to 13 digits, as nearly every such cell is: under MAX_FEN by construction.
  if (c.length <= 13) {
    const n = digits(c, 0, c.length)
    if (n >= 0 && c.length > 0) return n
  }
  const s = halfWidth(c)
    .replace(/\s*分$/, '')
    .replace(THOUSANDS, '')
  if (!/^\d+$/.test(s)) {
    throw new FieldError(/^\d+\.\d+$/.test(s) ? decimals : 'row.notFen', { what, value: s })
  }
  const n = Number(s)
  if (n > MAX_FEN) throw new FieldError('row.tooLarge', { what })
  return n
}

/**
 * What a cell says about its column's unit: a bare whole number says nothing (100 may be yuan or
 * fen), a decimal point or a currency mark says yuan; null for a blank cell or one that is no amount
 * in yuan at all (it is refused later, or, with a trailing 分, read once a person says fen).
 */
export function unitEvidence(v: string): 'whole' | 'yuan' | null {
  const c = cleanCell(v)
  if (c === '') return null
  if (digits(c, 0, c.length) >= 0) return 'whole'
  const s = halfWidth(c)
  if (/^\d{1,3}(,\d{3})+$/.test(s)) return 'whole'
  if (/^[\d,]+\.\d+$/.test(s) || /[¥￥元]|^(rmb|cny|人民币)/i.test(s)) return 'yuan'
  return null
}

/**
 * Excel keeps 15 significant digits: a longer number typed or pasted into a cell comes back with
 * zeros after the 15th. A number of 16 or more digits that ends so is probably one of those.
 */
export function excelZeroed(no: string): boolean {
  return no.length >= 16 && /^\d+$/.test(no) && /^0+$/.test(no.slice(15))
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

function digits(s: string, at: number, count: number): number {
  let n = 0
  for (let i = at; i < at + count; i++) {
    const d = s.charCodeAt(i) - 48
    if (d < 0 || d > 9) return -1
    n = n * 10 + d
  }
  return n
}

/**
 * `YYYY-MM-DD HH:mm:ss`, the layout nearly every list uses, read without a regular expression or
 * a Date object; null for anything else (parseBeijing reads that, with the same result).
 */
function plainBeijing(s: string): number | null {
  if (s.length !== 19) return null
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 32) return null
  if (s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return null
  const y = digits(s, 0, 4)
  const mo = digits(s, 5, 2)
  const d = digits(s, 8, 2)
  const h = digits(s, 11, 2)
  const mi = digits(s, 14, 2)
  const sec = digits(s, 17, 2)
  if (y < 100 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59)
    return null
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)
  if (d > (mo === 2 && leap ? 29 : DAYS_IN_MONTH[mo - 1]!)) return null
  return Date.UTC(y, mo - 1, d, h, mi, sec) - BEIJING_OFFSET_MS
}

const CHINESE_DATE =
  /^(\d{4})年(\d{1,2})月(\d{1,2})日?\s*(?:(\d{1,2})[:点时](\d{1,2})?分?(?::(\d{1,2}))?秒?)?$/
const DAY_FIRST_OR_MONTH_FIRST = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(\s+.*)?$/

function isoDate(y: string, m: number, d: number): string {
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`
}

export function time(v: string, what: string): number {
  const plain = plainBeijing(cleanCell(v))
  if (plain !== null) return plain
  const s = halfWidth(cleanCell(v))
  // An Excel serial date (days since 1899-12-30) written out as a number.
  if (/^\d{5}(\.\d+)?$/.test(s)) {
    const days = Number(s)
    const ms = Math.round((days - 25569) * 86400_000)
    return ms - BEIJING_OFFSET_MS
  }
  let text = s
  const zh = CHINESE_DATE.exec(s)
  if (zh) {
    const [, y, mo, d, h, mi, sec] = zh
    text = `${y}-${mo}-${d}${h === undefined ? '' : ` ${h}:${(mi ?? '0').padStart(2, '0')}${sec === undefined ? '' : `:${sec.padStart(2, '0')}`}`}`
  }
  // 12/03/2026: December 3 in the United States, 12 March in Britain. A part above 12 can only be the
  // day; when both could be the month the date is refused rather than guessed, for a month wrong
  // moves a trade into another month's books.
  const dm = DAY_FIRST_OR_MONTH_FIRST.exec(s)
  if (dm) {
    const [, a, b, y, rest = ''] = dm
    const first = Number(a)
    const second = Number(b)
    if (first > 12 && second <= 12) text = `${isoDate(y!, second, first)}${rest}`
    else if (second > 12 && first <= 12) text = `${isoDate(y!, first, second)}${rest}`
    else if (first === second) text = `${isoDate(y!, first, first)}${rest}`
    else {
      throw new FieldError('row.ambiguousDate', {
        what,
        value: s,
        first: isoDate(y!, first, second),
        second: isoDate(y!, second, first),
        iso: `${isoDate(y!, first, second)}${rest}`,
      })
    }
  }
  const ms = parseBeijing(text)
  if (ms === null) throw new FieldError('row.notTime', { what, value: s })
  return ms
}

/** Each channel by its code and by the names an import file may use for it (the channel registry). */
const CHANNEL_NAMES = new Map<string, Channel>(
  CHANNELS.flatMap((c) => [c, ...CHANNEL_INFO[c].importAliases].map((name): [string, Channel] => [name, c])),
)

/**
 * A name table as a Map: a cell that says "constructor" or "toString" must be an unknown name, not
 * a property every object has.
 */
function names<T>(table: Record<string, T>): Map<string, T> {
  return new Map(Object.entries(table))
}

/** The name as written, else in lower case: most cells are written as the table has them. */
function lookUp<T>(table: Map<string, T>, v: string): T | undefined {
  const s = cleanCell(v)
  return table.get(s) ?? table.get(s.toLowerCase())
}

export function channel(v: string): Channel {
  const c = lookUp(CHANNEL_NAMES, v)
  if (!c) throw new FieldError('row.channelUnknown', { value: cleanCell(v), allowed: CHANNELS.join(', ') })
  return c
}

const PAY_STATUS_NAMES = names<PayStatus>({
  progress: 'progress',
  支付中: 'progress',
  待支付: 'progress',
  未支付: 'progress',
  待付款: 'progress',
  success: 'success',
  成功: 'success',
  支付成功: 'success',
  已支付: 'success',
  已付款: 'success',
  交易成功: 'success',
  已完成: 'success',
  交易完成: 'success',
  close: 'close',
  closed: 'close',
  关闭: 'close',
  已关闭: 'close',
  支付关闭: 'close',
  交易关闭: 'close',
  cancel: 'cancel',
  撤销: 'cancel',
  已撤销: 'cancel',
  支付撤销: 'cancel',
  fail: 'fail',
  failed: 'fail',
  失败: 'fail',
  支付失败: 'fail',
})

const REFUND_STATUS_NAMES = names<RefundStatus>({
  progress: 'progress',
  退款中: 'progress',
  处理中: 'progress',
  success: 'success',
  成功: 'success',
  退款成功: 'success',
  已退款: 'success',
  退款完成: 'success',
  已完成: 'success',
  close: 'close',
  closed: 'close',
  关闭: 'close',
  退款关闭: 'close',
  fail: 'fail',
  failed: 'fail',
  失败: 'fail',
  退款失败: 'fail',
})

export function payStatus(v: string): PayStatus {
  const s = lookUp(PAY_STATUS_NAMES, v)
  if (!s) throw new FieldError('row.payStatusUnknown', { value: cleanCell(v) })
  return s
}

export function refundStatus(v: string): RefundStatus {
  const s = lookUp(REFUND_STATUS_NAMES, v)
  if (!s) throw new FieldError('row.refundStatusUnknown', { value: cleanCell(v) })
  return s
}

export function payKind(v: string): PayKind {
  const s = cleanCell(v).toLowerCase()
  if (s === '' || s === 'pay' || s === '支付') return 'pay'
  if (s === 'payscore' || s === '支付分') return 'payscore'
  throw new FieldError('row.kindUnknown', { value: cleanCell(v) })
}

export function text(v: string, max: number, what: string): string {
  const s = cleanCell(v)
  if (s.length > max) throw new FieldError('row.tooLong', { what, max })
  return s
}
