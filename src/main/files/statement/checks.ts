import { StatementError } from './errors'
import { e5Text, fenText } from './amount'
import { statementText, type Params, type StatementMessageId } from './messages'
import type { StatementCheck, StatementNotice } from './types'

// What a format parser hands back once its last line is read, and the comparisons of declared with
// parsed sums (docs/reconcile.md A10). Sums are bigint: a million lines of large amounts stay exact.

export interface FormatOutcome {
  account: string | null
  billDate: string | null
  window: { start: number; end: number } | null
  exportedAt: number | null
  layout: string | null
  integrity: 'ok' | 'unavailable'
  checks: StatementCheck[]
  notices: StatementNotice[]
  netE5: number | null
}

export type CheckUnit = 'count' | 'fen' | 'e5'

export function valueText(v: bigint, unit: CheckUnit): string {
  return unit === 'count' ? v.toString() : unit === 'fen' ? fenText(v) : e5Text(v)
}

export function makeCheck(
  item: string,
  line: number,
  declared: bigint,
  parsed: bigint,
  unit: CheckUnit,
  options: { binding?: boolean; entry?: string | null; ok?: boolean; parsedText?: string } = {},
): StatementCheck {
  return {
    item,
    entry: options.entry ?? null,
    line,
    declared: valueText(declared, unit),
    parsed: options.parsedText ?? valueText(parsed, unit),
    ok: options.ok ?? declared === parsed,
    binding: options.binding ?? true,
  }
}

/** The refusal for the first failed binding check, or null when every one holds. */
export function bindingFailure(checks: StatementCheck[]): StatementError | null {
  const failed = checks.find((c) => c.binding && !c.ok)
  if (!failed) return null
  const err = new StatementError(
    'summary_mismatch',
    'statement.summaryMismatch',
    { line: failed.line, item: failed.item, declared: failed.declared, parsed: failed.parsed },
    failed.line,
    failed.item,
  )
  err.entry = failed.entry
  return err
}

export function makeNotice(messageId: StatementMessageId, params: Params): StatementNotice {
  return {
    messageId,
    params,
    zh: statementText(messageId, params, 'zh'),
    en: statementText(messageId, params, 'en'),
  }
}

/**
 * Values a column was not expected to hold (a 交易状态 or 业务类型 no bill has shown so far): such lines
 * are kept as `other` and never matched, and the person is told, once per value, so that a damaged
 * or new status word is never silent.
 */
export class UnexpectedValues {
  private readonly seen = new Map<string, { column: string; value: string; line: number; count: number }>()
  private more = 0

  add(column: string, value: string, line: number): void {
    const key = `${column}\u0000${value}`
    const known = this.seen.get(key)
    if (known) known.count += 1
    else if (this.seen.size < 20)
      this.seen.set(key, {
        column,
        value: value.length > 40 ? `${value.slice(0, 40)}…` : value,
        line,
        count: 1,
      })
    else this.more += 1
  }

  notices(): StatementNotice[] {
    const out = [...this.seen.values()].map((v) => makeNotice('statement.unexpectedValue', { ...v }))
    if (this.more) out.push(makeNotice('statement.unexpectedValues', { count: this.more }))
    return out
  }
}

/** The notice for header columns no known layout has, or none. */
export function unknownColumns(names: string[], line: number): StatementNotice[] {
  if (!names.length) return []
  const shown = names.slice(0, 10).join('、') + (names.length > 10 ? '…' : '')
  return [makeNotice('statement.unknownColumns', { line, columns: shown })]
}
