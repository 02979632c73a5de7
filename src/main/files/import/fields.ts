import {
  CHANNELS,
  type Channel,
  type PayKind,
  type PayStatus,
  type RefundStatus,
} from '../../../shared/domain'
import { MAX_FEN, yuanToFen } from '../../../shared/money'
import { parseBeijing } from '../../../shared/time'

// Cell readers: each returns the value or throws a FieldError whose message tells the person what to
// fix. Numbers that name trades stay text; a number a spreadsheet already rounded is refused.

export class FieldError extends Error {}

/** Strips what spreadsheets and gateway bills wrap IDs in: a trailing tab, a leading backtick or quote. */
export function cleanCell(v: string): string {
  let s = v.trim()
  if (s.startsWith('`')) s = s.slice(1)
  if (s.startsWith("'") && /^'[=+\-@\t\r]/.test(s)) s = s.slice(1)
  return s.replace(/\t+$/, '').trim()
}

const SCIENTIFIC = /^[+-]?\d+(\.\d+)?E[+-]?\d+$/i

export function tradeNumber(v: string, what: string): string {
  const s = cleanCell(v)
  if (s === '') throw new FieldError(`${what} is empty`)
  if (SCIENTIFIC.test(s)) {
    throw new FieldError(
      `${what} "${s}" was turned into a rounded number by a spreadsheet; export the list again with this column as text`,
    )
  }
  if (/^\d+\.0+$/.test(s)) {
    throw new FieldError(
      `${what} "${s}" was stored as a number by a spreadsheet; export the list again with this column as text`,
    )
  }
  if (s.length > 64) throw new FieldError(`${what} is longer than 64 characters`)
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
  if (/[\s\u0000-\u001f]/.test(s))
    throw new FieldError(`${what} "${s}" contains spaces or control characters`)
  return s
}

export function optionalTradeNumber(v: string | undefined, what: string): string | null {
  if (v === undefined || cleanCell(v) === '') return null
  return tradeNumber(v, what)
}

export function yuan(v: string, what: string): number {
  const s = cleanCell(v)
    .replace(/^[¥￥]/, '')
    .replace(/,(?=\d{3}(\D|$))/g, '')
  const fen = yuanToFen(s)
  if (fen === null)
    throw new FieldError(`${what} "${cleanCell(v)}" is not an amount in yuan (write it like 1234.50)`)
  if (fen < 0) throw new FieldError(`${what} may not be negative`)
  return fen
}

export function fen(v: string, what: string): number {
  const s = cleanCell(v).replace(/,(?=\d{3}(\D|$))/g, '')
  if (!/^\d+$/.test(s)) {
    throw new FieldError(
      /^\d+\.\d+$/.test(s)
        ? `${what} "${s}" has decimals but this column holds fen; name the column amountYuan or 金额(元) for yuan`
        : `${what} "${s}" is not a whole number of fen`,
    )
  }
  const n = Number(s)
  if (n > MAX_FEN) throw new FieldError(`${what} is too large`)
  return n
}

export function time(v: string, what: string): number {
  const s = cleanCell(v)
  // An Excel serial date (days since 1899-12-30) written out as a number.
  if (/^\d{5}(\.\d+)?$/.test(s)) {
    const days = Number(s)
    const ms = Math.round((days - 25569) * 86400_000)
    return ms - 8 * 3600_000
  }
  const ms = parseBeijing(s)
  if (ms === null)
    throw new FieldError(`${what} "${s}" is not a time; write it as 2026-11-20 10:00:00 (Beijing time)`)
  return ms
}

const CHANNEL_NAMES: Record<string, Channel> = {
  alipay: 'alipay',
  ali_pay: 'alipay',
  支付宝: 'alipay',
  wechat: 'wechat',
  wechat_pay: 'wechat',
  wxpay: 'wechat',
  微信: 'wechat',
  微信支付: 'wechat',
  daxpay: 'daxpay',
  unionpay: 'unionpay',
  union_pay: 'unionpay',
  银联: 'unionpay',
  云闪付: 'unionpay',
}

export function channel(v: string): Channel {
  const c = CHANNEL_NAMES[cleanCell(v).toLowerCase()]
  if (!c)
    throw new FieldError(
      `channel "${cleanCell(v)}" is unknown; use one of ${CHANNELS.join(', ')} (or 支付宝, 微信, 银联)`,
    )
  return c
}

const PAY_STATUS_NAMES: Record<string, PayStatus> = {
  progress: 'progress',
  支付中: 'progress',
  待支付: 'progress',
  未支付: 'progress',
  success: 'success',
  成功: 'success',
  支付成功: 'success',
  已支付: 'success',
  close: 'close',
  closed: 'close',
  关闭: 'close',
  已关闭: 'close',
  支付关闭: 'close',
  cancel: 'cancel',
  撤销: 'cancel',
  已撤销: 'cancel',
  支付撤销: 'cancel',
  fail: 'fail',
  failed: 'fail',
  失败: 'fail',
  支付失败: 'fail',
}

const REFUND_STATUS_NAMES: Record<string, RefundStatus> = {
  progress: 'progress',
  退款中: 'progress',
  处理中: 'progress',
  success: 'success',
  成功: 'success',
  退款成功: 'success',
  close: 'close',
  closed: 'close',
  关闭: 'close',
  退款关闭: 'close',
  fail: 'fail',
  failed: 'fail',
  失败: 'fail',
  退款失败: 'fail',
}

export function payStatus(v: string): PayStatus {
  const s = PAY_STATUS_NAMES[cleanCell(v).toLowerCase()]
  if (!s)
    throw new FieldError(
      `status "${cleanCell(v)}" is unknown; use progress/支付中, success/成功, close/关闭, cancel/撤销 or fail/失败`,
    )
  return s
}

export function refundStatus(v: string): RefundStatus {
  const s = REFUND_STATUS_NAMES[cleanCell(v).toLowerCase()]
  if (!s)
    throw new FieldError(
      `status "${cleanCell(v)}" is unknown; use progress/退款中, success/成功, close/关闭 or fail/失败`,
    )
  return s
}

export function payKind(v: string): PayKind {
  const s = cleanCell(v).toLowerCase()
  if (s === '' || s === 'pay' || s === '支付') return 'pay'
  if (s === 'payscore' || s === '支付分') return 'payscore'
  throw new FieldError(`kind "${cleanCell(v)}" is unknown; use pay or payscore`)
}

export function text(v: string, max: number, what: string): string {
  const s = cleanCell(v)
  if (s.length > max) throw new FieldError(`${what} is longer than ${max} characters`)
  return s
}
