import type { Row } from './canonical'
import type { TablePlan } from './plan'

/** One end of a copy, in either dialect: read in one snapshot, or written in one transaction. */
export interface CopySide {
  /** The file, or the masked address. */
  readonly label: string
  /** A consistent snapshot to read every table from, while others may go on writing. */
  beginRead(): Promise<void>
  /** One transaction for the whole copy: a copy cut short leaves nothing behind. */
  beginWrite(): Promise<void>
  commit(): Promise<void>
  rollback(): Promise<void>
  count(t: TablePlan): Promise<number>
  /** Up to `limit` rows after the key `after` (null: from the first), in key order, columns in plan order. */
  page(t: TablePlan, after: Row | null, limit: number): Promise<Row[]>
  insert(t: TablePlan, rows: Row[]): Promise<void>
  /**
   * Stops the triggers that keep the list totals: the copy brings the kept rows as they are stored,
   * and the triggers would count every copied row a second time.
   */
  suspendTriggers(tables: TablePlan[]): Promise<void>
  resumeTriggers(): Promise<void>
  /** After a table's rows: new rows take ids after the copied ones. */
  afterTable(t: TablePlan): Promise<void>
  close(): Promise<void>
}
