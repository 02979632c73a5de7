import { fenToYuan } from '../../../../shared/money'
import { DIFF_KINDS, type ReconcileRun } from '../../../../shared/statements'
import { formatBeijing } from '../../../../shared/time'
import { AppError } from '../../../../shared/errors'
import type { Io } from '../output'
import { EXIT, exitState } from '../runtime'

// A day's reconciliation as the command line runs it, on the file or a team database (docs/cli.md
// section 5): which day and merchants the flags name, each run said as it ends, the exit code the
// worst of them (0 done; 1 could not reconcile; 3 a sync it started ended in sync_error).

export const yuan = (fen: number | null | undefined) =>
  fen === null || fen === undefined ? '' : fenToYuan(fen)
export const e5 = (v: number | null | undefined) =>
  v === null || v === undefined ? '' : (v / 100_000).toFixed(5)

/** Yesterday in Beijing, the day a cron run at 10:30 reconciles (A12). */
function yesterday(now: number): string {
  return formatBeijing(now - 86_400_000).slice(0, 10)
}

function printRun(io: Io, r: ReconcileRun): void {
  const result = r.result ?? r.status
  io.out(
    `${r.merchant} ${r.billDate} (${r.channel}, ${r.source}${r.verified ? ', verified' : ''}): ${result}`,
  )
  if (r.errorCode) io.out(`  ${r.errorCode}: ${r.errorMsg ?? ''}`)
  if (r.file)
    io.out(
      `  file ${r.file.name} sha256 ${r.file.sha256?.slice(0, 16) ?? ''}… integrity ${r.integrity ?? ''}`,
    )
  io.out(
    `  lines ${r.lines.total} (pay ${r.lines.pay}, refund ${r.lines.refund}, revoke ${r.lines.revoke}, other ${r.lines.other}, foreign ${r.lines.foreign}, duplicate ${r.lines.duplicate})`,
  )
  io.out(`  matched ${r.matched}, cross-day ${r.matchedCrossDay}, carried over ${r.carried}`)
  const diffs = DIFF_KINDS.filter((k) => r.diffs[k] > 0).map((k) => `${k} ${r.diffs[k]}`)
  io.out(`  differences: ${diffs.length ? diffs.join(', ') : 'none'}`)
  io.out(
    `  amounts (yuan): bill pay ${yuan(r.amounts.channelPay)} refund ${yuan(r.amounts.channelRefund)}; ` +
      `local pay ${yuan(r.amounts.localPay)} refund ${yuan(r.amounts.localRefund)}; fees ${e5(r.amounts.feeE5)}`,
  )
  if (!r.dryRun)
    io.out(
      `  syncs queued ${r.actions.syncQueued}${r.actions.syncBatchId ? ` (batch ${r.actions.syncBatchId})` : ''}, ` +
        `sync errors ${r.actions.syncErrors}, anomalies opened ${r.actions.anomaliesOpened}`,
    )
  else io.out('  dry run: nothing synced, no anomaly opened')
}

/** The exit code a run asks for: 1 when the day could not be reconciled, 3 when a sync ended in error. */
function exitOf(r: ReconcileRun): number {
  if (r.status === 'failed' || r.status === 'not_ready' || r.status === 'fetching') return EXIT.cannotRun
  return r.actions.syncErrors > 0 ? EXIT.syncErrors : EXIT.ok
}

export interface ReconcileFlags {
  merchant?: string
  date?: string
  file?: string
  yesterday?: boolean
  allMerchants?: boolean
  sync: boolean
}

/** The day the flags name, and whether they name one merchant or all: refused in the flags' terms. */
export function dayOf(o: ReconcileFlags, now: number): string {
  if (o.yesterday && o.date) throw new AppError('invalid_input', '--yesterday and --date: give one of them')
  if (o.allMerchants && !o.yesterday)
    throw new AppError('invalid_input', '--all-merchants goes with --yesterday')
  if (o.allMerchants && (o.merchant || o.file))
    throw new AppError(
      'invalid_input',
      '--all-merchants downloads every bill: leave out --merchant and --file',
    )
  const date = o.yesterday ? yesterday(now) : o.date
  if (!date) throw new AppError('invalid_input', '--date is required (or --yesterday)')
  if (!o.allMerchants && !o.merchant)
    throw new AppError('invalid_input', '--merchant is required (or --all-merchants)')
  return date
}

/**
 * Each merchant's day in turn, said as it ends. With --all-merchants (the cron's run) one merchant's
 * failure does not stop the others: it is said and counted, and the exit code is the worst of them.
 */
export async function reconcileEach(
  io: Io,
  o: ReconcileFlags,
  names: string[],
  runOne: (merchant: string) => Promise<ReconcileRun>,
): Promise<void> {
  if (o.allMerchants && names.length === 0) throw AppError.say('not_found', 'statement.noYesterdayMerchants')
  const runs: ReconcileRun[] = []
  const failures: Array<{ merchant: string; error: string }> = []
  let code: number = EXIT.ok
  for (const merchant of names) {
    try {
      const run = await runOne(merchant)
      runs.push(run)
      code = Math.max(code, exitOf(run))
      if (!io.json) printRun(io, run)
    } catch (err) {
      if (!o.allMerchants) throw err
      const message = err instanceof Error ? err.message : String(err)
      failures.push({ merchant, error: message })
      code = Math.max(code, EXIT.cannotRun)
      io.err(`paysync: ${merchant}: ${message}`)
    }
  }
  if (io.json) io.out(JSON.stringify(o.allMerchants ? { runs, failures } : runs[0]))
  exitState.code = code
}
