import fs from 'node:fs'
import path from 'node:path'
import type { z } from 'zod'
import { AppError } from '../../../shared/errors'
import { hasStatements, type ReconcileRun } from '../../../shared/statements'
import type { rerunSchema } from '../../../shared/statement-inputs'
import { storeUpload, statementFolder, type StoredFile } from '../../engine/reconcile/fetch'
import { TeamStatementLease, statementKey } from '../../engine/reconcile/lease'
import { classifyRun } from '../../engine/reconcile/run'
import { diffsToSyncOn, markQueuedOn, openDiffAnomaliesOn, tradeOf } from '../../engine/reconcile/act'
import { recordSyncOutcomesOn, summarizeOn } from '../../engine/reconcile/close'
import { createTeamBatch, runTeamBatch } from '../team-batches'
import { limitsOf } from './syncs'
import { auditOn } from '../../store/audit'
import { merchantById, merchantNamed, type MerchantRow } from '../../store/merchants'
import { both } from '../../store/sql/exec'
import {
  ensureStatementOn,
  statementById,
  updateStatementOn,
  type StatementRow,
} from '../../store/statements'
import type { TeamDesk } from '../team-desk'
import { matchScopeOf } from './match-scope'
import { teamStatementBooks, type StatementBooks } from './books'
import { parseInto } from './parse-into'
import { finishOn } from './run-json'

// Reconciling a merchant's day on a team database from a bill file chosen on this computer
// (docs/team-mode.md B8.12): the statement's lease on the database's clock, the file kept in this
// computer's data folder, its lines stored and classified by the functions the desktop's file runs
// (written once over Exec), each step one PostgreSQL transaction.

const merchantNamedOn = both(merchantNamed)
const statementByIdOn = both(statementById)
const merchantByIdOn = both(merchantById)

export interface TeamDayRequest {
  merchant: string
  date: string
  /** The bill file, a path on this computer. */
  file: string
  dryRun: boolean
  /** The file this desktop kept of the statement's last run (a re-run): read where it is, not stored again. */
  stored?: boolean
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
    const file = r.stored ? keptFile(st, r.file) : await storeFile(desk, books, merchant, st.id, r)
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
    const touched = await classifyRun(
      calls,
      matchScopeOf(merchant, channel, {
        statementId: st.id,
        run: linesRun,
        billDate: r.date,
        now: books.now(),
      }),
      {
        status: 'matched',
        toleranceMinutes: settings.crossDayToleranceMinutes,
        carryOverDays: settings.carryOverDays,
        onProgress: (done, total) => books.progress(st.id, 'match', done, total),
      },
    )
    desk.changed()
    if (r.dryRun) return await calls.run(finishOn, merchant, st.id, started, { syncErrors: 0 }, books.now())
    const syncErrors = await actOnTeam(desk, books, merchant, st.id, [st.id, ...touched], {
      limits: limitsOf(settings, merchant),
      name: `对账 ${merchant.name} ${r.date}`,
    })
    return await calls.run(finishOn, merchant, st.id, started, { syncErrors }, books.now())
  } finally {
    await lease.release()
  }
}

/** A re-run reads the bytes it kept, hashed when they came (services/statements/fetch-file.ts). */
function keptFile(st: StatementRow, file: string): StoredFile {
  return {
    path: file,
    name: st.file_name ?? 'statement',
    bytes: st.file_bytes ?? 0,
    sha256: st.file_sha256 ?? '',
    verified: st.verified === 1,
    expectedSha1: st.gateway_hash,
  }
}

/** The file chosen on this computer, kept in its data folder, its upload audited. */
async function storeFile(
  desk: TeamDesk,
  books: StatementBooks,
  merchant: MerchantRow,
  statementId: number,
  r: TeamDayRequest,
): Promise<StoredFile> {
  const folder = statementFolder(path.join(desk.dataDir, 'statements'), merchant.name, r.date)
  const file = await storeUpload(r.file, path.basename(r.file), folder, books.now())
  const detail = {
    merchant: merchant.name,
    billDate: r.date,
    file: file.name,
    sha256: file.sha256,
    bytes: file.bytes,
  }
  const entry = { operator: desk.actor.operator, action: 'statement_uploaded' as const, detail }
  await books.calls.run(auditOn, { ...entry, target: `statement:${statementId}` }, books.now())
  const unverified = { source: 'upload' as const, verified: 0, gateway_hash: null }
  await books.calls.run(updateStatementOn, statementId, unverified, books.now())
  return file
}

/**
 * `statements.rerun` on a team database: the day run again from the bill file this desktop kept of it
 * (docs/team-mode.md B8.16). A file another desktop reconciled is on that desktop: refused as on a file
 * whose bill is gone (`statement.noFileToRerun`), to be given again with `--file` or uploaded.
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
  if (st.file_path === null || !fs.existsSync(st.file_path)) {
    // A downloaded bill would be downloaded again, which is still the file's alone (B8.12).
    if (st.source !== 'upload')
      throw AppError.say('conflict', 'team.notYet', { operation: 'statements.rerun (download)' })
    throw AppError.say('conflict', 'statement.noFileToRerun', { id: st.id })
  }
  const day = { merchant: merchant.name, date: st.bill_date, file: st.file_path, stored: true }
  return reconcileOnTeam(desk, { ...day, dryRun: r.dryRun, progress })
}

/**
 * Act (docs/reconcile.md A4 "act"), as on the file: an anomaly per difference a person decides, then
 * one stored batch of syncs with source `reconcile` at the merchant's limits, run from this desktop
 * with the team's batch runner (B8.10; another desktop may join it with `paysync batch resume`), and
 * what each sync came to written on its difference. Answers the number of sync errors.
 */
async function actOnTeam(
  desk: TeamDesk,
  books: StatementBooks,
  merchant: MerchantRow,
  statementId: number,
  statements: number[],
  o: { limits: ReturnType<typeof limitsOf>; name: string },
): Promise<number> {
  const { calls } = books
  for (const id of statements) {
    const row = (await statementByIdOn.async(desk.reads.exec, id))!
    await calls.inTransaction(
      openDiffAnomaliesOn,
      id,
      { id: merchant.id, channel: merchant.channel },
      row.bill_date,
      books.now(),
    )
  }
  const diffs = await calls.run(diffsToSyncOn, statements, o.limits.retries)
  if (diffs.length === 0) {
    for (const id of statements) await calls.run(summarizeOn, id, books.now())
    return 0
  }
  const refs = new Map<string, { type: 'pay' | 'refund'; id: number }>()
  for (const d of diffs) {
    const t = tradeOf(d)
    refs.set(`${t.type}:${t.id}`, t)
  }
  const batchId = await createTeamBatch(desk, [...refs.values()], {
    name: o.name,
    source: 'reconcile',
    concurrency: o.limits.concurrency,
    qps: o.limits.qps,
  })
  await calls.inTransaction(markQueuedOn, diffs, batchId, books.now())
  await calls.run(updateStatementOn, statementId, { sync_batch_id: batchId }, books.now())
  const last = await runTeamBatch(
    desk,
    batchId,
    (p) => books.progress(statementId, 'sync', p.done, p.total),
    {
      endWhenPaused: true,
    },
  )
  const touched = await calls.inTransaction(recordSyncOutcomesOn, batchId, books.now())
  for (const id of new Set([...statements, ...touched])) await calls.run(summarizeOn, id, books.now())
  desk.changed()
  return last.counts.error
}
