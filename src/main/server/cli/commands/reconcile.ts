import path from 'node:path'
import type { Command } from 'commander'
import { DIFF_KINDS, STATEMENT_CHANNELS, type DiffActionResult } from '../../../../shared/statements'
import { call, callRead, check, numberOption, type Flags } from '../flags'
import { dismissDiffsSchema, reconcileSchema } from '../../../../shared/statement-inputs'
import { table, type Io } from '../output'
import { teamAddressOf, withContext, withReads, withTeamDesk } from '../runtime'
import { dayOf, e5, reconcileEach, yuan, type ReconcileFlags } from './reconcile-days'

// Statement reconciliation on the command line (docs/cli.md section 5, docs/reconcile.md A13):
// `reconcile` for one day or yesterday's of every merchant (cron), `statements` the list, `statement`
// its details and a person's dismissal. Every command is one call of the contract. Exit 0 done; 1 could
// not reconcile (a refused or missing bill); 3 some sync it started ended in sync_error.

const RECONCILE_FLAGS: Flags = {
  merchant: '--merchant',
  date: '--date',
  file: '--file',
}

const time = (iso: string | null) => (iso ? iso.slice(0, 19).replace('T', ' ') : '')

/**
 * `reconcile --db postgres://…` (docs/team-mode.md B8.12, B8.19): a merchant's day from a bill file
 * chosen on this computer, or downloaded from the gateway with the team key, written in the team
 * database; with --yesterday --all-merchants, every merchant's, as the cron runs it. A second desktop
 * on the same day is told STATEMENT_BUSY. The syncs it asks for are a stored batch of the team, which
 * needs the team key too.
 */
async function reconcileOnTeamDb(address: string, cmd: Command, o: ReconcileFlags): Promise<void> {
  const date = dayOf(o, Date.now())
  if (o.merchant)
    check(
      reconcileSchema.pick({ merchant: true, date: true }),
      { merchant: o.merchant, date },
      RECONCILE_FLAGS,
    )
  const file = o.file ? path.resolve(o.file) : null
  await withTeamDesk(address, cmd, async (desk, io) => {
    // The team key first (reconcileOnTeam asks too), when syncs may follow or the bill is downloaded.
    if (o.sync || !file) await desk.merchants.secretBox()
    const { reconcileOnTeam } = await import('../../../services/statements/team-run')
    const { reconcilableMerchantsOn } = await import('../../../services/statements/runs')
    const names = o.allMerchants
      ? (await reconcilableMerchantsOn(desk.reads.exec)).map((m) => m.name)
      : [o.merchant!]
    await reconcileEach(io, o, names, (merchant) =>
      reconcileOnTeam(desk, { merchant, date, file, dryRun: !o.sync }),
    )
  })
}

export function registerReconcileCommands(program: Command): void {
  program
    .command('reconcile')
    .description("reconcile a merchant's day with its gateway's bill (downloaded, or --file)")
    .option('--merchant <name>', 'merchant profile')
    .option('--date <YYYY-MM-DD>', 'the bill day (Beijing)')
    .option('--file <file>', 'a bill downloaded from the merchant platform, instead of downloading it')
    .option('--yesterday', "yesterday's bill (Beijing), for cron")
    .option('--all-merchants', 'with --yesterday: every enabled merchant whose channel has bills')
    .option('--no-sync', 'classify only: no syncs, no anomalies')
    .action(async (o: ReconcileFlags, cmd: Command) => {
      const address = teamAddressOf(cmd)
      if (address) return reconcileOnTeamDb(address, cmd, o)
      await withContext(cmd, async (ctx, io) => {
        const date = dayOf(o, ctx.now())
        const { reconcilableMerchants } = await import('../../../services/statements/runs')
        const names = o.allMerchants ? reconcilableMerchants(ctx).map((m) => m.name) : [o.merchant!]
        await reconcileEach(io, o, names, (merchant) =>
          call(
            ctx,
            'statements.reconcile',
            {
              merchant,
              date,
              file: o.file ? ctx.handles.namedToRead(path.resolve(o.file)).file : undefined,
              dryRun: !o.sync,
              waitForSyncs: true,
            },
            RECONCILE_FLAGS,
          ),
        )
      })
    })

  program
    .command('statements')
    .description('reconciled statements, newest bill day first')
    .option('--merchant <name>', 'merchant profile')
    .option(
      '--channel <channel>',
      `${STATEMENT_CHANNELS.slice(0, -1).join(', ')} or ${STATEMENT_CHANNELS.at(-1)}`,
    )
    .option('--since <YYYY-MM-DD>', 'from this bill day')
    .option('--until <YYYY-MM-DD>', 'up to this bill day')
    .option('--result <result>', 'balanced, unbalanced or pending_cross_day')
    .option('--status <status>', 'matched, empty, failed, not_ready, ...')
    .option('--source <source>', 'download (verified) or upload (a file, unverified)')
    .option('--limit <n>', 'rows (default 100)')
    .option('--offset <n>', 'rows to skip')
    .action(async (o: Record<string, string | undefined>, cmd: Command) => {
      await withReads(cmd, async (books, io) => {
        const page = await callRead(
          books,
          'statements.list',
          { ...o, limit: numberOption(o.limit), offset: numberOption(o.offset) },
          {
            merchant: '--merchant',
            channel: '--channel',
            since: '--since',
            until: '--until',
            result: '--result',
            status: '--status',
            source: '--source',
            limit: '--limit',
            offset: '--offset',
          },
        )
        if (io.json) return io.out(JSON.stringify(page))
        io.out(`${page.total} statements`)
        io.out(
          table(
            page.items.map((s) => ({
              ...s,
              result: s.result ?? s.status,
              lines: s.summary?.lines.total ?? '',
              pay: s.summary ? `${s.summary.channel.payCount}/${yuan(s.summary.channel.payAmount)}` : '',
              local: s.summary ? `${s.summary.local.payCount}/${yuan(s.summary.local.payAmount)}` : '',
              source: s.source === 'upload' ? 'upload (unverified)' : 'download',
            })),
            [
              ['id', 'ID'],
              ['billDate', 'DAY'],
              ['merchant', 'MERCHANT'],
              ['channel', 'CHANNEL'],
              ['source', 'SOURCE'],
              ['result', 'RESULT'],
              ['lines', 'LINES'],
              ['pay', 'BILL PAY'],
              ['local', 'LOCAL PAY'],
              ['openDiffs', 'OPEN DIFFS'],
            ],
          ),
        )
      })
    })

  const statement = program.command('statement').description('one statement: show, lines, diffs, dismiss')
  const ID = { id: 'the statement id' }

  statement.command('show <id>').action(async (id: string, _o, cmd: Command) => {
    await withReads(cmd, async (books, io) => {
      const d = await callRead(books, 'statements.get', { id: numberOption(id) }, ID)
      if (io.json) return io.out(JSON.stringify(d))
      const s = d.statement
      io.out(`statement ${s.id}: ${s.merchant} ${s.billDate} (${s.channel}) ${s.result ?? s.status}`)
      if (s.errorCode) io.out(`  ${s.errorCode}: ${s.errorMsg ?? ''}`)
      io.out(
        `  file ${d.file.name ?? '—'} (${d.file.encoding ?? '—'}, ${d.file.verified ? 'verified' : 'upload, not verified'}) sha256 ${d.file.sha256 ?? '—'}`,
      )
      for (const c of d.checks)
        io.out(
          `  check ${c.item}: declared ${c.declared}, lines ${c.parsed} ${c.ok ? 'ok' : c.binding ? 'FAILED' : '(notice)'}`,
        )
      if (s.summary) {
        const m = s.summary
        io.out(
          `  bill:  pay ${m.channel.payCount} / ${yuan(m.channel.payAmount)}  refund ${m.channel.refundCount} / ${yuan(m.channel.refundAmount)}  fees ${e5(m.channel.feeE5)}`,
        )
        io.out(
          `  local: pay ${m.local.payCount} / ${yuan(m.local.payAmount)}  refund ${m.local.refundCount} / ${yuan(m.local.refundAmount)}`,
        )
        io.out(`  open differences ${s.openDiffs}; carried over ${m.carried}`)
      }
      for (const c of d.carryOver.from)
        io.out(
          `  carry-over ${c.tradeType} ${c.tradeNo} → ${c.expectedDates.join(', ')} (${c.reason}, ${c.status})`,
        )
    })
  })

  statement
    .command('lines <id>')
    .option('--state <state>', 'matched, matched_cross_day, foreign, duplicate, discrepancy, info')
    .option('--limit <n>', 'rows (default 100)')
    .option('--offset <n>', 'rows to skip')
    .action(async (id: string, o: { state?: string; limit?: string; offset?: string }, cmd: Command) => {
      await withReads(cmd, async (books, io) => {
        const page = await callRead(
          books,
          'statements.lines',
          {
            id: numberOption(id),
            state: o.state,
            limit: numberOption(o.limit),
            offset: numberOption(o.offset),
          },
          { ...ID, state: '--state', limit: '--limit', offset: '--offset' },
        )
        if (io.json) return io.out(JSON.stringify(page))
        io.out(`${page.total} lines`)
        io.out(
          table(
            page.items.map((l) => ({
              ...l,
              amount: yuan(l.amount),
              fee: e5(l.feeE5),
              lineTime: time(l.lineTime),
            })),
            [
              ['lineNo', 'LINE'],
              ['kind', 'KIND'],
              ['orderNo', 'ORDER NO'],
              ['refundNo', 'REFUND NO'],
              ['gatewayTradeNo', 'GATEWAY NO'],
              ['amount', 'AMOUNT'],
              ['fee', 'FEE'],
              ['gatewayStatus', 'STATE'],
              ['lineTime', 'TIME (BEIJING)'],
              ['matchState', 'MATCH'],
              ['localNo', 'LOCAL NO'],
            ],
          ),
        )
      })
    })

  statement
    .command('diffs <id>')
    .option('--kind <kind>', DIFF_KINDS.join(', '))
    .option('--status <status>', 'open, resolved or dismissed')
    .option('--limit <n>', 'rows (default 100)')
    .option('--offset <n>', 'rows to skip')
    .action(
      async (
        id: string,
        o: { kind?: string; status?: string; limit?: string; offset?: string },
        cmd: Command,
      ) => {
        await withReads(cmd, async (books, io) => {
          const page = await callRead(
            books,
            'statements.diffs',
            {
              id: numberOption(id),
              kind: o.kind,
              status: o.status,
              limit: numberOption(o.limit),
              offset: numberOption(o.offset),
            },
            { ...ID, kind: '--kind', status: '--status', limit: '--limit', offset: '--offset' },
          )
          if (io.json) return io.out(JSON.stringify(page))
          io.out(`${page.total} differences`)
          io.out(
            table(
              page.items.map((d) => ({ ...d, no: d.refundNo ?? d.orderNo ?? d.gatewayNo })),
              [
                ['id', 'ID'],
                ['kind', 'KIND'],
                ['tradeType', 'TYPE'],
                ['no', 'NO'],
                ['reasonEn', 'REASON'],
                ['action', 'ACTION'],
                ['syncRecordId', 'RECORD'],
                ['anomalyId', 'ANOMALY'],
                ['status', 'STATUS'],
              ],
            ),
          )
        })
      },
    )

  statement
    .command('dismiss <diffId>')
    .description("a person's decision on a difference, with the reason (audited)")
    .requiredOption('--remark <text>', 'why the difference is dismissed')
    .action(async (diffId: string, o: { remark: string }, cmd: Command) => {
      const input = { ids: [numberOption(diffId)], remark: o.remark }
      const flags = { ids: 'the difference id', remark: '--remark' }
      const said = (r: DiffActionResult, io: Io) =>
        io.out(io.json ? JSON.stringify(r.items[0]) : `difference ${diffId} dismissed`)
      const address = teamAddressOf(cmd)
      // On a team database the same decision, one transaction with the rows locked: of two desktops
      // dismissing one difference, one wins and the other is told (docs/team-mode.md B8.16).
      if (address)
        return withTeamDesk(address, cmd, async (desk, io) => {
          const { dismissDiffsOnTeam } = await import('../../../services/statements/team-decisions')
          said(await dismissDiffsOnTeam(desk, check(dismissDiffsSchema, input, flags)), io)
        })
      await withContext(cmd, async (ctx, io) => {
        said(await call(ctx, 'statements.dismissDiffs', input, flags), io)
      })
    })
}
