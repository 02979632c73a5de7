import fs from 'node:fs'
import { statementFolder, storeKept, type StoredFile } from '../../engine/reconcile/fetch'
import { both, type Exec } from '../../store/sql/exec'
import type { StoreCalls } from '../../store/sql/calls'
import {
  forgetBillOn,
  keepBillOn,
  keptBillHashOn,
  keptBillOn,
  MAX_KEPT_BYTES,
  type KeptBill,
} from '../../store/statement-files'
import { updateStatementOn, type StatementPatch, type StatementRow } from '../../store/statements'

// A statement's bill in the books (docs/team-mode.md B8.21): a team database keeps the bytes of each
// run's file beside the statement, so that the desktop that fetched it is not the only one holding
// it. Where a run or 下载原始文件 finds the bill is written once for both stores: this computer's copy,
// where the statement names it, else the bytes the books kept. On the desktop's file the books keep
// none of their own (the file's bills stay in its data folder), save in an archive copied out of a
// team database.

/** What the books are to hold of a run's file: its bytes, those kept already, or none. */
type Keep = KeptBill | 'same' | null

const keepWithOn = both(function* (x: Exec, id: number, keep: Keep, patch: StatementPatch, now: number) {
  if (keep === null) yield* forgetBillOn(x, id)
  else if (keep !== 'same') yield* keepBillOn(x, id, keep, now)
  if (Object.keys(patch).length > 0) yield* updateStatementOn(x, id, patch, now)
})

/**
 * Keeps the run's file in the books with the statement's `patch`, in one transaction, so that a run
 * whose statement names its file has the file's bytes there too. The bytes go only when the books
 * hold others (a second run of the same bill sends nothing); a file gone from this computer (refused
 * as corrupt and removed) or larger than MAX_KEPT_BYTES leaves none kept.
 */
export async function keepBillWith(
  calls: StoreCalls,
  statementId: number,
  file: StoredFile | null,
  patch: StatementPatch,
  now: number,
): Promise<void> {
  let keep: Keep = null
  if (file && file.bytes <= MAX_KEPT_BYTES && fs.existsSync(file.path)) {
    const held = await calls.run(keptBillHashOn, statementId)
    keep =
      held === file.sha256
        ? 'same'
        : { name: file.name, sha256: file.sha256, bytes: await fs.promises.readFile(file.path) }
  }
  await calls.inTransaction(keepWithOn, statementId, keep, patch, now)
}

/** This computer's copy of the statement's file, if it is where the statement names it. */
export function copyHere(st: StatementRow): string | null {
  return st.file_path !== null && fs.existsSync(st.file_path) ? st.file_path : null
}

/** The bytes the books kept of the statement's latest file, if any. */
export async function keptBill(x: Exec, st: StatementRow): Promise<KeptBill | null> {
  return st.file_sha256 ? keptBillOn.async(x, st.id, st.file_sha256) : null
}

/**
 * The statement's file on this computer for a run to read: its own copy, else the bytes the books
 * kept, written into this computer's statement folder (the same bytes, checked by their hash). Null
 * when neither is there: a download is then asked of the gateway again, an upload refused.
 */
export async function billHere(
  x: Exec,
  st: StatementRow,
  statementsDir: string,
  now: number,
): Promise<string | null> {
  const here = copyHere(st)
  if (here) return here
  const kept = await keptBill(x, st)
  if (!kept) return null
  const folder = statementFolder(statementsDir, st.merchant_name ?? String(st.merchant_id), st.bill_date)
  const written = await storeKept(kept.bytes, kept.name, folder, now)
  if (written.sha256 === st.file_sha256) return written.path
  fs.rmSync(written.path, { force: true })
  return null
}
