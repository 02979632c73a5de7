// The amount grammar of statement cells (docs/reconcile.md section A5.6), read exactly from the
// decimal text: `0.29` is 29 fen, never `parseFloat('0.29') * 100` (28.999999999999996, which DaxPay
// 2.0.8 truncates to 28). Money is integer fen; fees are integer 1e-5 yuan because WeChat writes
// them with five decimals (`0.04000`).

const YUAN = /^(-?)(\d{1,12})(?:\.(\d{1,2}))?$/
const FEE = /^(-?)(\d{1,12})(?:\.(\d{1,5}))?$/
const UNIONPAY = /^([CD]?)(\d{1,13})$/
const COUNT = /^\d{1,9}$/
/** What a spreadsheet makes of a long number it re-saved: `4.2E+27`, `1.23457e17`. */
const SCIENTIFIC = /^\d+(\.\d+)?[Ee][+-]?\d+$/

/** A yuan cell (`-0.01`, `88`, `35.8`) in fen, or null when it is not one. */
export function yuanToFenExact(text: string): number | null {
  const m = YUAN.exec(text)
  if (!m) return null
  const fen = Number(m[2]) * 100 + Number(((m[3] ?? '') + '00').slice(0, 2))
  // `-0.00` is zero, not minus zero (which compares unequal in deep equality).
  return m[1] === '-' && fen !== 0 ? -fen : fen
}

/** A fee cell with up to five decimals (`0.04000`, `-0.02`) in 1e-5 yuan, or null. */
export function feeToE5(text: string): number | null {
  const m = FEE.exec(text)
  if (!m) return null
  const e5 = Number(m[2]) * 100_000 + Number(((m[3] ?? '') + '00000').slice(0, 5))
  if (!Number.isSafeInteger(e5)) return null
  return m[1] === '-' && e5 !== 0 ? -e5 : e5
}

/** A UnionPay amount in fen with its optional sign letter (`C000000003559`, `D000000000021`), or null. */
export function unionpayFen(text: string): number | null {
  const m = UNIONPAY.exec(text)
  if (!m) return null
  const fen = Number(m[2])
  return m[1] === 'D' && fen !== 0 ? -fen : fen
}

/** A count cell (`6`, `0`), or null. */
export function countOf(text: string): number | null {
  return COUNT.test(text) ? Number(text) : null
}

/** True for an id cell a spreadsheet turned into scientific notation (the digits are lost). */
export function isScientific(text: string): boolean {
  return SCIENTIFIC.test(text)
}

/** Fen as the file writes yuan: 6 -> `0.06`, -4 -> `-0.04`. Exact for any bigint. */
export function fenText(fen: bigint | number): string {
  return scaled(BigInt(fen), 2)
}

/** 1e-5 yuan as a five-decimal text: 4000 -> `0.04000`. */
export function e5Text(e5: bigint | number): string {
  return scaled(BigInt(e5), 5)
}

function scaled(v: bigint, decimals: number): string {
  const sign = v < 0n ? '-' : ''
  const digits = (v < 0n ? -v : v).toString().padStart(decimals + 1, '0')
  return `${sign}${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`
}
