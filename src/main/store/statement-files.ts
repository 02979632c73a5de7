import { both, one, run, send, type Exec, type Q } from './sql/exec'

// A statement's bill kept in the books (migration 022, docs/team-mode.md B8.21): one row per
// statement, the bytes of its latest run's file. Only one bill is ever read at a time, by its
// statement's id: a day's bill may be tens of MB.

/**
 * The largest bill kept in the books. PostgreSQL takes at most 1 GB in one bytea value, and the bill
 * is one Buffer on its way in and out; a larger one stays in the data folder of the desktop that
 * fetched it, as every bill did before (docs/team-mode.md B8.21).
 */
export const MAX_KEPT_BYTES = 256 * 1024 * 1024

export interface KeptBill {
  name: string
  sha256: string
  bytes: Buffer
}

/** The hash of the bill kept for a statement, if any: whether its bytes must be sent again. */
export const keptBillHashOn = both(function* (x: Exec, statementId: number): Q<string | null> {
  const row = yield* one<{ sha256: string }>(x, 'SELECT sha256 FROM statement_files WHERE statement_id = ?', [
    statementId,
  ])
  return row?.sha256 ?? null
})

/** Keeps a statement's bill, in place of another one kept before; the same bytes are left as they are. */
export const keepBillOn = both(function* (
  x: Exec,
  statementId: number,
  bill: KeptBill,
  now: number,
): Q<void> {
  yield* send(
    x,
    `INSERT INTO statement_files (statement_id, name, sha256, size, bytes, created_at)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (statement_id) DO UPDATE SET name = excluded.name, sha256 = excluded.sha256,
       size = excluded.size, bytes = excluded.bytes, created_at = excluded.created_at
     WHERE statement_files.sha256 <> excluded.sha256`,
    [statementId, bill.name, bill.sha256, bill.bytes.length, bill.bytes, now],
  )
})

/** A statement's run has no bill (a day without one, a file refused as corrupt): none is kept. */
export const forgetBillOn = both(function* (x: Exec, statementId: number): Q<number> {
  return yield* run(x, 'DELETE FROM statement_files WHERE statement_id = ?', [statementId])
})

/** The bill kept for a statement, when it is the file of its latest run (`sha256`, the statement's). */
export const keptBillOn = both(function* (x: Exec, statementId: number, sha256: string): Q<KeptBill | null> {
  const row = yield* one<{ name: string; sha256: string; bytes: Buffer | Uint8Array }>(
    x,
    'SELECT name, sha256, bytes FROM statement_files WHERE statement_id = ? AND sha256 = ?',
    [statementId, sha256],
  )
  if (!row) return null
  // Both drivers hand a Buffer over; a plain Uint8Array is wrapped, not copied.
  const b = row.bytes
  const bytes = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength)
  return { name: row.name, sha256: row.sha256, bytes }
})
