import { BEIJING_OFFSET_MS, formatBeijing } from '../../shared/time'
import type { BillFetch } from './bill-file'
import type { StatementDownload } from './types'

// What every adapter's bill download shares (docs/reconcile.md A1): the day asked for, checked before
// anything is sent, and the answers that carry no file: not ready yet, no bill for the day, failed.

type NoFile = Extract<StatementDownload, { status: 'not_ready' | 'empty' | 'failed' }>

const DAY_MS = 86_400_000

/** UTC ms of `YYYY-MM-DD` 00:00 Beijing; null when the text is no real date. */
export function beijingDayStart(date: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date)
  if (!m) return null
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const utc = Date.UTC(y, mo - 1, d)
  const back = new Date(utc)
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null
  return utc - BEIJING_OFFSET_MS
}

export function failed(code: string, msg: string, retryable: boolean, rawAnswer: string | null): NoFile {
  return { status: 'failed', code, msg, retryable, rawAnswer }
}

/** The bill exists, or will: not yet. Asked again later (docs/reconcile.md A12: every 30 minutes). */
export function notReady(code: string, msg: string, rawAnswer: string | null): NoFile {
  return { status: 'not_ready', code, msg, retryable: true, rawAnswer }
}

/** The channel's word that the day has no bill: no trades, a normal day (A18: an empty bill is no error). */
export function empty(code: string, msg: string, rawAnswer: string | null): NoFile {
  return { status: 'empty', code, msg, retryable: false, rawAnswer }
}

/**
 * A day whose bill cannot exist yet, refused before any call: not a date, today or later in Beijing
 * ("不支持下载当日账单", every channel). Null when the day may be asked for.
 */
export function refusedBillDate(billDate: string, now: number): NoFile | null {
  const start = beijingDayStart(billDate)
  if (start === null)
    return failed('bad_bill_date', `"${billDate}" is not a date written YYYY-MM-DD`, false, null)
  if (start + DAY_MS > now)
    return failed(
      'bill_date_not_closed',
      `the bill of ${billDate} does not exist before that day has ended (it is ${formatBeijing(now)} in Beijing)`,
      false,
      null,
    )
  return null
}

/** Transport failures worth another try later, and the HTTP statuses that say "later" (429, 5xx). */
export function retryableFailure(code: string): boolean {
  return /^(timeout|reset|refused|network|retries_exhausted|HTTP_(429|5\d\d))$/.test(code)
}

/** A name the channel gave its file, kept when it is a plain file name; `fallback` otherwise. */
export function plainFileName(name: string | null | undefined, fallback: string): string {
  return name && /^[\w.()-]{1,128}$/.test(name) && !/^\.+$/.test(name) ? name : fallback
}

/** A download that gave no file: the transport's words, and the gateway's answer when one came. */
export function fetchFailed(f: Extract<BillFetch, { ok: false }>, rawAnswer: string | null): NoFile {
  return failed(f.code, f.message, f.retryable, rawAnswer)
}
