import { parseBeijing, parseBeijingEnd } from '../../shared/time'

/** Builds a WHERE clause from optional conditions; every value is a bound parameter. */
export class Where {
  private readonly parts: string[] = []
  readonly params: unknown[] = []

  add(sql: string, ...values: unknown[]): this {
    this.parts.push(sql)
    this.params.push(...values)
    return this
  }

  /** A copy with one more condition: the same filter narrowed for one query of several. */
  and(sql: string, ...values: unknown[]): Where {
    const w = new Where()
    w.parts.push(...this.parts)
    w.params.push(...this.params)
    return w.add(sql, ...values)
  }

  when(value: unknown, sql: string, ...values: unknown[]): this {
    if (value !== undefined && value !== null && value !== '') this.add(sql, ...values)
    return this
  }

  /** `since` and `until` as Beijing time text, on an epoch-ms column; `until` includes its whole span. */
  timeRange(column: string, since?: string, until?: string): this {
    return this.msRange(column, since ? parseBeijing(since) : null, until ? parseBeijingEnd(until) : null)
  }

  /** `from` inclusive, `to` exclusive, epoch ms. */
  msRange(column: string, from: number | null, to: number | null): this {
    if (from !== null) this.add(`${column} >= ?`, from)
    if (to !== null) this.add(`${column} < ?`, to)
    return this
  }

  toString(): string {
    return this.parts.length ? `WHERE ${this.parts.join(' AND ')}` : ''
  }
}
