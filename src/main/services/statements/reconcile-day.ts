import { AppError } from '../../../shared/errors'
import { hasStatements } from '../../../shared/statements'
import { type ReconcileRun } from '../../../shared/statements'
import { openDiffAnomalies } from '../../engine/reconcile/act'
import { classifyRun } from '../../engine/reconcile/run'
import { recordSyncOutcomes, summarize } from '../../engine/reconcile/close'
import { StatementLease, statementKey } from '../../engine/reconcile/lease'
import { type MerchantRow } from '../../store/merchants'
import { ensureStatement, updateStatement } from '../../store/statements'
import { fileCalls } from '../../store/sql/calls'
import type { ServiceContext } from '../context'
import { statementRow, progress, type DayRequest } from './common'
import { act, merchantLimits, runSyncs } from './syncs'
import { matchScopeOf } from './match-scope'
import { fetchFileOn, fileFetchBooks } from './fetch-file'
import { parseInto } from './parse-into'
import { fileStatementBooks } from './books'
import { finish } from './run-json'

// Statement reconciliation of one merchant's day (docs/reconcile.md A4): the statement lease; the file,
// kept under the data folder; the parse, stored a batch at a time, refused whole when the file does
// not prove itself; matching and classification (engine); the anomalies and one batch of syncs with
// source `reconcile`; and, when the batch ends, what each sync came to, the summary and the result.

/** Reconciles one merchant's day, end to end; answers the run's JSON (A13). */
export async function reconcileDay(
  ctx: ServiceContext,
  merchant: MerchantRow,
  billDate: string,
  request: DayRequest,
): Promise<ReconcileRun> {
  const started = performance.now()
  const channel = merchant.channel
  if (!hasStatements(channel))
    throw AppError.say('config', 'statement.unsupportedChannel', {
      merchant: merchant.name,
      channel: merchant.channel,
    })
  const lease = StatementLease.take(ctx.db, statementKey(merchant.id, billDate), ctx.engine.owner, ctx.now)
  // Another run of this day, in this process or another (docs/reconcile.md A4): named, nothing changed.
  if (!(lease instanceof StatementLease))
    throw AppError.say('busy', 'statement.busy', { merchant: merchant.name, date: billDate, ...lease })
  let handedOn = false
  try {
    const db = ctx.db
    let st = ensureStatement(
      db,
      {
        merchantId: merchant.id,
        channel: merchant.channel,
        billDate,
        source: request.file && !request.file.stored ? 'upload' : 'download',
      },
      ctx.now(),
    )
    // Syncs of an earlier run that ended after it (in the background, or after a crash): their outcomes first.
    if (st.sync_batch_id !== null) recordSyncOutcomes(db, st.sync_batch_id, ctx.now())
    const runNo = st.run_count + 1
    updateStatement(
      db,
      st.id,
      { run_count: runNo, last_run_at: ctx.now(), status: 'fetching', dry_run: request.dryRun ? 1 : 0 },
      ctx.now(),
    )
    progress(ctx, st.id, 'fetch', 0, 1)

    const fetched = await fetchFileOn(fileFetchBooks(ctx), merchant, st, billDate, request.file)
    progress(ctx, st.id, 'fetch', 1, 1)
    if (fetched.kind === 'stop') return finish(ctx, merchant, st.id, started, { syncErrors: 0 })
    const file = fetched.file

    st = statementRow(ctx, st.id)
    let linesRun = st.lines_run
    if (file) {
      const reuse = st.file_sha256 === file.sha256 && st.lines_run > 0 && st.integrity !== 'mismatch'
      if (!reuse) {
        const parsed = await parseInto(fileStatementBooks(ctx), merchant, channel, st, runNo, file, billDate)
        if (!parsed) return finish(ctx, merchant, st.id, started, { syncErrors: 0 })
        linesRun = runNo
      }
      // The same bytes stored again (a bill whose copy was gone, downloaded anew): the copy this run kept.
      updateStatement(db, st.id, { status: 'parsed', lines_run: linesRun, file_path: file.path }, ctx.now())
    } else {
      // No bill for the day: a run of no lines, so lines of an earlier file are not matched again.
      linesRun = runNo
      updateStatement(
        db,
        st.id,
        { lines_run: linesRun, file_sha256: null, file_path: null, file_name: null },
        ctx.now(),
      )
    }

    // Match, classify, the local side and the pool (engine); no gateway is asked here.
    const settings = ctx.settings()
    const touched = await classifyRun(
      fileCalls(db),
      matchScopeOf(merchant, channel, {
        statementId: st.id,
        run: linesRun,
        billDate: billDate,
        now: ctx.now(),
      }),
      {
        status: fetched.kind === 'empty' ? 'empty' : 'matched',
        toleranceMinutes: settings.crossDayToleranceMinutes,
        carryOverDays: settings.carryOverDays,
        onProgress: (done, total) => progress(ctx, st.id, 'match', done, total),
      },
    )
    if (request.dryRun) return finish(ctx, merchant, st.id, started, { syncErrors: 0 })

    // Act: anomalies for what a person decides, one batch of syncs for the rest (A4 "act").
    const statements = [st.id, ...touched]
    for (const id of statements) {
      const row = statementRow(ctx, id)
      openDiffAnomalies(db, id, { id: merchant.id, channel: merchant.channel }, row.bill_date, ctx.now())
    }
    const plan = act(ctx, merchantLimits(ctx, merchant), statements, {
      name: `对账 ${merchant.name} ${billDate}`,
      actor: request.actor,
    })
    if (plan.batchId === null) {
      for (const id of statements) summarize(db, id, ctx.now())
      return finish(ctx, merchant, st.id, started, { syncErrors: 0 })
    }
    updateStatement(db, st.id, { sync_batch_id: plan.batchId }, ctx.now())
    const batchId = plan.batchId
    const closing = runSyncs(ctx, st.id, batchId, statements).finally(() => lease.release())
    handedOn = true
    if (!request.waitForSyncs) {
      closing.catch((err: Error) => console.error(`statement ${st.id}: syncs stopped: ${err.message}`))
      return finish(ctx, merchant, st.id, started, { syncErrors: 0 })
    }
    const syncErrors = await closing
    return finish(ctx, merchant, st.id, started, { syncErrors })
  } finally {
    if (!handedOn) lease.release()
  }
}
