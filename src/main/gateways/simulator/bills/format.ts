import iconv from 'iconv-lite'
import { fenToYuan } from '../../../../shared/money'
import { BEIJING_OFFSET_MS, formatBeijing } from '../../../../shared/time'

// Text the channels' files share: yuan with two decimals, fees with five, Beijing wall-clock times,
// GBK bytes. A value a channel could not have written (a comma inside a cell of a comma-separated
// file, a fee in fractions of a fen on Alipay) is a mistake of the caller, refused loudly.

export function yuan(fen: number): string {
  return fenToYuan(fen)
}

/** 1e-5 yuan with five decimals, as WeChat writes 手续费: 4000 -> `0.04000`. */
export function yuanE5(e5: number): string {
  if (!Number.isSafeInteger(e5)) throw new RangeError(`fee must be whole 1e-5 yuan: ${e5}`)
  const digits = String(Math.abs(e5)).padStart(6, '0')
  return `${e5 < 0 ? '-' : ''}${digits.slice(0, -5)}.${digits.slice(-5)}`
}

/** A fee in whole fen (Alipay, UnionPay write no fractions of a fen). */
export function e5ToFen(e5: number): number {
  if (e5 % 1000 !== 0) throw new RangeError(`this channel writes fees in whole fen: ${e5} (1e-5 yuan)`)
  return e5 / 1000 || 0
}

export function beijing(ms: number): string {
  return formatBeijing(ms)
}

/** `2019年09月16日 00:00:00`, Alipay's header and footer times. */
export function beijingChinese(ms: number): string {
  const t = formatBeijing(ms)
  return `${t.slice(0, 4)}年${t.slice(5, 7)}月${t.slice(8, 10)}日 ${t.slice(11)}`
}

/** UTC ms of `YYYY-MM-DD` 00:00 Beijing. */
export function dayStart(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  return Date.UTC(y, m - 1, d) - BEIJING_OFFSET_MS
}

export function compactDate(date: string): string {
  return date.replaceAll('-', '')
}

/** A cell of a comma-separated bill: no separator, no line break can be inside it. */
export function cell(text: string): string {
  if (/[,\r\n]/.test(text))
    throw new RangeError(`a bill cell cannot hold a comma or a line break: ${JSON.stringify(text)}`)
  return text
}

export function gbk(text: string): Buffer {
  return iconv.encode(text, 'gbk')
}
