import fs from 'node:fs'
import { say as sayIn } from '../../../shared/messages'
import { type StoredFile } from '../../engine/reconcile/fetch'
import { readStatement } from '../../files/statement/statement'
import { fileSource } from '../../files/statement/source'
import type { StatementChannel } from '../../files/statement/types'
import { type MerchantRow } from '../../store/merchants'
import { deleteStatementRun, insertStatementLines } from '../../store/statement-lines'
import { updateStatement, type StatementRow } from '../../store/statements'
import type { ServiceContext } from '../context'
import { BILL_ACCOUNTS } from './bill-accounts'
import { publicSettings, progress } from './common'

// The parse of a run's file into a new run of lines (docs/reconcile.md A5, A10): a file that does not
// prove itself is refused whole and leaves no lines.

/** Parses the file into a new run of lines; false when it was refused (the statement then `failed`). */
export async function parseInto(
  ctx: ServiceContext,
  merchant: MerchantRow,
  channel: StatementChannel,
  st: StatementRow,
  run: number,
  file: StoredFile,
  billDate: string,
): Promise<boolean> {
  const db = ctx.db
  const reading = readStatement(fileSource(file.path, file.name), {
    channel,
    account: BILL_ACCOUNTS[channel].file(ctx, merchant, publicSettings(merchant)),
    expectedSha1: file.expectedSha1 ?? undefined,
    settleDate: billDate,
  })
  let done = 0
  for await (const batch of reading) {
    insertStatementLines(db, st.id, run, batch)
    done += batch.length
    progress(ctx, st.id, 'parse', done, 0)
  }
  const r = reading.result
  let refusal = r.refusal ? { code: r.refusal.code, en: r.refusal.en, zh: r.refusal.zh } : null
  if (!refusal && r.billDate && r.billDate !== billDate)
    refusal = {
      code: 'STATEMENT_SUMMARY_MISMATCH',
      en: sayIn('statement.dateMismatch', { found: r.billDate, expected: billDate }, 'en-US'),
      zh: sayIn('statement.dateMismatch', { found: r.billDate, expected: billDate }, 'zh-CN'),
    }
  updateStatement(
    db,
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
    ctx.now(),
  )
  if (!refusal) return true
  // A file that does not prove itself is refused whole: its lines are no evidence, nothing is matched (A0.3).
  deleteStatementRun(db, st.id, run)
  if (r.hash && r.hash.matchedOn === null) fs.rmSync(file.path, { force: true })
  updateStatement(db, st.id, { status: 'failed', result: null, summary: null, open_diffs: 0 }, ctx.now())
  return false
}
