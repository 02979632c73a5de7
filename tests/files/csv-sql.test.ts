import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import {
  anomalyColumns,
  batchItemColumns,
  statementDiffColumns,
  statementLineColumns,
  orderColumns,
  recordColumns,
  refundColumns,
  repairColumns,
} from '../../src/main/files/export/columns'
import { csvLine, totalLine, type CellKind, type Column } from '../../src/main/files/export/csv'
import { csvLineSql, csvTotalSql } from '../../src/main/files/export/csv-sql'
import { rng, type Rng } from '../helpers/prng'

// The export's lines are written by SQLite (csv-sql.ts); csv.ts holds the same rules in JavaScript.
// Random cells of every kind, stored as the store stores them, must come out the same from both.

/** What writeCsv writes for one row, in JavaScript: csvLine, given the values it selects. */
function jsLine(columns: readonly Column[], row: unknown[]): string {
  const by = columns.flatMap((c) =>
    c.namesBy ? [row[columns.findIndex((d) => d.sql === c.namesBy!.sql)]] : [],
  )
  return csvLine(columns, [...row, ...by])
}

const PIECES = [
  '',
  'a',
  '订单',
  ',',
  '"',
  '""',
  '\r',
  '\n',
  '\r\n',
  '\t',
  ' ',
  "'",
  '=',
  '+',
  '-',
  '@',
  '＝',
  '＋',
  '－',
  '＠',
  '0',
  '123',
  '1.5',
  'E+17',
  '｜',
  '😀',
  '\\',
  ';',
]

function text(r: Rng): string {
  if (r.chance(0.15)) return String(r.range(0, 9)).repeat(r.range(1, 30))
  let s = ''
  for (let n = r.range(0, 6); n > 0; n--) s += r.pick(PIECES)
  return s
}

function value(r: Rng, c: Column): unknown {
  if (r.chance(0.1)) return null
  // A code any of the row's names know, so a pay status also lands on refund rows and the reverse.
  const codes = c.namesBy
    ? [...new Set(Object.values(c.namesBy.names).flatMap((names) => Object.keys(names)))]
    : c.names && Object.keys(c.names)
  if (codes) return r.chance(0.8) ? r.pick(codes) : text(r)
  switch (c.kind) {
    case 'int':
      return r.range(-5, 5_000_000_000)
    case 'yuan':
    case 'fee':
      return r.chance(0.2) ? r.range(-100_000, 0) : r.range(0, 100_000_000_000)
    case 'time':
      return r.range(0, 4_102_444_800_000)
    case 'id':
    case 'text':
      return text(r)
  }
}

/** An SQLite column type per kind, with the affinity the store's own columns have. */
const TYPE: Record<CellKind, string> = {
  int: 'INTEGER',
  yuan: 'INTEGER',
  fee: 'INTEGER',
  time: 'INTEGER',
  id: 'TEXT',
  text: 'TEXT',
}

describe('CSV lines written by SQLite', () => {
  const exports = {
    recordColumns,
    orderColumns,
    refundColumns,
    repairColumns,
    anomalyColumns,
    batchItemColumns,
    statementDiffColumns,
    statementLineColumns,
  }
  for (const [name, columns] of Object.entries(exports)) {
    it(`${name}: the same line as the JavaScript rules for random cells of every kind`, () => {
      const db = new Database(':memory:')
      try {
        // Names picked by another value of the row read it from that value's own column.
        const local = columns.map((c, i): Column => {
          if (!c.namesBy) return { ...c, sql: `c${i}` }
          const by = columns.findIndex((d) => d.sql === c.namesBy!.sql)
          expect(by, `${c.header} picks its names by an exported column`).toBeGreaterThanOrEqual(0)
          return { ...c, sql: `c${i}`, namesBy: { ...c.namesBy, sql: `c${by}` } }
        })
        db.exec(`CREATE TABLE t (${local.map((c, i) => `c${i} ${TYPE[c.kind]}`).join(', ')})`)
        const insert = db.prepare(`INSERT INTO t VALUES (${local.map(() => '?').join(', ')})`)
        const r = rng(20261122)
        const rows: unknown[][] = []
        for (let n = 0; n < 3000; n++) {
          const row = local.map((c) => value(r, c))
          insert.run(...row)
          rows.push(row)
        }
        const lines = db
          .prepare(`SELECT ${csvLineSql(local)} FROM t ORDER BY rowid`)
          .pluck()
          .all() as string[]
        // What JavaScript sees is what the store gives back (TEXT affinity turns a number into text).
        const stored = db.prepare('SELECT * FROM t ORDER BY rowid').raw().all() as unknown[][]
        expect(lines).toHaveLength(rows.length)
        for (let i = 0; i < lines.length; i++)
          expect(lines[i], `row ${i}: ${JSON.stringify(stored[i])}`).toBe(jsLine(local, stored[i]!))
        // The 合计 line: the count, and each amount column's sum (an empty cell adds nothing).
        const sums = local.flatMap((c, i) =>
          c.kind === 'yuan' ? [stored.reduce((n, row) => n + (Number(row[i]) || 0), 0)] : [],
        )
        expect(
          db
            .prepare(`SELECT ${csvTotalSql(local)} FROM t`)
            .pluck()
            .get(),
        ).toBe(totalLine(local, stored.length, sums))
      } finally {
        db.close()
      }
    })
  }
})
