import gensync from 'gensync'

// One query written once, read on either store (docs/team-mode.md B8.6). A store function that must
// also run on PostgreSQL is a gensync generator over an `Exec`: on SQLite it runs synchronously, as
// the engine has always called the store; on PostgreSQL the same generator runs asynchronously, each
// query one round trip. The SQL is written in the part both dialects share (`?` placeholders, which
// the PostgreSQL form numbers), and the few places where they differ ask `dialect`.

export type Dialect = 'sqlite' | 'pg'

/** How PostgreSQL runs a query; SQLite plans each statement for its values anyway. */
export interface QueryHow {
  /**
   * Planned for its values at each call instead of once per connection: for a query whose best plan
   * depends on them, as a list's page does on how common its filter's value is (store/list-cursor.ts).
   */
  planEach?: boolean
}

/** Something that runs a query: SQLite's connection, or a PostgreSQL pool or transaction. */
export interface Exec {
  readonly dialect: Dialect
  /** SQLite answers at once; PostgreSQL has no synchronous form and throws. */
  allSync<R>(sql: string, params: readonly unknown[]): R[]
  all<R>(sql: string, params: readonly unknown[], how?: QueryHow): Promise<R[]>
  /** A statement that returns no rows: how many it changed. */
  runSync(sql: string, params: readonly unknown[]): number
  run(sql: string, params: readonly unknown[]): Promise<number>
  /**
   * A write whose answer nothing waits for. SQLite runs it at once; a PostgreSQL transaction on a
   * pipelined connection (store/pg/transaction.ts) sends it and goes on, and its failure is thrown by
   * the next query or the COMMIT, which the server runs after it; anything else runs it as `run`.
   */
  send(sql: string, params: readonly unknown[]): Promise<void>
}

/** A store function's generator: what `yield*` of a query or of another such function hands back. */
export type Q<R> = gensync.Handler<R>

const allRows = gensync<[x: Exec, sql: string, params: readonly unknown[], how?: QueryHow], unknown[]>({
  sync: (x, sql, params) => x.allSync(sql, params),
  async: (x, sql, params, how) => x.all(sql, params, how),
})

const runStatement = gensync<[x: Exec, sql: string, params: readonly unknown[]], number>({
  sync: (x, sql, params) => x.runSync(sql, params),
  async: (x, sql, params) => x.run(sql, params),
})

/** A write that returns no rows (an insert's id comes back through `RETURNING` and `one`): rows changed. */
export function* run(x: Exec, sql: string, params: readonly unknown[] = []): Q<number> {
  return yield* runStatement(x, sql, params)
}

const sendStatement = gensync<[x: Exec, sql: string, params: readonly unknown[]], void>({
  sync: (x, sql, params) => void x.runSync(sql, params),
  async: (x, sql, params) => x.send(sql, params),
})

/**
 * A write whose row count nobody reads, in a transaction: on a team database it shares a round trip
 * with what follows it (Exec.send). Its effect is there for every later statement of the transaction.
 */
export function* send(x: Exec, sql: string, params: readonly unknown[] = []): Q<void> {
  yield* sendStatement(x, sql, params)
}

/** Every row of a query. */
export function* all<R>(x: Exec, sql: string, params: readonly unknown[] = [], how?: QueryHow): Q<R[]> {
  return (yield* allRows(x, sql, params, how)) as R[]
}

/** The first row of a query, if any. */
export function* one<R>(x: Exec, sql: string, params: readonly unknown[] = []): Q<R | undefined> {
  const rows = yield* all<R>(x, sql, params)
  return rows[0]
}

/** A store function runnable both ways: `.sync(x, ...)` on SQLite, `await .async(x, ...)` anywhere. */
export const both = gensync

/**
 * An inner join in the order written. SQLite's planner takes `CROSS JOIN` as that order (the lists'
 * query plans are pinned on it); PostgreSQL has no `CROSS JOIN … ON` and plans the order itself.
 */
export const joinInOrder = (x: Pick<Exec, 'dialect'>) => (x.dialect === 'pg' ? 'JOIN' : 'CROSS JOIN')

/** The dialect alone, for SQL text built once at load for the SQLite callers. */
export const SQLITE = { dialect: 'sqlite' } as const
