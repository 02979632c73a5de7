import type pg from 'pg'
import type { RowQuery } from '../row-reader'
import { numberParams } from '../sql/pg-exec'

// The rows of a long query on PostgreSQL a batch at a time, through a cursor of the server's: the
// client holds one batch, whatever the row count (an export of a team database, docs/cli.md section 4).
//
// `DECLARE … CURSOR` and `FETCH n` rather than the pg-cursor package: the export reads inside its own
// REPEATABLE READ READ ONLY transaction anyway (its lookups and its rows one snapshot), where a
// declared cursor lives without more ado; it is two statements on the client `pg` already gives,
// with the type parsers of store/pg/connect.ts, and no second package to keep in step with pg's.

/** One cursor per transaction at a time: the name only has to be unique within it. */
const NAME = 'paysync_rows'

/**
 * The rows of `q` as arrays of its select list, `size` at a time. `client` must be inside a
 * transaction, which the cursor ends with; leaving the loop early closes it at once.
 */
export async function* fetchRows(
  client: pg.PoolClient,
  q: RowQuery,
  size: number,
): AsyncGenerator<unknown[][], void, undefined> {
  // NO SCROLL: the rows are read once, forward, and the server keeps no way back.
  await client.query({
    text: `DECLARE ${NAME} NO SCROLL CURSOR FOR ${numberParams(q.sql)}`,
    values: q.params,
  })
  let open = true
  try {
    for (;;) {
      const res = await client.query<unknown[]>({
        text: `FETCH FORWARD ${size} FROM ${NAME}`,
        rowMode: 'array',
      })
      if (res.rows.length > 0) yield res.rows
      if (res.rows.length < size) break
    }
    await client.query(`CLOSE ${NAME}`)
    open = false
  } finally {
    // A failed transaction refuses the CLOSE; its rollback ends the cursor with it.
    if (open) await client.query(`CLOSE ${NAME}`).catch(() => {})
  }
}
