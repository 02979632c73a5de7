import type { ImportField } from '../../../shared/mapping'
import type { HeaderMatch } from './headers'
import { missingFields } from './headers'
import { noCounts, type ImportOptions, type ImportResult } from './import-options'
import { UnreadableFileError, type SourceRow } from './row-source'
import type { Audience } from './trades'

// A header that lacks a column the list needs: a preview shows it as it is (the header, the mapping,
// the first rows), an import refuses the file with a sentence naming what is missing.

/** A preview of a file whose header lacks a column the list needs: its header and first rows only. */
export function headerOnly(
  name: string,
  encoding: string,
  options: ImportOptions,
  header: SourceRow,
  headers: string[],
  match: HeaderMatch,
  missing: Array<ImportField | 'amount'>,
  firstBatch: SourceRow[],
  headerAt: number,
  width: number,
): ImportResult {
  const sample = firstBatch.slice(headerAt + 1, headerAt + 1 + (options.sample ?? 0)).map((r) => ({
    line: r.line,
    cells: r.broken ? [r.raw] : r.cells.slice(0, width),
    amount: null,
    error: null,
    notes: [],
  }))
  return {
    importId: 0,
    file: name,
    encoding,
    type: options.type,
    ...noCounts(),
    headerLine: header.line,
    amountColumns: [],
    merchantColumnIgnored: [],
    errors: [],
    notes: [],
    headers,
    match,
    missing,
    sample,
    stopped: false,
  }
}

/** Refuses a file whose header lacks a column the list needs; returns when it lacks none. */
export function refuseMissing(
  match: HeaderMatch,
  o: ImportOptions,
  audience: Audience,
  file: string,
  headers: string[],
): void {
  const missing = missingFields(match, o.type)
  if (!missing.length) return
  const have = new Set<ImportField>(match.fields.values())
  const refundish = ['refundNo', 'refundAmountFen', 'refundAmountYuan'] as const
  if (o.type === 'pay' && refundish.some((f) => have.has(f))) {
    throw UnreadableFileError.say(audience === 'cli' ? 'import.refundList.cli' : 'import.refundList.window', {
      file,
      headers: headers.filter((h, i) => refundish.includes(match.fields.get(i) as never)).join(', '),
    })
  }
  const names = missing.map((m) =>
    m === 'amount'
      ? o.type === 'pay'
        ? 'amount (金额)'
        : 'refundAmount (退款金额)'
      : m === 'orderNo' && o.type === 'refund'
        ? 'orderNo (the pay order it belongs to)'
        : m,
  )
  throw UnreadableFileError.say(audience === 'cli' ? 'import.missing.cli' : 'import.missing.window', {
    file,
    fields: names.join(', '),
    headers: headers.filter(Boolean).join(', ') || '(none)',
  })
}
