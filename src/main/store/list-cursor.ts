import type { Continued } from '../../shared/entity-views'
import { listCursorText, type ListCursor, type ListSort } from '../../shared/filters'
import { all, type Exec, type Q, type QueryHow } from './sql/exec'
import type { Where } from './where'

// A page of a list read after the last row of the page before (a cursor), not after OFFSET rows: an
// offset steps through every row before the page, so reading a million rows a thousand at a time
// stepped through half a billion. From a cursor each page starts with a seek in the list's index.

/** A list's row as its query reads it (`SELECT x.*`): the columns it sorts by, under their names. */
interface SortedRow {
  id: number
  created_at: number
}

/** What a list sorts by besides its time; the id breaks ties in every order. */
export interface SortColumns<R extends SortedRow> {
  /** The list's table, whose columns alone its filter names (readPage's deep pages on PostgreSQL). */
  table: string
  /** The table's alias in the list's query. */
  alias: string
  /** The amount column; lists without an amount order (the audit log) have none, and refuse such a cursor. */
  amount?: keyof R & string
  /** Some rows have no amount: SQLite sorts them first ascending and last descending. */
  amountMayBeNull?: boolean
}

/** The list's query: what it reads, its filter, its ORDER BY. */
export interface PageQuery {
  select: string
  where: Where
  order: string
}

interface Paging {
  sort?: ListSort
  limit: number
  offset: number
  after?: ListCursor
}

/** A condition and its values. */
type Stretch = [sql: string, ...values: unknown[]]

/**
 * The rows after the cursor's, as stretches of the list's order, each one seek in an index: first
 * the rest of the cursor's key (`key = ? AND id < ?`, the index holding the rowid after the key),
 * then the keys beyond it. A row value `(key, id) < (?, ?)` says the same in one condition, but
 * SQLite seeks on the key alone and steps through the ties before reaching the id: a thousand
 * pages of trades imported in one millisecond, or of one amount, would each step through them all.
 * Rows without an amount come last descending and first ascending: a stretch of their own too.
 */
function stretchesAfter<R extends SortedRow>(c: SortColumns<R>, after: ListCursor): Stretch[] {
  const desc = after.sort.startsWith('-')
  const beyond = desc ? '<' : '>'
  const id = `${c.alias}.id`
  const byTime = after.sort.endsWith('time')
  if (!byTime && !c.amount) throw new Error('this list has no amount order')
  const key = byTime ? `${c.alias}.created_at` : `${c.alias}.${c.amount}`
  if (after.key === null)
    return desc
      ? [[`${key} IS NULL AND ${id} < ?`, after.id]]
      : [[`${key} IS NULL AND ${id} > ?`, after.id], [`${key} IS NOT NULL`]]
  const stretches: Stretch[] = [
    [`${key} = ? AND ${id} ${beyond} ?`, after.key, after.id],
    [`${key} ${beyond} ?`, after.key],
  ]
  if (!byTime && desc && c.amountMayBeNull) stretches.push([`${key} IS NULL`])
  return stretches
}

/**
 * PostgreSQL sorts NULL last ascending and first descending, SQLite the other way round. The
 * stretches above and the pages a person already has follow SQLite's order, so a list whose amount
 * may be missing says where its NULLs go.
 */
function nullsAsSqlite<R extends SortedRow>(order: string, c: SortColumns<R>): string {
  if (!c.amount || !c.amountMayBeNull) return order
  const key = `${c.alias}.${c.amount}`
  return order
    .split(',')
    .map((term) => term.trim())
    .map((term) =>
      term === key ? `${key} NULLS FIRST` : term === `${key} DESC` ? `${key} DESC NULLS LAST` : term,
    )
    .join(', ')
}

/**
 * A list's ORDER BY as the dialect needs it to read its rows in the same order on both stores: an
 * export on a team database writes them in the order of the file's (docs/cli.md section 4).
 */
export function listOrder<R extends SortedRow>(
  x: Pick<Exec, 'dialect'>,
  order: string,
  c: SortColumns<R>,
): string {
  return x.dialect === 'pg' ? nullsAsSqlite(order, c) : order
}

/**
 * A page's plan depends on its values: for a common channel a walk down the time index finds the
 * page's rows soonest, for a rare gateway status its own index does, and how deep the page is
 * decides whether the table is read at all. PostgreSQL's one generic plan of a prepared statement,
 * taken after five runs, planned every value as an average one: a page 10,000 rows deep in a rare
 * status walked 400,000 rows of the time index (80 ms at a million records, README "Performance").
 */
const PLAN_EACH: QueryHow = { planEach: true }

/**
 * A page past the first on PostgreSQL: the page's ids first, OFFSET entries into the list's index,
 * then those rows. Read as one query, every row stepped over was fetched from the table and joined
 * to its merchant before being dropped, and for a filter the planner walked the time index, whose
 * order is the table's, dropping the other rows (it costs the filter's own index as reading the
 * table at random): with the generic plans above, 27 to 79 ms 10,000 rows deep at a million records.
 * The ids alone come from the filter's index without the table (an index-only scan: migration 019
 * put the id in the lists' indexes), 1 to 3 ms where the table's pages are marked all-visible
 * (vacuumed: store/copy/pg-side.ts settleCopied); only the page's rows are read. The page's joins
 * are to rows every row has (its merchant, which is never deleted; a refund's pay order), so the ids
 * are the same rows as the joined query's, and the list's totals count the table alone too
 * (docs/team-mode.md B8.6).
 */
function pageByIds<R extends SortedRow>(
  x: Exec,
  q: PageQuery,
  c: SortColumns<R>,
  limit: number,
  offset: number,
) {
  const order = listOrder(x, q.order, c)
  const a = c.alias
  const ids = `SELECT ${a}.id FROM ${c.table} ${a} ${q.where} ORDER BY ${order} LIMIT ? OFFSET ?`
  return all<R>(
    x,
    `${q.select} WHERE ${a}.id = ANY (ARRAY(${ids})) ORDER BY ${order}`,
    [...q.where.params, limit, offset],
    PLAN_EACH,
  )
}

/**
 * A page of a list: OFFSET rows from the top, or from a cursor one query a stretch until the page is
 * full. One row more than the page says whether rows follow; if they do, `next` is the cursor of the
 * page's last row.
 */
export function* readPage<R extends SortedRow>(
  x: Exec,
  q: PageQuery,
  columns: SortColumns<R>,
  p: Paging,
): Q<{ rows: R[]; more: Continued }> {
  const order = listOrder(x, q.order, columns)
  const read = (w: Where, limit: number, offset: number) =>
    all<R>(x, `${q.select} ${w} ORDER BY ${order} LIMIT ? OFFSET ?`, [...w.params, limit, offset], PLAN_EACH)
  let rows: R[] = []
  if (!p.after)
    rows = yield* x.dialect === 'pg' && p.offset > 0
      ? pageByIds(x, q, columns, p.limit + 1, p.offset)
      : read(q.where, p.limit + 1, p.offset)
  else
    for (const [sql, ...values] of stretchesAfter(columns, p.after)) {
      rows.push(...(yield* read(q.where.and(sql, ...values), p.limit + 1 - rows.length, 0)))
      if (rows.length > p.limit) break
    }
  if (rows.length <= p.limit) return { rows, more: {} }
  rows.length = p.limit
  const last = rows[p.limit - 1]!
  const sort = p.sort ?? '-time'
  const key = sort.endsWith('time')
    ? last.created_at
    : columns.amount
      ? (last[columns.amount] as number | null)
      : null
  return { rows, more: { next: listCursorText({ sort, key, id: last.id }) } }
}
