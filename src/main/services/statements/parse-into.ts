import fs from 'node:fs'
import { say as sayIn } from '../../../shared/messages'
import { type StoredFile } from '../../engine/reconcile/fetch'
import { readStatement } from '../../files/statement/statement'
import { fileSource } from '../../files/statement/source'
import type { StatementChannel } from '../../files/statement/types'
import { type MerchantRow } from '../../store/merchants'
import { deleteStatementRunOn, insertStatementLinesOn } from '../../store/statement-lines'
import { updateStatementOn, type StatementRow } from '../../store/statements'
import { fileAccountOn } from './bill-accounts'
import type { StatementBooks } from './books'
import { publicSettings } from './common'

// The parse of a run's file into a new run of lines (docs/reconcile.md A5, A10): a file that does not
// prove itself is refused whole and leaves no lines. Written once for the file and a team database
// (docs/team-mode.md B8.12): each batch of lines one transaction of either.

/** Parses the file into a new run of lines; false when it was refused (the statement then `failed`). */
export async function parseInto(
  books: StatementBooks,
  merchant: MerchantRow,
  channel: StatementChannel,
  st: StatementRow,
  run: number,
  file: StoredFile,
  billDate: string,
): Promise<boolean> {
  const { calls } = books
  const reading = readStatement(fileSource(file.path, file.name), {
    channel,
    account: await calls.run(fileAccountOn, channel, merchant, publicSettings(merchant)),
    expectedSha1: file.expectedSha1 ?? undefined,
    settleDate: billDate,
  })
  let done = 0
  for await (const batch of reading) {
    await calls.inTransaction(insertStatementLinesOn, st.id, run, batch)
    done += batch.length
    books.progress(st.id, 'parse', done, 0)
  }
  const r = reading.result
  let refusal = r.refusal ? { code: r.refusal.code, en: r.refusal.en, zh: r.refusal.zh } : null
  if (!refusal && r.billDate && r.billDate !== billDate)
    refusal = {
      code: 'STATEMENT_SUMMARY_MISMATCH',
      en: sayIn('statement.dateMismatch', { found: r.billDate, expected: billDate }, 'en-US'),
      zh: sayIn('statement.dateMismatch', { found: r.billDate, expected: billDate }, 'zh-CN'),
    }
  await calls.run(
    updateStatementOn,
    st.id,
    {
      file_name: file.name,
      file_sha256: file.sha256,
      file_path: file.path,
      file_bytes: file.bytes,
      file_encoding: r.encoding,
      file_format: r.format,
      file_layout: r.layout,
      hash_matched_on: r.hash?.matchedOn ?? null,
      account_no: r.account,
      integrity: r.integrity,
      checks: JSON.stringify(r.checks),
      notices: JSON.stringify(r.notices),
      refusal: r.refusal ? JSON.stringify(r.refusal) : null,
      totals: JSON.stringify(r.totals),
      error_code: refusal?.code ?? null,
      error_msg: refusal?.en ?? null,
      error_zh: refusal?.zh ?? null,
    },
    books.now(),
  )
  if (!refusal) return true
  // A file that does not prove itself is refused whole: its lines are no evidence, nothing is matched (A0.3).
  await calls.run(deleteStatementRunOn, st.id, run)
  if (r.hash && r.hash.matchedOn === null) fs.rmSync(file.path, { force: true })
  await calls.run(
    updateStatementOn,
    st.id,
    { status: 'failed', result: null, summary: null, open_diffs: 0 },
    books.now(),
  )
  return false
}
