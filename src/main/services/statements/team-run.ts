import path from 'node:path'
import { AppError } from '../../../shared/errors'
import { hasStatements, type ReconcileRun } from '../../../shared/statements'
import { scopePrefixes } from '../../engine/reconcile/classify'
import { storeUpload, statementFolder } from '../../engine/reconcile/fetch'
import { feeRateMillionths } from '../../engine/reconcile/fees'
import { TeamStatementLease, statementKey } from '../../engine/reconcile/lease'
import { classifyRun } from '../../engine/reconcile/run'
import { auditOn } from '../../store/audit'
import { merchantNamed, type MerchantRow } from '../../store/merchants'
import { both } from '../../store/sql/exec'
import { ensureStatementOn, statementById, updateStatementOn } from '../../store/statements'
import type { TeamDesk } from '../team-desk'
import { BILL_ACCOUNTS } from './bill-accounts'
import { teamStatementBooks, type StatementBooks } from './books'
import { publicSettings } from './common'
import { parseInto } from './parse-into'
import { finishOn } from './run-json'

// Reconciling a merchant's day on a team database from a bill file chosen on this computer
// (docs/team-mode.md B8.12): the statement's lease on the database's clock, the file kept in this
// computer's data folder, its lines stored and classified by the functions the desktop's file runs
// (written once over Exec), each step one PostgreSQL transaction.

const merchantNamedOn = both(merchantNamed)
const statementByIdOn = both(statementById)

export interface TeamDayRequest {
  merchant: string
  date: string
  /** The bill file, a path on this computer. */
  file: string
  dryRun: boolean
  /** Told as the run goes (the command line's progress). */
  progress?: StatementBooks['progress']
}

export async function reconcileOnTeam(desk: TeamDesk, r: TeamDayRequest): Promise<ReconcileRun> {
  const started = performance.now()
  const books = teamStatementBooks(desk.reads.pool, { progress: r.progress })
  const { calls } = books
  const merchant: MerchantRow | undefined = await merchantNamedOn.async(desk.reads.exec, r.merchant)
  if (!merchant) throw AppError.say('not_found', 'merchant.noName', { name: r.merchant })
  const channel = merchant.channel
  if (!hasStatements(channel))
    throw AppError.say('config', 'statement.unsupportedChannel', { merchant: merchant.name, channel })
  const lease = await TeamStatementLease.take(calls, statementKey(merchant.id, r.date), desk.engine.owner)
  // Another run of this day, on any desktop of the team (docs/reconcile.md A4): named, nothing changed.
  if (!(lease instanceof TeamStatementLease))
    throw AppError.say('busy', 'statement.busy', { merchant: merchant.name, date: r.date, ...lease })
  try {
    let st = await calls.run(
      ensureStatementOn,
      { merchantId: merchant.id, channel, billDate: r.date, source: 'upload' },
      books.now(),
    )
    const runNo = st.run_count + 1
    await calls.run(
      updateStatementOn,
      st.id,
      { run_count: runNo, last_run_at: books.now(), status: 'fetching', dry_run: r.dryRun ? 1 : 0 },
      books.now(),
    )
    books.progress(st.id, 'fetch', 0, 1)
    const folder = statementFolder(path.join(desk.dataDir, 'statements'), merchant.name, r.date)
    const file = await storeUpload(r.file, path.basename(r.file), folder, books.now())
    await calls.run(
      auditOn,
      {
        operator: desk.actor.operator,
        action: 'statement_uploaded',
        target: `statement:${st.id}`,
        detail: {
          merchant: merchant.name,
          billDate: r.date,
          file: file.name,
          sha256: file.sha256,
          bytes: file.bytes,
        },
      },
      books.now(),
    )
    await calls.run(
      updateStatementOn,
      st.id,
      { source: 'upload', verified: 0, gateway_hash: null },
      books.now(),
    )
    books.progress(st.id, 'fetch', 1, 1)

    st = (await statementByIdOn.async(desk.reads.exec, st.id))!
    let linesRun = st.lines_run
    const reuse = st.file_sha256 === file.sha256 && st.lines_run > 0 && st.integrity !== 'mismatch'
    if (!reuse) {
      if (!(await parseInto(books, merchant, channel, st, runNo, file, r.date)))
        return await calls.run(finishOn, merchant, st.id, started, { syncErrors: 0 }, books.now())
      linesRun = runNo
    }
    await calls.run(updateStatementOn, st.id, { status: 'parsed', lines_run: linesRun }, books.now())

    const settings = await desk.settings()
    const s = publicSettings(merchant)
    await classifyRun(
      calls,
      {
        statementId: st.id,
        run: linesRun,
        billDate: r.date,
        merchantId: merchant.id,
        channel,
        prefixes: scopePrefixes(s.statementScope),
        subMerchant: BILL_ACCOUNTS[channel].subMerchant(merchant, s),
        account: BILL_ACCOUNTS[channel].line(s),
        toleranceFen: Number(s.amountToleranceFen ?? 0) || 0,
        feeRateMillionths: feeRateMillionths(s.feeRate),
        window: { start: 0, end: 0 },
        now: books.now(),
      },
      {
        status: 'matched',
        toleranceMinutes: settings.crossDayToleranceMinutes,
        carryOverDays: settings.carryOverDays,
        onProgress: (done, total) => books.progress(st.id, 'match', done, total),
      },
    )
    desk.changed()
    return await calls.run(finishOn, merchant, st.id, started, { syncErrors: 0 }, books.now())
  } finally {
    await lease.release()
  }
}
