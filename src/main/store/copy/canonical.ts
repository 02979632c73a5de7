import { createHash, type Hash } from 'node:crypto'
import type { ColumnKind, TablePlan } from './plan'

// A table's checksum in either dialect: SHA-256 over one canonical line per row, rows in primary-key
// order (byte order for text keys, as SQLite compares them), each value written by its column's kind
// so that what the two drivers hand over (a number, a Buffer) reads the same.

export type Row = unknown[]

function value(v: unknown, kind: ColumnKind): string {
  if (v === null || v === undefined) return '\\N'
  switch (kind) {
    case 'integer':
    case 'real':
      return String(typeof v === 'bigint' ? v : Number(v))
    case 'text':
      return JSON.stringify(String(v))
    case 'blob':
      return Buffer.isBuffer(v) || v instanceof Uint8Array
        ? `x${Buffer.from(v).toString('hex')}`
        : JSON.stringify(v)
  }
}

export class TableHash {
  rows = 0
  private readonly hash: Hash = createHash('sha256')

  constructor(private readonly plan: TablePlan) {}

  add(rows: Row[]): void {
    for (const row of rows) {
      this.hash.update(row.map((v, i) => value(v, this.plan.kinds[i]!)).join('\t'))
      this.hash.update('\n')
    }
    this.rows += rows.length
  }

  digest(): string {
    return this.hash.digest('hex')
  }
}
