import { AppError } from '../../../shared/errors'
import type { TeamDbProgressEvent, TeamDbTableCopied } from '../../../shared/team-db'
import { TableHash, type Row } from './canonical'
import type { TablePlan } from './plan'
import type { CopySide } from './side'

// A whole database from one end to the other (docs/team-mode.md B8.3): every table in foreign-key
// order, a page at a time, in one transaction on the target; each table's rows counted and hashed on
// both ends before the commit. A target already holding rows is compared, not merged into: the same
// rows are said to be there already, other rows refuse the copy. Either way nothing is half written.
// A page is 2,000 rows, one for a table of bills (plan.ts).

export interface CopyResult {
  /** copied: the target was empty and holds the rows now; equal: it held the same rows already. */
  outcome: 'copied' | 'equal'
  tables: TeamDbTableCopied[]
}

/** How far a copy is, as the window's bar and the command line's lines show it. */
export type CopyProgress = TeamDbProgressEvent

/** Reads a table in key order, a page at a time, hashing it and handing each page on. */
async function eachPage(
  side: CopySide,
  t: TablePlan,
  onPage: (rows: Row[]) => Promise<void>,
): Promise<TableHash> {
  const hash = new TableHash(t)
  const keyAt = t.key.map((k) => t.columns.indexOf(k))
  let after: Row | null = null
  for (;;) {
    const rows = await side.page(t, after, t.pageRows)
    if (rows.length === 0) break
    hash.add(rows)
    await onPage(rows)
    if (rows.length < t.pageRows) break
    const last = rows[rows.length - 1]!
    after = keyAt.map((i) => last[i])
  }
  return hash
}

export async function copyTables(
  plan: TablePlan[],
  source: CopySide,
  target: CopySide,
  progress: (p: CopyProgress) => void = () => {},
): Promise<CopyResult> {
  await source.beginRead()
  try {
    await target.beginWrite()
    try {
      const totals = new Map<string, number>()
      let targetRows = 0
      for (const t of plan) {
        totals.set(t.name, await source.count(t))
        targetRows += await target.count(t)
      }
      const tell = (phase: CopyProgress['phase'], t: TablePlan) => (done: number) =>
        progress({
          phase,
          table: t.name,
          index: plan.indexOf(t),
          tables: plan.length,
          done,
          total: totals.get(t.name)!,
        })
      const results: TeamDbTableCopied[] = []
      if (targetRows > 0) {
        for (const t of plan) {
          const from = await hashed(source, t, tell('compare', t))
          const to = await hashed(target, t, () => {})
          if (from.rows !== to.rows || from.sha256 !== to.sha256)
            throw AppError.say('conflict', 'dbCopy.targetDiffers', {
              target: target.label,
              table: t.name,
              sourceRows: from.rows,
              targetRows: to.rows,
            })
          results.push({ table: t.name, ...from })
        }
        await target.rollback()
        return { outcome: 'equal', tables: results }
      }
      await target.suspendTriggers(plan)
      for (const t of plan) {
        const said = tell('copy', t)
        let done = 0
        const hash = await eachPage(source, t, async (rows) => {
          await target.insert(t, rows)
          said((done += rows.length))
        })
        await target.afterTable(t)
        results.push({ table: t.name, rows: hash.rows, sha256: hash.digest() })
      }
      await target.resumeTriggers()
      for (const [i, t] of plan.entries()) {
        const copied = await hashed(target, t, tell('verify', t))
        const expected = results[i]!
        if (copied.rows !== expected.rows || copied.sha256 !== expected.sha256)
          throw AppError.say('store', 'dbCopy.verifyFailed', {
            target: target.label,
            table: t.name,
            sourceRows: expected.rows,
            targetRows: copied.rows,
          })
      }
      await target.commit()
      return { outcome: 'copied', tables: results }
    } catch (err) {
      await target.rollback()
      throw err
    }
  } finally {
    await source.rollback()
  }
}

async function hashed(
  side: CopySide,
  t: TablePlan,
  said: (done: number) => void,
): Promise<Omit<TeamDbTableCopied, 'table'>> {
  let done = 0
  const hash = await eachPage(side, t, async (rows) => said((done += rows.length)))
  return { rows: hash.rows, sha256: hash.digest() }
}

/**
 * One row into the target on its own, after a copy: the audit row of the copy itself, which the
 * source gained once the copy was done, so that both ends still hold the same rows. All or nothing.
 */
export async function addRow(target: CopySide, t: TablePlan, row: Row): Promise<void> {
  await target.beginWrite()
  try {
    await target.insert(t, [row])
    await target.afterTable(t)
    await target.commit()
  } catch (err) {
    await target.rollback()
    throw err
  }
}
