// Money is integer fen everywhere inside the program. These helpers convert at the edges with exact
// decimal string handling: no float arithmetic ever touches an amount.

const YUAN = /^([+-]?)(\d+)(?:\.(\d{0,2})(0*))?$/

/** Largest amount we accept, in fen: 10^13 fen keeps every sum exact in a double. */
export const MAX_FEN = 10_000_000_000_000

/** "88.88" -> 8888. Returns null for anything that is not a plain decimal yuan amount. */
export function yuanToFen(text: string): number | null {
  const m = YUAN.exec(text.trim())
  if (!m) return null
  const [, sign, whole, frac = ''] = m
  if (whole!.length > 14) return null
  const fen = Number(whole) * 100 + Number((frac + '00').slice(0, 2))
  if (!Number.isSafeInteger(fen) || fen > MAX_FEN) return null
  return sign === '-' ? -fen : fen
}

/** 8888 -> "88.88", -5 -> "-0.05". */
export function fenToYuan(fen: number): string {
  if (!Number.isInteger(fen)) throw new RangeError(`amount must be whole fen: ${fen}`)
  const sign = fen < 0 ? '-' : ''
  const abs = Math.abs(fen)
  const whole = Math.floor(abs / 100)
  const cents = abs % 100
  return `${sign}${whole}.${cents < 10 ? '0' : ''}${cents}`
}

/** "¥1,234.50" for screens. */
export function formatYuan(fen: number): string {
  const [whole, cents] = fenToYuan(fen).split('.') as [string, string]
  return `¥${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents}`
}

/** Fen given as an integer string, as WeChat and UnionPay send them ("1", "8888"). */
export function parseFen(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : null
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) return null
  const n = Number(value)
  return n <= MAX_FEN ? n : null
}
