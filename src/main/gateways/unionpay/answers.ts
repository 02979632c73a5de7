import { parseBeijing } from '../../../shared/time'
import type { Failure } from '../kit'
import type { Fields } from './transport'

// What a verified UnionPay answer means (docs/protocols.md section 3), the official demo's logic:
// respCode says whether the query itself worked, origRespCode what became of the transaction asked
// about.

/** respCode / origRespCode values that mean "not settled yet, ask again" (demo Form_6_5_Query). */
export const IN_PROGRESS = new Set(['03', '04', '05'])

/**
 * Time of the original transaction's processing: traceTime is `MMddHHmmss` Beijing without a year,
 * so the year comes from txnTime, one later when the month wrapped past December.
 */
export function processedAt(f: Fields): number | null {
  const trace = f.traceTime ?? ''
  const txn = f.txnTime ?? ''
  if (!/^\d{10}$/.test(trace) || !/^\d{14}$/.test(txn)) return null
  const year = Number(txn.slice(0, 4)) + (trace.slice(0, 2) < txn.slice(4, 6) ? 1 : 0)
  return parseBeijing(`${year}${trace}`)
}

/** A verified answer whose respCode is not 00: the query did not reach a verdict on the transaction. */
export function queryFailed(f: Fields, raw: string): Failure {
  const code = `respCode ${f.respCode}`
  const msg = (f.respMsg ?? '').trim()
  if (IN_PROGRESS.has(f.respCode!))
    return { code, msg: `${msg} (the query itself is still being processed: ask again)`.trim(), raw }
  if (f.respCode === '37')
    return { code, msg: `${msg} (too many queries for this transaction: ask again later)`.trim(), raw }
  return { code, msg: msg || 'the gateway refused the query', raw }
}

/**
 * Why a verified verdict (respCode 00) still gives no state: an origRespCode or an amount we cannot
 * read, or A6, 有缺陷的成功: money was taken, with a defect. Neither paid nor failed is safe to
 * assume, so a person sees it (after repeated errors the engine opens sync_keeps_failing).
 */
export function whyUnreadable(
  f: Fields,
  orig: string,
  amount: number | null,
): { code: string; msg: string } | null {
  if (!/^[0-9A-Z]{2}$/.test(orig))
    return { code: 'malformed', msg: `origRespCode "${orig}" is not a response code` }
  if (f.txnAmt !== undefined && amount === null)
    return { code: 'malformed', msg: `txnAmt "${f.txnAmt}" is not fen` }
  if (orig === 'A6')
    return {
      code: 'origRespCode A6',
      msg: `${f.origRespMsg ?? '有缺陷的成功'} (success with a defect: check with UnionPay)`,
    }
  return null
}
