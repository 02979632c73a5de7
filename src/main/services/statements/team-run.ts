import path from 'node:path'
import type { z } from 'zod'
import type { Actor } from '../../../shared/domain'
import { AppError } from '../../../shared/errors'
import { hasStatements, type ReconcileRun } from '../../../shared/statements'
import type { rerunSchema } from '../../../shared/statement-inputs'
import { TeamStatementLease, statementKey } from '../../engine/reconcile/lease'
import { classifyRun } from '../../engine/reconcile/run'
import { recordSyncOutcomesOn } from '../../engine/reconcile/close'
import { limitsOf } from './syncs'
import { auditOn } from '../../store/audit'
import { merchantById, merchantNamed, type MerchantRow } from '../../store/merchants'
import { both } from '../../store/sql/exec'
import { ensureStatementOn, statementById, updateStatementOn } from '../../store/statements'
import type { TeamDesk } from '../team-desk'
import { matchScopeOf } from './match-scope'
import { teamStatementBooks, type StatementBooks } from './books'
import { fetchFileOn, type FetchBooks } from './fetch-file'
import { billHere, keepBillWith } from './kept-bill'
import { parseInto } from './parse-into'
import { finishOn } from './run-json'
import { openAnomaliesOnTeam, syncDiffsOnTeam } from './team-act'
import type { RunInBackground } from './team-decisions'

// Reconciling a merchant's day on a team database (docs/team-mode.md B8.12, B8.19): the statement's
// lease on the database's clock; the bill file chosen on this computer, or downloaded from the gateway
// with the team's key, kept in this computer's data folder (services/statements/fetch-file.ts, the
// file's own code) and its bytes in the team database (kept-bill.ts, B8.21); its lines stored and
// classified by the functions the desktop's file runs (written once over Exec), each step one
// PostgreSQL transaction.

const merchantNamedOn = both(merchantNamed)
const statementByIdOn = both(statementById)
const merchantByIdOn = both(merchantById)

export interface TeamDayRequest {
  merchant: string
  date: string
  /** The bill file, a path on this computer; none: the gateway's download, by the team's key. */
  file?: string | null
  dryRun: boolean
  /** The file this desktop kept of the statement's last run (a re-run): read where it is, not stored again. */
  stored?: boolean
  /** Told as the run goes (the command line's progress). */
  progress?: StatementBooks['progress']
  /** Who the run's syncs name, when not the desk's own: the daily run acts by the schedule. */
  actor?: Actor
  /** The syncs run in the host's background, the statement's lease held until they end (the daily run). */
  background?: RunInBackground
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
  // The team key first, when the bill is downloaded or syncs may follow: said before any statement is
  // written, rather than a run left fetching or a batch of syncs each recorded as failed.
  if (!r.file || !r.dryRun) await desk.merchants.secretBox()
  const lease = await TeamStatementLease.take(calls, statementKey(merchant.id, r.date), desk.engine.owner)
  // Another run of this day, on any desktop of the team (docs/reconcile.md A4): named, nothing changed.
  if (!(lease instanceof TeamStatementLease))
    throw AppError.say('busy', 'statement.busy', { merchant: merchant.name, date: r.date, ...lease })
  let handedOn = false
  try {
    const source = r.file && !r.stored ? 'upload' : 'download'
    let st = await calls.run(
      ensureStatementOn,
      { merchantId: merchant.id, channel, billDate: r.date, source },
      books.now(),
    )
    // Syncs of an earlier run that ended after it (cut short, or run on): their outcomes first.
    if (st.sync_batch_id !== null)
      await calls.inTransaction(recordSyncOutcomesOn, st.sync_batch_id, books.now())
    const runNo = st.run_count + 1
    await calls.run(
      updateStatementOn,
      st.id,
      { run_count: runNo, last_run_at: books.now(), status: 'fetching', dry_run: r.dryRun ? 1 : 0 },
      books.now(),
    )
    books.progress(st.id, 'fetch', 0, 1)
    const chosen = r.file
      ? {
          path: r.file,
          name: r.stored ? (st.file_name ?? 'statement') : path.basename(r.file),
          stored: !!r.stored,
        }
      : null
    const fetched = await fetchFileOn(teamFetchBooks(desk, books), merchant, st, r.date, chosen)
    books.progress(st.id, 'fetch', 1, 1)
    const done = (syncErrors = 0) =>
      calls.run(finishOn, merchant, st.id, started, { syncErrors }, books.now())
    if (fetched.kind === 'stop') return await done()

    st = (await statementByIdOn.async(desk.reads.exec, st.id))!
    let linesRun = st.lines_run
    if (fetched.file) {
      const file = fetched.file
      const reuse = st.file_sha256 === file.sha256 && st.lines_run > 0 && st.integrity !== 'mismatch'
      if (!reuse) {
        if (!(await parseInto(books, merchant, channel, st, runNo, file, r.date))) {
          // A bill refused still shows as the person may download it, as on the file (B8.21).
          await keepBillWith(calls, st.id, file, {}, books.now())
          return await done()
        }
        linesRun = runNo
      }
      // The same bytes stored again (a bill downloaded anew by a desktop without the first's copy): the
      // statement names the copy this run kept, which is on this computer; its bytes are kept in the
      // team database with it, for the other desktops (docs/team-mode.md B8.21).
      await keepBillWith(
        calls,
        st.id,
        file,
        { status: 'parsed', lines_run: linesRun, file_path: file.path },
        books.now(),
      )
    } else {
      // No bill for the day: a run of no lines, so lines of an earlier file are not matched again.
      linesRun = runNo
      const none = { lines_run: linesRun, file_sha256: null, file_path: null, file_name: null }
      await keepBillWith(calls, st.id, null, none, books.now())
    }

    const settings = await desk.settings()
    const touched = await classifyRun(
      calls,
      matchScopeOf(merchant, channel, {
        statementId: st.id,
        run: linesRun,
        billDate: r.date,
        now: books.now(),
      }),
      {
        status: fetched.kind === 'empty' ? 'empty' : 'matched',
        toleranceMinutes: settings.crossDayToleranceMinutes,
        carryOverDays: settings.carryOverDays,
        onProgress: (done, total) => books.progress(st.id, 'match', done, total),
      },
    )
    desk.changed()
    if (r.dryRun) return await done()
    const statements = [st.id, ...touched]
    await openAnomaliesOnTeam(desk, books, merchant, statements)
    const background: RunInBackground | undefined =
      r.background &&
      ((batchId, after, progress) =>
        r.background!(batchId, () => after().finally(() => lease.release()), progress))
    const synced = await syncDiffsOnTeam(desk, books, st.id, statements, {
      limits: limitsOf(settings, merchant),
      name: `对账 ${merchant.name} ${r.date}`,
      actor: r.actor,
      recordOn: true,
      background,
    })
    handedOn = synced === 'handedOn'
    desk.changed()
    return await done(handedOn ? 0 : (synced as number))
  } finally {
    if (!handedOn) await lease.release()
  }
}

/**
 * The team's books for a run's file: its bills kept in this computer's data folder (docs/team-mode.md
 * B8.12), a download asked with the merchant's adapter opened by the team key.
 */
function teamFetchBooks(desk: TeamDesk, books: StatementBooks): FetchBooks {
  return {
    calls: books.calls,
    now: books.now,
    statementsDir: path.join(desk.dataDir, 'statements'),
    operator: desk.actor.operator,
    adapterFor: (id) => desk.merchants.adapterFor(id),
  }
}

/**
 * `statements.rerun` on a team database (docs/team-mode.md B8.16, B8.19, B8.21): the day run again
 * from the bill file this desktop kept of it, else from the bytes the team database kept of it (a
 * bill another desktop fetched, an upload included). A bill the database has not (its run was before
 * migration 022, or it was too large): a downloaded bill is downloaded again, as on the file whose
 * bill is gone; a file a person chose is refused as on a file (`statement.noFileToRerun`).
 */
export async function rerunOnTeam(
  desk: TeamDesk,
  r: z.output<typeof rerunSchema>,
  progress?: StatementBooks['progress'],
): Promise<ReconcileRun> {
  const x = desk.reads.exec
  const st = await statementByIdOn.async(x, r.id)
  if (!st) throw AppError.say('not_found', 'statement.notFound', { id: r.id })
  const merchant = (await merchantByIdOn.async(x, st.merchant_id))!
  const detail = { billDate: st.bill_date }
  const entry = { ...desk.actor, action: 'statement_rerun' as const, target: `statement:${st.id}`, detail }
  await auditOn.async(x, entry, Date.now())
  // This desktop's copy, else the bytes the team database kept, written into this desktop's folder.
  const kept = await billHere(x, st, path.join(desk.dataDir, 'statements'), Date.now())
  if (!kept && st.source === 'upload')
    throw AppError.say('conflict', 'statement.noFileToRerun', { id: st.id })
  const day = { merchant: merchant.name, date: st.bill_date, dryRun: r.dryRun, progress }
  return reconcileOnTeam(desk, kept ? { ...day, file: kept, stored: true } : day)
}
