import { parseBeijing } from '../../shared/time'

/** Builds a WHERE clause from optional conditions; every value is a bound parameter. */
export class Where {
  private readonly parts: string[] = []
  readonly params: unknown[] = []

  add(sql: string, ...values: unknown[]): this {
    this.parts.push(sql)
    this.params.push(...values)
    return this
  }

  when(value: unknown, sql: string, ...values: unknown[]): this {
    if (value !== undefined && value !== null && value !== '') this.add(sql, ...values)
    return this
  }

  /** `since` and `until` as Beijing time text, on an epoch-ms column. */
  timeRange(column: string, since?: string, until?: string): this {
    if (since) this.add(`${column} >= ?`, parseBeijing(since))
    if (until) this.add(`${column} <= ?`, parseBeijing(until))
    return this
  }

  toString(): string {
    return this.parts.length ? `WHERE ${this.parts.join(' AND ')}` : ''
  }
}
