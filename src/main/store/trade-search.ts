import type { TradeType } from '../../shared/domain'
import type { Db } from './connection'
import { stmt } from './connection'
import { all, both, one, type Exec, type Q } from './sql/exec'
import { sqliteExec } from './sql/sqlite-exec'

// Finding trades by a part of any of their numbers (local, business, gateway), in any case: what every
// list's number search and the window's one search box start from. A sync record, repair or anomaly is
// found through its trade.
//
// The numbers are held in a trigram index (FTS5, migration 005), filled in slices behind the writes by
// `indexTradeNumbers` (the app and browser mode run it in the background, services/search-indexer.ts):
// fed by a trigger, FTS5 flushed its index at every statement and an import took three times as long.
// Trades above the index's mark are matched by reading them, so a search is complete at any moment;
// it is fast once the mark has caught up.

/** How many trades a number search follows: more means the number typed is too short to tell them apart. */
export const SEARCH_CAP = 10_000

/** Below this many characters a trigram index has nothing to look up: such a number matches whole only. */
const MIN_PART = 3

export interface TradeMatch {
  /** Newest first. */
  ids: number[]
  /** More trades matched than `cap`: `ids` holds the newest of them. */
  capped: boolean
}

const T = {
  pay: {
    table: 'pay_orders',
    index: 'pay_order_search',
    numbers: ['order_no', 'biz_order_no', 'gateway_trade_no'],
  },
  refund: {
    table: 'refund_orders',
    index: 'refund_order_search',
    numbers: ['refund_no', 'biz_refund_no', 'gateway_refund_no'],
  },
} as const

/** A trade's numbers as the index holds them, one per line so that no match spans two (migration 005). */
const nosOf = (type: TradeType) => {
  const [no, biz, gateway] = T[type].numbers
  return `${no} || char(10) || ${biz} || ifnull(char(10) || ${gateway}, '')`
}

const markOf = (db: Db, type: TradeType) =>
  (
    stmt<[TradeType], { upto: number }>(db, 'SELECT upto FROM trade_search_marks WHERE trade_type = ?').get(
      type,
    ) ?? { upto: 0 }
  ).upto

/** The trades of one type whose numbers equal `term` or, from three characters on, contain it in any case. */
export function* tradeMatch(x: Exec, type: TradeType, term: string, cap = SEARCH_CAP): Q<TradeMatch> {
  const { table, numbers } = T[type]
  const found = new Set<number>()
  let capped = false
  const take = (ids: Array<{ id: number }>, limit: number) => {
    if (ids.length >= limit) capped = true
    for (const r of ids) found.add(r.id)
  }
  take(
    yield* all<{ id: number }>(
      x,
      `SELECT id FROM ${table} WHERE ${numbers.map((n) => `${n} = ?`).join(' OR ')}`,
      [term, term, term],
    ),
    Infinity,
  )
  if ([...term].length >= MIN_PART)
    for (const ids of x.dialect === 'pg'
      ? [yield* pgContaining(x, type, term, cap)]
      : yield* sqliteContaining(x, type, term, cap))
      take(ids, cap)
  const ids = [...found].sort((a, b) => b - a)
  if (ids.length > cap) capped = true
  return { ids: ids.slice(0, cap), capped }
}

/** SQLite: the trigram table up to its mark, and the trades above it read row by row. */
function* sqliteContaining(
  x: Exec,
  type: TradeType,
  term: string,
  cap: number,
): Q<Array<Array<{ id: number }>>> {
  const { table, index, numbers } = T[type]
  const indexed = yield* all<{ id: number }>(
    x,
    `SELECT rowid AS id FROM ${index} WHERE ${index} MATCH ? ORDER BY rowid DESC LIMIT ?`,
    [`"${term.replace(/"/g, '""')}"`, cap],
  )
  const mark = yield* one<{ upto: number }>(x, 'SELECT upto FROM trade_search_marks WHERE trade_type = ?', [
    type,
  ])
  // Not indexed yet: read, newest first.
  const lower = term.toLowerCase()
  const above = yield* all<{ id: number }>(
    x,
    `SELECT id FROM ${table} WHERE id > ? AND (${numbers.map((n) => `instr(lower(${n}), ?) > 0`).join(' OR ')})
     ORDER BY id DESC LIMIT ?`,
    [mark?.upto ?? 0, lower, lower, lower, cap],
  )
  return [indexed, above]
}

/**
 * PostgreSQL: pg_trgm's GIN index over the same numbers, one per line (the PostgreSQL form of migration
 * 012), kept by the database itself, so there is no mark and nothing to read row by row.
 */
function* pgContaining(x: Exec, type: TradeType, term: string, cap: number): Q<Array<{ id: number }>> {
  const { table, numbers } = T[type]
  const [no, biz, gateway] = numbers
  const like = `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
  // The matches are found first and the newest kept after: asked for them newest first, the planner
  // walked the primary key backwards testing each trade, which for a rare number is the whole table.
  return yield* all<{ id: number }>(
    x,
    `WITH found AS MATERIALIZED (
       SELECT id FROM ${table} WHERE (${no} || E'\\n' || ${biz} || coalesce(E'\\n' || ${gateway}, '')) ILIKE ?)
     SELECT id FROM found ORDER BY id DESC LIMIT ?`,
    [like, cap],
  )
}

const tradeMatchBoth = both(tradeMatch)

/** The same, on an SQLite connection, for the callers that read synchronously. */
export const matchTrades = (db: Db, type: TradeType, term: string, cap = SEARCH_CAP): TradeMatch =>
  tradeMatchBoth.sync(sqliteExec(db), type, term, cap)

/**
 * The trades of a match as an SQL condition on `idColumn`, with its one parameter. On PostgreSQL an
 * array: `= ANY` of it is an index condition, where `IN (SELECT …)` became a hashed filter, and the
 * records list's two of them joined by OR read all of a million rows (0.75 s, README "Performance").
 */
export function matchCondition(x: Exec, idColumn: string, m: TradeMatch): [string, string] {
  return x.dialect === 'pg'
    ? [`${idColumn} = ANY (?::bigint[])`, `{${m.ids.join(',')}}`]
    : [`${idColumn} IN (SELECT value FROM json_each(?))`, JSON.stringify(m.ids)]
}

/**
 * Indexes the numbers of up to `limit` trades of each type above the mark, in one transaction each.
 * True while more are left.
 */
export function indexTradeNumbers(db: Db, limit = 2_000): boolean {
  let more = false
  for (const type of ['pay', 'refund'] as const) {
    const { table, index } = T[type]
    more =
      db
        .transaction(() => {
          const upto = markOf(db, type)
          const top = stmt<[number, number], { top: number | null }>(
            db,
            `SELECT max(id) AS top FROM (SELECT id FROM ${table} WHERE id > ? ORDER BY id LIMIT ?)`,
          ).get(upto, limit)?.top
          if (top === null || top === undefined) return false
          stmt(
            db,
            `INSERT INTO ${index} (rowid, nos) SELECT id, ${nosOf(type)} FROM ${table} WHERE id > ? AND id <= ?`,
          ).run(upto, top)
          stmt(db, 'UPDATE trade_search_marks SET upto = ? WHERE trade_type = ?').run(top, type)
          return stmt(db, `SELECT 1 FROM ${table} WHERE id > ? LIMIT 1`).get(top) !== undefined
        })
        .immediate() || more
  }
  return more
}
