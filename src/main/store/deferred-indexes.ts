import type { Db } from './db'

// A large first import spent most of its time keeping a dozen secondary indexes up to date row by
// row: each row went down every index's B-tree. Into an empty table the import drops them and builds
// each once at the end, sorting: half the CPU time of a 200,000-row import (measured with --cpu-prof
// and process.cpuUsage; the building is then two fifths of what is left). The
// UNIQUE constraints' own indexes stay: the import finds a repeated number through them, and they
// keep refusing a duplicate. The dropped indexes are listed in `deferred_indexes`, with the process
// that dropped them, in the transaction that drops them (migration 014): a process that dies
// mid-import leaves them to the next connection that opens the database for writing (openStore),
// while an import still running in a live process is left to build its own.
//
// Meanwhile the table is usable: its rows are found by id and by the unique numbers, and a list
// query that wanted a dropped index reads through the rows imported so far instead, until the end.

interface IndexRow {
  name: string
  sql: string
}

/** Whether a process of this machine is alive (one of another user's counts as alive). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The column a partial index is limited to by `WHERE column IS NOT NULL`, if that is its condition. */
const NOT_NULL_ONLY = /\bWHERE\s+"?(\w+)"?\s+IS\s+NOT\s+NULL\s*$/i

/**
 * Drops the secondary indexes of `table` when it holds no row, and lists them to be built again;
 * false (nothing dropped) when it holds rows, or when an earlier deferral is still listed. A partial
 * index of rows where one of `leftNull` is set stays: the writer leaves those columns empty, so the
 * index gets no entry row by row, while building it afterwards would read the whole table.
 */
export function deferIndexesOfEmpty(db: Db, table: 'pay_orders', leftNull: readonly string[] = []): boolean {
  return db
    .transaction(() => {
      if (db.prepare(`SELECT 1 FROM ${table} LIMIT 1`).get() !== undefined) return false
      if (db.prepare('SELECT 1 FROM deferred_indexes LIMIT 1').get() !== undefined) return false
      // Indexes with SQL of their own: a UNIQUE constraint's (sqlite_autoindex_…) has none and stays.
      const indexes = db
        .prepare<[string], IndexRow>(
          "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        )
        .all(table)
      const list = db.prepare(
        'INSERT INTO deferred_indexes (name, table_name, sql, owner_pid) VALUES (?, ?, ?, ?)',
      )
      const kept = (sql: string) => leftNull.includes(NOT_NULL_ONLY.exec(sql)?.[1] ?? '')
      const deferred = indexes.filter((i) => !kept(i.sql))
      for (const i of deferred) {
        list.run(i.name, table, i.sql, process.pid)
        db.exec(`DROP INDEX "${i.name.replace(/"/g, '""')}"`)
      }
      return deferred.length > 0
    })
    .immediate()
}

/**
 * Builds every listed index that is not there and takes it off the list, each in a transaction of its
 * own (a sync waiting to write waits for one index, not all of them): at the end of the import that
 * dropped them (`all`), and when a connection opens for writing (`orphaned`: only when the process
 * that dropped them is gone; one still importing builds them itself when it ends). An index
 * another connection built meanwhile is only taken off the list. Returns how many it built.
 */
export function restoreDeferredIndexes(db: Db, which: 'all' | 'orphaned' = 'all'): number {
  if (which === 'orphaned') {
    const owners = db
      .prepare<[], { pid: number }>('SELECT DISTINCT owner_pid AS pid FROM deferred_indexes')
      .all()
    if (owners.length === 0 || owners.some((o) => alive(o.pid))) return 0
  }
  const next = db.prepare<[], IndexRow>('SELECT name, sql FROM deferred_indexes ORDER BY name LIMIT 1')
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?")
  const unlist = db.prepare('DELETE FROM deferred_indexes WHERE name = ?')
  const one = db.transaction((): boolean | null => {
    const i = next.get()
    if (!i) return null
    const build = exists.get(i.name) === undefined
    if (build) db.exec(i.sql)
    unlist.run(i.name)
    return build
  })
  let built = 0
  for (let b = one.immediate(); b !== null; b = one.immediate()) if (b) built += 1
  return built
}
