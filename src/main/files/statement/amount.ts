// The amount grammar of statement cells (docs/reconcile.md section A5.6), read exactly from the
// decimal text: `0.29` is 29 fen, never `parseFloat('0.29') * 100` (28.999999999999996, which DaxPay
// 2.0.8 truncates to 28). Money is integer fen; fees are integer 1e-5 yuan because WeChat writes
// them with five decimals (`0.04000`).

const UNIONPAY = /^([CD]?)(\d{1,13})$/
const COUNT = /^\d{1,9}$/
/** What a spreadsheet makes of a long number it re-saved: `4.2E+27`, `1.23457e17`. */
const SCIENTIFIC = /^\d+(\.\d+)?[Ee][+-]?\d+$/

/**
 * `-?\d{1,12}(\.\d{1,maxDecimals})?` in units of 10^-scale, or null. Read character by character:
 * a statement has millions of amount cells, and this is several times faster than a regex match.
 */
function scaledDecimal(text: string, maxDecimals: number, scale: number): number | null {
  const n = text.length
  let i = text.charCodeAt(0) === 45 ? 1 : 0
  const negative = i === 1
  let whole = 0
  const start = i
  for (; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c === 46) break
    if (c < 48 || c > 57) return null
    whole = whole * 10 + (c - 48)
  }
  if (i === start || i - start > 12) return null
  let frac = 0
  let decimals = 0
  if (i < n) {
    for (i += 1; i < n; i++) {
      const c = text.charCodeAt(i)
      if (c < 48 || c > 57) return null
      frac = frac * 10 + (c - 48)
      decimals += 1
    }
    if (decimals === 0 || decimals > maxDecimals) return null
  }
  for (; decimals < scale; decimals++) frac *= 10
  const v = whole * 10 ** scale + frac
  if (!Number.isSafeInteger(v)) return null
  // `-0.00` is zero, not minus zero (which compares unequal in deep equality).
  return negative && v !== 0 ? -v : v
}

/** A yuan cell (`-0.01`, `88`, `35.8`: `^-?\d{1,12}(\.\d{1,2})?$`) in fen, or null when it is not one. */
export function yuanToFenExact(text: string): number | null {
  return scaledDecimal(text, 2, 2)
}

/** A fee cell with up to five decimals (`0.04000`, `-0.02`) in 1e-5 yuan, or null. */
export function feeToE5(text: string): number | null {
  return scaledDecimal(text, 5, 5)
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
