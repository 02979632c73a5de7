import { isBlank } from './fields'

// 合计 lines: a shop's export often ends in a line that sums the rows above it. Such a line is
// skipped and told, never refused (docs/cli.md section 3.4).

/** Words a 合计 line puts in one of its cells (the order number cell being empty or one of them). */
const TOTAL_WORDS = new Set([
  '合计',
  '总计',
  '小计',
  '汇总',
  '总额',
  '合计金额',
  'total',
  'totals',
  'sum',
  'grandtotal',
])
/** The first letters of those words: most cells are ruled out by their first character alone. */
const TOTAL_FIRST = new Set(['合', '总', '小', '汇', 't', 'T', 's', 'S', 'g', 'G'])

function totalWord(cell: string | undefined): boolean {
  if (cell === undefined || cell.length > 16) return false
  const s = cell.trim()
  if (s === '' || !TOTAL_FIRST.has(s[0]!)) return false
  return TOTAL_WORDS.has(s.replace(/[:：\s]/g, '').toLowerCase())
}

/** A 合计 line: no order number (or the word itself there), and a total word in one of its cells. */
export function isTotalRow(cells: string[], orderNoColumn: number, width: number): boolean {
  const no = cells[orderNoColumn]
  if (no !== undefined && !isBlank(no) && !totalWord(no)) return false
  const n = Math.min(cells.length, width)
  for (let i = 0; i < n; i++) if (totalWord(cells[i])) return true
  return false
}
