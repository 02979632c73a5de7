import fs from 'node:fs'
import nodePath from 'node:path'
import type { z } from 'zod'
import type { Channel, Page } from '../../shared/domain'
import { AppError } from '../../shared/errors'
import { say as sayIn } from '../../shared/messages'
import {
  DIFF_KINDS,
  type CalendarDay,
  type CarryOverView,
  type DiffActionResult,
  type DiffKind,
  type ReconcileRun,
  type StatementCalendar,
  type StatementDetail,
  type StatementDiffView,
  type StatementLineView,
  type StatementPhase,
  type StatementSummary,
  type StatementView,
  type dismissDiffsSchema,
  type reconcileSchema,
  type rerunSchema,
  type resyncDiffsSchema,
  type statementCalendarSchema,
  type statementDiffsSchema,
  type statementLinesSchema,
  type StatementListRequest,
} from '../../shared/statements'
import { diffsToSync, markQueued, openDiffAnomalies, tradeOf } from '../engine/reconcile/act'
import { classifyRun } from '../engine/reconcile/run'
import { recordSyncOutcomes, summarize } from '../engine/reconcile/close'
import {
  download,
  downloaderOf,
  statementFolder,
  storeUpload,
  type StoredFile,
} from '../engine/reconcile/fetch'
import { StatementLease, statementKey } from '../engine/reconcile/lease'
import { scopePrefixes } from '../engine/reconcile/classify'
import { feeRateMillionths } from '../engine/reconcile/fees'
import { readStatement } from '../files/statement/statement'
import { fileSource } from '../files/statement/source'
import type { StatementChannel } from '../files/statement/types'
import { audit } from '../store/audit'
import { carryOverOf, carryOverView } from '../store/carry-over'
import { findMerchantByName, getMerchant, listMerchants, type MerchantRow } from '../store/merchants'
import {
  dismissDiff,
  getStatementDiff,
  listStatementDiffs,
  statementDiffView,
  type StatementDiffRow,
} from '../store/statement-diffs'
import {
  deleteStatementRun,
  insertStatementLines,
  listStatementLines,
  statementLineView,
} from '../store/statement-lines'
import {
  ensureStatement,
  getStatement,
  listStatements,
  statementsOfDays,
  statementView,
  updateStatement,
  type StatementRow,
} from '../store/statements'
import { stmt, type Db } from '../store/connection'
import type { ServiceContext } from './context'
import { createBatchOf, runBatch } from './sync'

// Statement reconciliation, the operations (docs/reconcile.md A4, A13): reconcile a merchant's day from
// a download or a file the person chose, run it again, and the lists and decisions on what it found.
// The steps: the statement lease; the file, kept under the data folder; the parse, stored a batch at
// a time, refused whole when the file does not prove itself; matching and classification (engine);
// the anomalies and one batch of syncs with source `reconcile`; and, when the batch ends, what each
// sync came to, the summary and the result.

const STATEMENT_CHANNELS: ReadonlySet<Channel> = new Set(['alipay', 'wechat', 'unionpay'])

function merchantByName(ctx: ServiceContext, name: string): MerchantRow {
  const m = findMerchantByName(ctx.db, name)
  if (!m) throw AppError.say('not_found', 'merchant.noName', { name })
  return m
}

function statementRow(ctx: ServiceContext, id: number): StatementRow {
  const row = getStatement(ctx.db, id)
  if (!row) throw AppError.say('not_found', 'statement.notFound', { id })
  return row
}

function publicSettings(m: MerchantRow): Record<string, string> {
  return JSON.parse(m.settings) as Record<string, string>
}

function progress(
  ctx: ServiceContext,
  statementId: number,
  phase: StatementPhase,
  done: number,
  total: number,
) {
  ctx.emit('statement.progress', { statementId, phase, done, total })
}

export interface DayRequest {
  /** A file to read instead of the download: a path main holds (a handle resolved, a re-run's stored file). */
  file?: { path: string; name: string; stored: boolean } | null
  dryRun: boolean
  waitForSyncs: boolean
  rerun?: boolean
}

/** Reconciles one merchant's day, end to end; answers the run's JSON (A13). */
export async function reconcileDay(
  ctx: ServiceContext,
  merchant: MerchantRow,
  billDate: string,
  request: DayRequest,
): Promise<ReconcileRun> {
  const started = performance.now()
  if (!STATEMENT_CHANNELS.has(merchant.channel))
    throw AppError.say('config', 'statement.unsupportedChannel', {
      merchant: merchant.name,
      channel: merchant.channel,
    })
  const lease = StatementLease.take(ctx.db, statementKey(merchant.id, billDate), ctx.engine.owner, ctx.now)
  if (!lease) throw AppError.say('busy', 'statement.busy', { merchant: merchant.name, date: billDate })
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

    const fetched = await fetchFile(ctx, merchant, st, billDate, request)
    progress(ctx, st.id, 'fetch', 1, 1)
    if (fetched.kind === 'stop') return finish(ctx, merchant, st.id, started, { syncErrors: 0 })
    const file = fetched.file

    st = statementRow(ctx, st.id)
    let linesRun = st.lines_run
    if (file) {
      const reuse = st.file_sha256 === file.sha256 && st.lines_run > 0 && st.integrity !== 'mismatch'
      if (!reuse) {
        const parsed = await parseInto(ctx, merchant, st, runNo, file, billDate)
        if (!parsed) return finish(ctx, merchant, st.id, started, { syncErrors: 0 })
        linesRun = runNo
      }
      updateStatement(db, st.id, { status: 'parsed', lines_run: linesRun }, ctx.now())
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
    const s = publicSettings(merchant)
    const touched = classifyRun(
      db,
      {
        statementId: st.id,
        run: linesRun,
        billDate,
        merchantId: merchant.id,
        channel: merchant.channel,
        prefixes: scopePrefixes(s.statementScope),
        subMerchant:
          merchant.channel === 'wechat' && merchant.mode === 'partner' ? (s.subMchid ?? null) : null,
        account: merchant.channel === 'unionpay' ? (s.merId ?? null) : null,
        toleranceFen: Number(s.amountToleranceFen ?? 0) || 0,
        feeRateMillionths: feeRateMillionths(s.feeRate),
        window: { start: 0, end: 0 },
        now: ctx.now(),
      },
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
    const plan = act(ctx, merchantLimits(ctx, merchant), statements, `对账 ${merchant.name} ${billDate}`)
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

interface ReconcileMerchant {
  id: number
  concurrency: number
  qps: number
  retries: number
}

/**
 * The syncs the differences want, as one batch with source `reconcile` at the merchant's limits
 * (resumable, pausable like any batch): the open differences of these statements that need one, or
 * the differences named. Nothing runs yet.
 */
function act(
  ctx: ServiceContext,
  m: ReconcileMerchant,
  statementIds: number[],
  name: string,
  named?: StatementDiffRow[],
): { batchId: number | null; queued: number } {
  const diffs = named ?? diffsToSync(ctx.db, statementIds, m.retries)
  if (diffs.length === 0) return { batchId: null, queued: 0 }
  const refs = new Map<string, { type: 'pay' | 'refund'; id: number }>()
  for (const d of diffs) {
    const t = tradeOf(d)
    refs.set(`${t.type}:${t.id}`, t)
  }
  const batchId = createBatchOf(ctx, [...refs.values()], {
    name,
    source: 'reconcile',
    concurrency: m.concurrency,
    qps: m.qps,
  })
  markQueued(ctx.db, diffs, batchId, ctx.now())
  return { batchId, queued: refs.size }
}

/** The merchant's limits for its batch: its profile's QPS, else the defaults of Settings. */
function merchantLimits(ctx: ServiceContext, merchant: MerchantRow): ReconcileMerchant {
  const settings = ctx.settings()
  const qps = Number(publicSettings(merchant).qps)
  return {
    id: merchant.id,
    concurrency: settings.defaultConcurrency,
    qps: Number.isFinite(qps) && qps > 0 ? Math.min(qps, settings.defaultQps) : settings.defaultQps,
    retries: settings.reconcileSyncRetries,
  }
}

/** Runs the batch here, then writes what each sync came to; answers the number of sync errors. */
async function runSyncs(
  ctx: ServiceContext,
  statementId: number,
  batchId: number,
  statements: number[],
): Promise<number> {
  const last = await runBatch(ctx, batchId, (p) => progress(ctx, statementId, 'sync', p.done, p.total))
  const touched = recordSyncOutcomes(ctx.db, batchId, ctx.now())
  for (const id of new Set([...statements, ...touched])) summarize(ctx.db, id, ctx.now())
  return last.counts.error
}

type Fetched = { kind: 'file'; file: StoredFile } | { kind: 'empty'; file: null } | { kind: 'stop' }

async function fetchFile(
  ctx: ServiceContext,
  merchant: MerchantRow,
  st: StatementRow,
  billDate: string,
  request: DayRequest,
): Promise<Fetched> {
  const folder = statementFolder(ctx.filesDir('statements'), merchant.name, billDate)
  if (request.file) {
    if (request.file.stored) {
      // A re-run reads the bytes it kept; they were hashed when they came.
      return {
        kind: 'file',
        file: {
          path: request.file.path,
          name: request.file.name,
          bytes: st.file_bytes ?? 0,
          sha256: st.file_sha256 ?? '',
          verified: st.verified === 1,
          expectedSha1: st.gateway_hash,
        },
      }
    }
    const file = await storeUpload(request.file.path, request.file.name, folder, ctx.now())
    audit(ctx.db, {
      operator: ctx.operator,
      action: 'statement_uploaded',
      target: `statement:${st.id}`,
      detail: { merchant: merchant.name, billDate, file: file.name, sha256: file.sha256, bytes: file.bytes },
    })
    updateStatement(ctx.db, st.id, { source: 'upload', verified: 0, gateway_hash: null }, ctx.now())
    return { kind: 'file', file }
  }
  const adapter = await ctx.adapterFor(merchant.id)
  const downloader = downloaderOf(adapter)
  if (!downloader) throw AppError.say('config', 'statement.noDownload', { merchant: merchant.name })
  const { file, answer } = await download(downloader, billDate, folder, ctx.now())
  if (answer.status === 'ok') {
    updateStatement(
      ctx.db,
      st.id,
      { source: 'download', verified: file!.verified ? 1 : 0, gateway_hash: file!.expectedSha1 },
      ctx.now(),
    )
    return { kind: 'file', file: file! }
  }
  const id =
    answer.status === 'not_ready'
      ? 'statement.notReady'
      : answer.status === 'empty'
        ? 'statement.noBill'
        : 'statement.downloadFailed'
  const detail = `${answer.code} ${answer.msg}`.trim()
  updateStatement(
    ctx.db,
    st.id,
    {
      source: 'download',
      status: answer.status,
      ...(answer.status === 'empty' ? {} : { result: null, summary: null, open_diffs: 0 }),
      error_code:
        answer.status === 'not_ready'
          ? 'STATEMENT_NOT_READY'
          : answer.status === 'empty'
            ? 'STATEMENT_EMPTY'
            : 'STATEMENT_DOWNLOAD_FAILED',
      error_msg: AppError.say('config', id, { date: billDate, detail }).message,
      error_zh: sayZh(id, { date: billDate, detail }),
    },
    ctx.now(),
  )
  // An empty day still reconciles our side: every local success of the day is then local_only (A17.7).
  return answer.status === 'empty' ? { kind: 'empty', file: null } : { kind: 'stop' }
}

function sayZh(id: Parameters<typeof AppError.say>[1], params: Record<string, string | number>): string {
  return sayIn(id, params, 'zh-CN')
}

/** Parses the file into a new run of lines; false when it was refused (the statement then `failed`). */
async function parseInto(
  ctx: ServiceContext,
  merchant: MerchantRow,
  st: StatementRow,
  run: number,
  file: StoredFile,
  billDate: string,
): Promise<boolean> {
  const db = ctx.db
  const s = publicSettings(merchant)
  const account =
    merchant.channel === 'wechat'
      ? s.mchid
      : merchant.channel === 'unionpay'
        ? s.merId
        : knownAlipayAccount(ctx, merchant.id)
  const reading = readStatement(fileSource(file.path, file.name), {
    channel: merchant.channel as StatementChannel,
    account,
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

/** The Alipay PID this merchant's earlier bills named: a file of another account is refused (A10). */
function knownAlipayAccount(ctx: ServiceContext, merchantId: number): string | undefined {
  const row = stmt<[number], { account_no: string }>(
    ctx.db,
    `SELECT account_no FROM statements WHERE merchant_id = ? AND account_no IS NOT NULL AND status IN ('matched', 'empty')
     ORDER BY bill_date DESC LIMIT 1`,
  ).get(merchantId)
  return row?.account_no
}

function finish(
  ctx: ServiceContext,
  merchant: MerchantRow,
  statementId: number,
  started: number,
  actions: { syncErrors: number },
): ReconcileRun {
  const durationMs = Math.round(performance.now() - started)
  updateStatement(ctx.db, statementId, { duration_ms: durationMs }, ctx.now())
  return runJson(ctx.db, statementRow(ctx, statementId), merchant, actions, durationMs)
}

const NO_DIFFS = Object.fromEntries(DIFF_KINDS.map((k) => [k, 0])) as Record<DiffKind, number>

function runJson(
  db: Db,
  st: StatementRow,
  merchant: MerchantRow,
  actions: { syncErrors: number },
  durationMs: number,
): ReconcileRun {
  const summary: StatementSummary | null = st.summary ? (JSON.parse(st.summary) as StatementSummary) : null
  const counted = stmt<[number], { synced: number; anomalies: number }>(
    db,
    `SELECT count(sync_batch_id) AS synced, count(anomaly_id) AS anomalies FROM statement_diffs WHERE statement_id = ?`,
  ).get(st.id)!
  return {
    statementId: st.id,
    merchant: merchant.name,
    channel: merchant.channel,
    billDate: st.bill_date,
    source: st.source,
    verified: st.verified === 1,
    status: st.status,
    result: st.result,
    file: st.file_name ? { name: st.file_name, sha256: st.file_sha256, encoding: st.file_encoding } : null,
    integrity: st.integrity,
    lines: summary?.lines ?? { total: 0, pay: 0, refund: 0, revoke: 0, other: 0, foreign: 0, duplicate: 0 },
    matched: summary?.matched ?? 0,
    matchedCrossDay: summary?.matchedCrossDay ?? 0,
    carried: summary?.carried ?? 0,
    diffs: summary?.diffs ?? { ...NO_DIFFS },
    // What the statement's differences led to, counted from the differences themselves: a re-run
    // with the same file says the same (A17 test 23), though it queues and opens nothing new.
    actions: {
      syncQueued: counted.synced,
      anomaliesOpened: counted.anomalies,
      syncBatchId: st.sync_batch_id,
      syncErrors: actions.syncErrors,
    },
    amounts: {
      channelPay: summary?.channel.payAmount ?? 0,
      channelRefund: summary?.channel.refundAmount ?? 0,
      localPay: summary?.local.payAmount ?? 0,
      localRefund: summary?.local.refundAmount ?? 0,
      feeE5: summary?.channel.feeE5 ?? 0,
      net: summary?.channel.netE5 ?? null,
    },
    errorCode: st.error_code,
    errorMsg: st.error_msg,
    dryRun: st.dry_run === 1,
    durationMs,
  }
}

// ---- the operations ----

export async function reconcileOperation(
  ctx: ServiceContext,
  r: z.output<typeof reconcileSchema>,
): Promise<ReconcileRun> {
  const merchant = merchantByName(ctx, r.merchant)
  let file: DayRequest['file'] = null
  if (r.file) {
    const path = await ctx.handles.readable(r.file)
    file = { path, name: nodePath.basename(path), stored: false }
  }
  try {
    return await reconcileDay(ctx, merchant, r.date, { file, dryRun: r.dryRun, waitForSyncs: r.waitForSyncs })
  } finally {
    // The file is kept under the statement's folder now; the upload itself is no longer needed.
    if (r.file) ctx.handles.release(r.file)
  }
}

export async function rerunStatement(
  ctx: ServiceContext,
  r: z.output<typeof rerunSchema>,
): Promise<ReconcileRun> {
  const st = statementRow(ctx, r.id)
  const merchant = getMerchant(ctx.db, st.merchant_id)!
  audit(ctx.db, {
    operator: ctx.operator,
    action: 'statement_rerun',
    target: `statement:${st.id}`,
    detail: { billDate: st.bill_date },
  })
  const kept = st.file_path !== null && fs.existsSync(st.file_path)
  if (!kept && st.source === 'upload')
    throw AppError.say('conflict', 'statement.noFileToRerun', { id: st.id })
  const file = kept ? { path: st.file_path!, name: st.file_name ?? 'statement', stored: true } : null
  return reconcileDay(ctx, merchant, st.bill_date, {
    file,
    dryRun: r.dryRun,
    waitForSyncs: r.waitForSyncs,
    rerun: true,
  })
}

/** The merchants a scheduled run reconciles: enabled, with a channel that has bills. */
export function reconcilableMerchants(ctx: ServiceContext): MerchantRow[] {
  return listMerchants(ctx.db).filter(
    (m) => m.enabled === 1 && m.removed_at === null && STATEMENT_CHANNELS.has(m.channel),
  )
}

export function listStatementViews(ctx: ServiceContext, f: StatementListRequest): Page<StatementView> {
  const { total, rows } = listStatements(ctx.db, f)
  return { total, items: rows.map(statementView) }
}

export function statementDetail(ctx: ServiceContext, id: number): StatementDetail {
  const st = statementRow(ctx, id)
  const pool = carryOverOf(ctx.db, id)
  return {
    statement: statementView(st),
    file: {
      name: st.file_name,
      sha256: st.file_sha256,
      bytes: st.file_bytes,
      encoding: st.file_encoding,
      format: st.file_format,
      layout: st.file_layout,
      account: st.account_no,
      verified: st.verified === 1,
      gatewayHash: st.gateway_hash,
      hashMatchedOn: st.hash_matched_on,
    },
    checks: JSON.parse(st.checks) as StatementDetail['checks'],
    notices: (JSON.parse(st.notices) as Array<{ messageId: string; zh: string; en: string }>).map((n) => ({
      messageId: n.messageId,
      zh: n.zh,
      en: n.en,
    })),
    carryOver: { from: pool.from.map(carryOverView), into: pool.into.map(carryOverView) },
  }
}

export function statementLines(
  ctx: ServiceContext,
  r: z.output<typeof statementLinesSchema>,
): Page<StatementLineView> {
  const st = statementRow(ctx, r.id)
  const { total, rows } = listStatementLines(ctx.db, st.id, st.lines_run, r)
  return { total, items: rows.map(statementLineView) }
}

export function statementDiffs(
  ctx: ServiceContext,
  r: z.output<typeof statementDiffsSchema>,
): Page<StatementDiffView> {
  const st = statementRow(ctx, r.id)
  const { total, rows } = listStatementDiffs(ctx.db, st.id, r)
  return { total, items: rows.map(statementDiffView) }
}

export function statementCarryOver(
  ctx: ServiceContext,
  id: number,
): { from: CarryOverView[]; into: CarryOverView[] } {
  return statementDetail(ctx, id).carryOver
}

export function statementCalendar(
  ctx: ServiceContext,
  r: z.output<typeof statementCalendarSchema>,
): StatementCalendar {
  const merchant = merchantByName(ctx, r.merchant)
  const first = `${r.month}-01`
  const days = new Date(Date.UTC(Number(r.month.slice(0, 4)), Number(r.month.slice(5, 7)), 0)).getUTCDate()
  const last = `${r.month}-${String(days).padStart(2, '0')}`
  const byDate = new Map(statementsOfDays(ctx.db, merchant.id, first, last).map((s) => [s.bill_date, s]))
  const out: CalendarDay[] = []
  for (let d = 1; d <= days; d++) {
    const date = `${r.month}-${String(d).padStart(2, '0')}`
    const s = byDate.get(date)
    out.push({
      date,
      state: !s
        ? 'not_reconciled'
        : s.result
          ? s.result
          : s.status === 'not_ready' || s.status === 'failed' || s.status === 'empty'
            ? s.status
            : 'not_reconciled',
      statementId: s?.id ?? null,
      openDiffs: s?.open_diffs ?? 0,
    })
  }
  return { merchant: merchant.name, month: r.month, days: out }
}

export function dismissDiffs(ctx: ServiceContext, r: z.output<typeof dismissDiffsSchema>): DiffActionResult {
  const touched = new Set<number>()
  let changed = 0
  ctx.db
    .transaction(() => {
      for (const id of r.ids) {
        const d = getStatementDiff(ctx.db, id)
        if (!d) throw AppError.say('not_found', 'statement.diffNotFound', { id })
        if (d.status !== 'open')
          throw AppError.say('conflict', 'statement.diffClosed', { id, status: d.status })
        if (dismissDiff(ctx.db, id, r.remark, ctx.operator, ctx.now())) changed += 1
        touched.add(d.statement_id)
        audit(ctx.db, {
          operator: ctx.operator,
          action: 'statement_diff_dismissed',
          target: `statement_diff:${id}`,
          detail: {
            statementId: d.statement_id,
            kind: d.kind,
            orderNo: d.order_no,
            refundNo: d.refund_no,
            remark: r.remark,
          },
        })
      }
    })
    .immediate()
  for (const id of touched) summarize(ctx.db, id, ctx.now())
  return { changed, items: r.ids.map((id) => statementDiffView(getStatementDiff(ctx.db, id)!)) }
}

export async function resyncDiffs(
  ctx: ServiceContext,
  r: z.output<typeof resyncDiffsSchema>,
): Promise<DiffActionResult> {
  const rows = r.ids.map((id) => {
    const d = getStatementDiff(ctx.db, id)
    if (!d) throw AppError.say('not_found', 'statement.diffNotFound', { id })
    return d
  })
  const withTrade = rows.filter(
    (d) => d.status === 'open' && (d.pay_order_id !== null || d.refund_id !== null),
  )
  if (withTrade.length === 0) throw AppError.say('invalid_input', 'statement.nothingToSync')
  const merchant = getMerchant(ctx.db, withTrade[0]!.merchant_id)!
  const plan = act(ctx, merchantLimits(ctx, merchant), [], `对账重新同步 ${merchant.name}`, withTrade)
  const statements = [...new Set(withTrade.map((d) => d.statement_id))]
  if (plan.batchId !== null) {
    const batchId = plan.batchId
    runSyncs(ctx, statements[0]!, batchId, statements).catch((err: Error) =>
      console.error(`statement differences: syncs stopped: ${err.message}`),
    )
  }
  return {
    changed: plan.queued,
    items: r.ids.map((id) => statementDiffView(getStatementDiff(ctx.db, id)!)),
    syncBatchId: plan.batchId,
  }
}
