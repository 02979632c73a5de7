import type { TradeType } from '../../../shared/domain'
import type { AmountColumn, AmountUnit } from '../../../shared/import-report'
import type { ImportField } from '../../../shared/mapping'
import { unitEvidence } from './fields'
import { amountFields, unitOfHeader, type HeaderMatch } from './headers'
import type { RowSource } from './row-source'

// The unit of each amount column (docs/cli.md section 3.2, issue 14 item 6). A column headed `amount`
// used to be read as fen, so a shop export's 100 (yuan) went in as ¥1.00 without a word. Now the unit
// comes from, in order: the column mapping; the unit the person gave for the whole file
// (`--amount-unit`); the header (分, fen, 元, yuan); the values (a decimal point or a currency sign means
// yuan). A column whose every value is a bare whole number and whose unit nothing states is read as
// yuan in a preview and is a question for the person: an import refuses it until the unit is said.

type Field = AmountColumn['field']

const FEN_OF: Record<Field, Field> = {
  amountFen: 'amountFen',
  amountYuan: 'amountFen',
  refundAmountFen: 'refundAmountFen',
  refundAmountYuan: 'refundAmountFen',
}
const YUAN_OF: Record<Field, Field> = {
  amountFen: 'amountYuan',
  amountYuan: 'amountYuan',
  refundAmountFen: 'refundAmountYuan',
  refundAmountYuan: 'refundAmountYuan',
}

function unitOfField(f: Field): AmountUnit {
  return f === 'amountFen' || f === 'refundAmountFen' ? 'fen' : 'yuan'
}

function fieldIn(f: Field, unit: AmountUnit): Field {
  return unit === 'fen' ? FEN_OF[f] : YUAN_OF[f]
}

/** What the values of one column said: nothing yet, only whole numbers, or yuan. */
export type Evidence = 'none' | 'whole' | 'yuan'

export interface UnitPlan {
  columns: AmountColumn[]
  /** Columns whose unit only their values can tell: evidence is gathered for these. */
  undecided: number[]
}

/** The amount columns of the header and, for each, its unit where something other than its values says it. */
export function planUnits(
  match: HeaderMatch,
  headers: string[],
  type: TradeType,
  unit?: AmountUnit,
): UnitPlan {
  const columns: AmountColumn[] = []
  const undecided: number[] = []
  const amounts = new Set<ImportField>(amountFields(type))
  for (const [index, f] of match.fields) {
    if (!amounts.has(f)) continue
    const field = f as Field
    const header = headers[index] ?? ''
    if (match.mapped.has(index)) {
      columns.push({ index, header, field, unit: unitOfField(field), from: 'mapping', question: false })
      continue
    }
    if (unit) {
      columns.push({ index, header, field: fieldIn(field, unit), unit, from: 'option', question: false })
      continue
    }
    const said = unitOfHeader(header)
    if (said) {
      columns.push({
        index,
        header,
        field: fieldIn(field, said),
        unit: said,
        from: 'header',
        question: false,
      })
      continue
    }
    columns.push({
      index,
      header,
      field: fieldIn(field, 'yuan'),
      unit: 'yuan',
      from: 'assumed',
      question: false,
    })
    undecided.push(index)
  }
  return { columns, undecided }
}

/** Settles the undecided columns by what their values said. */
export function settleUnits(plan: UnitPlan, evidence: Map<number, Evidence>): AmountColumn[] {
  return plan.columns.map((c) => {
    if (!plan.undecided.includes(c.index)) return c
    const e = evidence.get(c.index) ?? 'none'
    if (e === 'yuan') return { ...c, field: fieldIn(c.field, e), unit: e, from: 'values' }
    return { ...c, question: e === 'whole' }
  })
}

/** Gathers what one row's cells say about the undecided columns; true once every one has a unit. */
export function gatherEvidence(
  cells: string[],
  undecided: number[],
  evidence: Map<number, Evidence>,
): boolean {
  let settled = true
  for (const i of undecided) {
    if (evidence.get(i) === 'yuan') continue
    const v = cells[i]
    const e = v === undefined ? null : unitEvidence(v)
    if (e === 'yuan') evidence.set(i, e)
    else {
      if (e === 'whole') evidence.set(i, 'whole')
      settled = false
    }
  }
  return settled
}

/**
 * Reads the rows below the header until every undecided column has a unit, or to the end: a
 * column of yuan says so in its first rows, and only a column of whole numbers is read through.
 */
export async function scanEvidence(
  source: RowSource,
  headerLine: number,
  undecided: number[],
): Promise<Map<number, Evidence>> {
  const evidence = new Map<number, Evidence>()
  try {
    for await (const batch of source.batches) {
      for (const row of batch) {
        if (row.line <= headerLine || row.broken) continue
        if (gatherEvidence(row.cells, undecided, evidence)) return evidence
      }
    }
    return evidence
  } finally {
    source.close()
  }
}

/** The header's field map with each amount column under the field of its unit. */
export function fieldsWithUnits(
  fields: Map<number, ImportField>,
  columns: AmountColumn[],
): Map<number, ImportField> {
  const out = new Map(fields)
  const taken = new Set<ImportField>()
  for (const [i, f] of out) if (!columns.some((c) => c.index === i)) taken.add(f)
  for (const c of columns) {
    // Two columns that end up meaning the same field: the first one is read, as for any duplicate.
    if (taken.has(c.field)) out.delete(c.index)
    else {
      out.set(c.index, c.field)
      taken.add(c.field)
    }
  }
  return out
}
